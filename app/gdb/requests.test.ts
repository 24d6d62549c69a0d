import { describe, expect, it } from 'vitest';
import { Prng } from '../replay/testing/prng.js';
import { latin1, textToHex } from './packet-codec.js';
import { parseRequest } from './requests.js';

const parse = (s: string): ReturnType<typeof parseRequest> => parseRequest(latin1(s));

describe('parseRequest', () => {
  it('reads the packets gdb sends', () => {
    expect(parse('qSupported:multiprocess+;swbreak+;xmlRegisters=i386')).toEqual({ kind: 'supported', features: ['multiprocess+', 'swbreak+', 'xmlRegisters=i386'] });
    expect(parse('QStartNoAckMode')).toEqual({ kind: 'start-no-ack' });
    expect(parse('qXfer:features:read:target.xml:0,ffb')).toEqual({ kind: 'read-features', annex: 'target.xml', offset: 0, length: 0xffb });
    expect(parse('?')).toEqual({ kind: 'halt-reason' });
    expect(parse('g')).toEqual({ kind: 'read-registers' });
    expect(parse('G00010203')).toEqual({ kind: 'write-registers', data: Uint8Array.of(0, 1, 2, 3) });
    expect(parse('p20')).toEqual({ kind: 'read-register', regnum: 32 });
    expect(parse('P341=78563412')).toEqual({ kind: 'write-register', regnum: 0x341, data: Uint8Array.of(0x78, 0x56, 0x34, 0x12) });
    expect(parse('m80000000,40')).toEqual({ kind: 'read-memory', addr: 0x80000000, length: 0x40 });
    expect(parse('M80000000,2:abcd')).toEqual({ kind: 'write-memory', addr: 0x80000000, data: Uint8Array.of(0xab, 0xcd) });
    expect(parseRequest(Uint8Array.of(0x58, ...latin1('10,2:'), 0x23, 0x00))).toEqual({ kind: 'write-memory', addr: 0x10, data: Uint8Array.of(0x23, 0) });
    expect(parse('c')).toEqual({ kind: 'resume', action: 'continue', addr: null });
    expect(parse('s80000010')).toEqual({ kind: 'resume', action: 'step', addr: 0x80000010 });
    expect(parse('C05;80000000')).toEqual({ kind: 'resume', action: 'continue', addr: 0x80000000 });
    expect(parse('S05')).toEqual({ kind: 'resume', action: 'step', addr: null });
    expect(parse('vCont?')).toEqual({ kind: 'vcont-query' });
    expect(parse('vCont;c')).toEqual({ kind: 'resume', action: 'continue', addr: null });
    expect(parse('vCont;s:1;c')).toEqual({ kind: 'resume', action: 'step', addr: null });
    expect(parse('vCont;c:p1.-1')).toEqual({ kind: 'resume', action: 'continue', addr: null });
    expect(parse('vCont;S05:1')).toEqual({ kind: 'resume', action: 'step', addr: null });
    expect(parse('bc')).toEqual({ kind: 'reverse', action: 'continue' });
    expect(parse('bs')).toEqual({ kind: 'reverse', action: 'step' });
    expect(parse('Z0,8000015c,4')).toEqual({ kind: 'point', insert: true, type: 0, addr: 0x8000015c, length: 4 });
    expect(parse('z2,80000d00,4')).toEqual({ kind: 'point', insert: false, type: 2, addr: 0x80000d00, length: 4 });
    expect(parse('Z0,80000000,2;X2,2010;cmds:0,X2,2010')).toMatchObject({ kind: 'point', type: 0, length: 2 });
    expect(parse('qAttached:1')).toEqual({ kind: 'attached' });
    expect(parse('qC')).toEqual({ kind: 'current-thread' });
    expect(parse('qfThreadInfo')).toEqual({ kind: 'thread-info', first: true });
    expect(parse('Hg0')).toEqual({ kind: 'set-thread' });
    expect(parse('k')).toEqual({ kind: 'kill', reply: false });
    expect(parse('vKill;1')).toEqual({ kind: 'kill', reply: true });
    expect(parse('D')).toEqual({ kind: 'detach' });
    expect(parse(`qRcmd,${textToHex('prev-write ticks')}`)).toEqual({ kind: 'monitor', command: 'prev-write ticks' });
  });

  it('calls unknown packets unsupported and known but unreadable ones malformed', () => {
    for (const s of ['qTStatus', 'vMustReplyEmpty', 'qOffsets', 'vFile:open:x', 'i', 'bx', '']) expect(parse(s).kind, s).toBe('unsupported');
    for (const s of ['gx', 'G0', 'pxyz', 'p123456789', 'P1', 'P1=', 'm', 'm1', 'm1,', 'mffffffffff,1', 'M1,2:ab', 'M1,1:zz',
      'X1,2:a', 'X1', 'cq', 'Sxx', 'Z5,0,0', 'Z0,0', 'Z01,0,0', 'z', 'vCont;r1,2', 'vCont;c:2', 'vCont;t', 'qRcmd,z', 'H',
      'qXfer:features:read:target.xml:0', 'qXfer:features:read:target.xml:0,']) {
      expect(parse(s).kind, s).toBe('malformed');
    }
  });

  it('never throws on random payloads', () => {
    const rand = new Prng(99);
    const alphabet = latin1('0123456789abcdefxXZzmMgGpPcCsSvbqQ;:,=.-?kD+$#}*');
    for (let i = 0; i < 5000; i++) {
      const n = rand.int(40);
      const payload = rand.chance(0.5) ? rand.bytes(n) : Uint8Array.from({ length: n }, () => rand.pick([...alphabet]));
      expect(() => parseRequest(payload)).not.toThrow();
    }
  });
});
