import { describe, expect, it } from 'vitest';
import { Prng } from '../replay/testing/prng.js';
import {
  PacketDecoder, encodePacket, fromHex, hexLe32, hexToText, latin1, latin1String, textToHex, toHex, unescape,
} from './packet-codec.js';

const text = (b: Uint8Array): string => latin1String(b);

describe('packet framing', () => {
  it('frames with the checksum the GDB manual gives ($OK#9a, $g#67) and escapes #, $, } and *', () => {
    expect(text(encodePacket('OK'))).toBe('$OK#9a');
    expect(text(encodePacket('g'))).toBe('$g#67');
    expect(text(encodePacket(''))).toBe('$#00');
    const binary = Uint8Array.of(0x23, 0x24, 0x7d, 0x2a, 0x41);
    const framed = encodePacket(binary);
    expect(text(framed)).toMatch(/^\$\}\x03\}\x04\}]\}\x0aA#[0-9a-f]{2}$/);
    const [ev] = new PacketDecoder().feed(framed);
    expect(ev).toEqual({ kind: 'packet', payload: binary, checksumOk: true });
  });

  it('decodes packets split anywhere, acks, nacks and Ctrl-C between packets, and ignores noise', () => {
    const d = new PacketDecoder();
    const stream = latin1('xx+$qC#b4-\x03$m0,4#fd');
    const events = [...stream].flatMap((b) => d.feed(Uint8Array.of(b)));
    expect(events.map((e) => e.kind)).toEqual(['ack', 'packet', 'nack', 'interrupt', 'packet']);
    expect(events[1]).toEqual({ kind: 'packet', payload: latin1('qC'), checksumOk: true });
    expect(events[4]).toMatchObject({ checksumOk: true });
    expect(text((events[4] as { payload: Uint8Array }).payload)).toBe('m0,4');
    // 0x03 inside a packet is data.
    expect(d.feed(encodePacket(Uint8Array.of(0x58, 0x03)))).toEqual([{ kind: 'packet', payload: Uint8Array.of(0x58, 0x03), checksumOk: true }]);
  });

  it('flags bad checksums, resyncs on $, and drops oversized packets whole', () => {
    const d = new PacketDecoder(16);
    expect(d.feed(latin1('$g#00'))).toEqual([{ kind: 'packet', payload: latin1('g'), checksumOk: false }]);
    expect(d.feed(latin1('$g#zz'))).toMatchObject([{ checksumOk: false }]);
    expect(d.feed(latin1('$garbage$g#67'))).toEqual([{ kind: 'packet', payload: latin1('g'), checksumOk: true }]);
    expect(d.feed(latin1('$g#6$g#67'))).toEqual([{ kind: 'packet', payload: latin1('g'), checksumOk: true }]);
    expect(d.feed(latin1(`$${'a'.repeat(40)}#00`))).toEqual([{ kind: 'oversized', length: 40 }]);
    expect(d.feed(latin1('$g#67'))).toMatchObject([{ checksumOk: true }]);
    expect(d.inPacket).toBe(false);
    expect(unescape(Uint8Array.of(0x61, 0x7d))).toEqual(Uint8Array.of(0x61, 0x7d)); // a trailing lone escape
  });

  it('round-trips random binary payloads through encode and decode', () => {
    const rand = new Prng(42);
    const d = new PacketDecoder();
    for (let i = 0; i < 200; i++) {
      const payload = rand.bytes(rand.int(300));
      expect(d.feed(encodePacket(payload))).toEqual([{ kind: 'packet', payload, checksumOk: true }]);
    }
  });

  it('never throws on random bytes', () => {
    const rand = new Prng(7);
    const d = new PacketDecoder(64);
    for (let i = 0; i < 2000; i++) d.feed(rand.bytes(rand.int(100)));
    expect(d.feed(latin1('$?#3f'))).toEqual([{ kind: 'packet', payload: latin1('?'), checksumOk: true }]);
  });
});

describe('hex helpers', () => {
  it('converts bytes, registers and text', () => {
    expect(toHex(Uint8Array.of(0, 15, 255))).toBe('000fff');
    expect(fromHex('000fFF')).toEqual(Uint8Array.of(0, 15, 255));
    expect(fromHex('0')).toBeNull();
    expect(fromHex('zz')).toBeNull();
    expect(hexLe32(0x80001234)).toBe('34120080');
    expect(hexLe32(-1)).toBe('ffffffff');
    expect(textToHex('icount')).toBe('69636f756e74');
    expect(hexToText(textToHex('é → ok'))).toBe('é → ok');
  });
});
