// Seeded fuzzing of the session: random bytes, random fragments of real packets (cut anywhere, with
// bad checksums, oversized, mutated), interrupts and acks, fed in random slices. After each round
// the session must not have thrown, must have sent only well-formed packets, and must answer a
// valid `?` with a stop reply. Rounds whose input happened to end the session (k, D) start afresh.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../replay/testing/prng.js';
import { Timeline } from '../replay/timeline/timeline.js';
import type { MemoryTrace } from '../replay/trace/memory-trace.js';
import { encodePacket, latin1 } from './packet-codec.js';
import { FakeClient, recordInMemory } from './testing/fake-client.js';

const elfBytes = readFileSync(path.resolve(import.meta.dirname, '../../assets/firmware/elf/timer.elf'));
let trace: MemoryTrace;

beforeAll(() => {
  trace = recordInMemory(elfBytes, 700);
});

/** Real packets gdb sends (and some it would not), as material to cut up. */
const CORPUS = [
  'qSupported:multiprocess+;swbreak+;hwbreak+;qRelocInsn+;fork-events+;vfork-events+;exec-events+;vContSupported+',
  'QStartNoAckMode', 'qXfer:features:read:target.xml:0,ffb', 'qXfer:features:read:target.xml:fffff,ffffffff',
  '?', 'g', 'G' + '00'.repeat(132), 'G00', 'p20', 'p1041', 'pffffffff', 'P20=00000080', 'P1=zz', 'P0=',
  'm80000000,40', 'm0,0', 'mffffffff,ffffffff', 'm10000000,4', 'M80000d00,4:2a000000', 'M80000d00,2:2a000000',
  'X80000d00,4:abcd', 'X80000d00,0:', 'c', 's', 'C05', 'S05;80000000', 'vCont?', 'vCont;s:1;c', 'vCont;c:p1.-1',
  'vCont;r1000,2000', 'vCont;t', 'bc', 'bs', 'bx', 'Z0,8000015c,4', 'z0,8000015c,4', 'Z1,80000160,2',
  'Z2,80000d00,4', 'z2,80000d00,4', 'Z3,80000d00,1', 'Z4,80000d00,ffffffff', 'Z9,0,0', 'Z0,,', 'qAttached',
  'qC', 'qfThreadInfo', 'qsThreadInfo', 'Hg0', 'Hc-1', 'Hx', 'T1', 'qRcmd,69636f756e74', 'qRcmd,7365656b2031303030',
  'qRcmd,707265762d7772697465207469636b73', 'qRcmd,736565', 'qRcmd,zz', 'qTStatus', 'vMustReplyEmpty', 'qOffsets',
  'qSymbol::', 'vFile:open:6a7573742070726f62696e67,0,1c0', '', '#', '$', '}', '}}', '*', 'k', 'D', 'vKill;1',
];

function fragment(rand: Prng): Uint8Array {
  const payload = rand.pick(CORPUS);
  switch (rand.int(8)) {
    case 0: return rand.bytes(rand.int(64)); // noise
    case 1: { // a real packet cut somewhere
      const p = encodePacket(payload);
      const a = rand.int(p.length);
      return p.subarray(a, a + 1 + rand.int(p.length));
    }
    case 2: { // a bad checksum
      const p = encodePacket(payload);
      p[p.length - 1] = 0x30 + rand.int(10);
      return p;
    }
    case 3: { // a mutated byte
      const p = encodePacket(payload);
      p[rand.int(p.length)] = rand.int(256);
      return p;
    }
    case 4: return latin1(`$${'A'.repeat(0x4000 + rand.int(100))}#00`); // oversized
    case 5: return Uint8Array.of(rand.pick([0x03, 0x2b, 0x2d])); // Ctrl-C, ack, nack
    default: return encodePacket(payload); // a whole, valid packet
  }
}

describe('session fuzzing', () => {
  it('never throws, sends only well-formed packets, and answers ? afterwards (400 seeded rounds)', async () => {
    const rounds = 400;
    let ended = 0;
    let badChecksums = 0;
    let replies = 0;
    let client: FakeClient | null = null;
    const tl = new Timeline(trace);
    for (let round = 0; round < rounds; round++) {
      const rand = new Prng(0x9d00 + round);
      if (!client || client.ended || client.session.ended) {
        if (client) {
          ended++;
          badChecksums += client.session.badChecksums;
        }
        client = new FakeClient(tl, { chunk: 2000 });
      }
      const c = client;
      const before = c.received.length;
      const bytes: number[] = [];
      for (let i = 0, n = rand.range(1, 12); i < n; i++) bytes.push(...fragment(rand));
      // Feed it in random slices, as TCP might deliver it.
      for (let i = 0; i < bytes.length;) {
        const k = rand.range(1, 40);
        c.sendRaw(Uint8Array.from(bytes.slice(i, i + k)));
        i += k;
        if (rand.chance(0.2)) await c.session.whenIdle();
      }
      await c.session.whenIdle();
      replies += c.received.slice(before).filter((b) => b === 0x23).length;
      expect(c.logs.filter((l) => l.includes('internal error')), `round ${round}`).toEqual([]);
      if (c.ended || c.session.ended) continue;
      const answer = await c.exchange('?');
      expect(answer.at(-1), `round ${round}`).toMatch(/^T[0-9a-f]{2}/);
    }
    // The rounds did reach the session: packets answered, checksums refused, sessions ended.
    console.log(`gdb fuzz: ${rounds} rounds, ~${replies} replies, ${ended} sessions ended by k/D, ${badChecksums + client!.session.badChecksums} bad checksums`);
    expect(replies).toBeGreaterThan(rounds);
    expect(ended).toBeGreaterThan(0);
    expect(ended).toBeLessThan(rounds / 4);
  });
});
