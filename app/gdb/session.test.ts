// The gdb session over a recording of timer.elf (10 timer interrupts; the handler increments the
// global `ticks`), driven packet by packet without a socket. Checked against the Timeline and the
// write index directly: breakpoint stops are the positions where the pc reaches the breakpoint,
// watchpoint stops are just before (forward) or just after (reverse) the writing instruction, as
// gdb's riscv "non-steppable watchpoints" expect; writes divert and never touch the recording.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csrRead } from '../engine/cpu/csr.js';
import { Timeline } from '../replay/timeline/timeline.js';
import type { MemoryTrace } from '../replay/trace/memory-trace.js';
import { WriteIndex } from '../replay/write-index/write-index.js';
import { fromHex, hexLe32, latin1, textToHex } from './packet-codec.js';
import { CSR_REGNUM_BASE, GDB_CSRS, PRIV_REGNUM } from './target-description.js';
import { FakeClient, expedited, recordInMemory } from './testing/fake-client.js';

const elfBytes = readFileSync(path.resolve(import.meta.dirname, '../../assets/firmware/elf/timer.elf'));
let trace: MemoryTrace;
let handler = 0;
let ticks = 0;
let neverRun = 0;
/** Positions where the pc is at handle_trap, in order. */
let handlerHits: number[] = [];
/** Positions of the instructions that write `ticks`: crt0's clearing of .bss, then the handler's increments. */
let tickWrites: number[] = [];
/** The handler's increments only. */
let increments: number[] = [];

const hex = (v: number): string => v.toString(16);
const sym = (tl: Timeline, name: string): number => tl.machine.elf.symbols.get(name)!.value;

beforeAll(() => {
  trace = recordInMemory(elfBytes, 1000);
  const tl = new Timeline(trace);
  handler = sym(tl, 'handle_trap');
  ticks = sym(tl, 'ticks');
  neverRun = sym(tl, 'hs_unexpected_trap');
  tl.machine.setBreakpoints([handler]);
  for (let r = tl.continueForward(); r.kind === 'breakpoint'; r = tl.continueForward()) handlerHits.push(tl.position);
  tl.machine.setBreakpoints([]);
  const index = new WriteIndex(tl);
  for (let at = 0; ;) {
    const w = index.nextWrite(ticks, 4, at);
    if (!w.found) break;
    tickWrites.push(w.icount);
    at = w.icount + 1;
  }
  increments = tickWrites.filter((w) => w > handlerHits[0]!);
  expect(increments).toHaveLength(10);
});

async function connect(opts: ConstructorParameters<typeof FakeClient>[1] = {}): Promise<FakeClient> {
  const c = new FakeClient(trace, opts);
  expect(await c.request('qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+')).toContain('ReverseContinue+');
  return c;
}

describe('handshake and queries', () => {
  it('answers qSupported, vCont?, thread queries, and unknown packets with the empty reply', async () => {
    const c = new FakeClient(trace);
    const sup = await c.request('qSupported:swbreak+');
    expect(sup.split(';').sort()).toEqual(['PacketSize=4000', 'QStartNoAckMode+', 'ReverseContinue+', 'ReverseStep+',
      'hwbreak+', 'qXfer:features:read+', 'swbreak+', 'vContSupported+']);
    expect(await c.request('vCont?')).toBe('vCont;c;C;s;S');
    expect(await c.request('qAttached')).toBe('1');
    expect(await c.request('qC')).toBe('QC1');
    expect(await c.request('qfThreadInfo')).toBe('m1');
    expect(await c.request('qsThreadInfo')).toBe('l');
    expect(await c.request('Hg0')).toBe('OK');
    expect(await c.request('Hc-1')).toBe('OK');
    expect(await c.request('T1')).toBe('OK');
    expect(await c.request('T2')).toBe('E01');
    expect(await c.request('qTStatus')).toBe('');
    expect(await c.request('vMustReplyEmpty')).toBe('');
    expect(await c.request('?')).toMatch(/^T05thread:1;20:00100000;/);
  });

  it('serves target.xml in pieces; every CSR it lists reads, and the cpu feature has zero..t6 and pc', async () => {
    const c = new FakeClient(trace);
    let xml = '';
    for (;;) {
      const part = await c.request(`qXfer:features:read:target.xml:${hex(xml.length)},200`);
      expect(part[0]).toMatch(/[ml]/);
      xml += part.slice(1);
      if (part[0] === 'l') break;
    }
    expect(xml).toContain('<architecture>riscv:rv32</architecture>');
    expect(xml).toContain('<feature name="org.gnu.gdb.riscv.cpu">');
    expect(xml).toContain('<reg name="zero" bitsize="32" regnum="0"');
    expect(xml).toContain('<reg name="t6" bitsize="32" regnum="31"');
    expect(xml).toContain('<reg name="pc" bitsize="32" regnum="32"');
    expect(xml).toContain('<reg name="mstatus" bitsize="32" regnum="833"');
    const regnums = [...xml.matchAll(/regnum="(\d+)"/g)].map((m) => Number(m[1]));
    expect(new Set(regnums).size).toBe(regnums.length);
    for (const [name, n] of GDB_CSRS) {
      const h = c.target.machine.hart;
      const saved = h.priv;
      h.priv = 3;
      expect(csrRead(h, n), name).not.toBeNull();
      h.priv = saved;
      expect(await c.request(`p${hex(CSR_REGNUM_BASE + n)}`), name).toMatch(/^[0-9a-f]{8}$/);
    }
    expect(await c.request(`p${hex(PRIV_REGNUM)}`)).toBe('03000000');
    expect(await c.request('p21')).toBe('E01'); // no FPU
    expect(await c.request('qXfer:features:read:other.xml:0,100')).toBe('E00');
  });
});

describe('registers and memory', () => {
  it('g, p and m show the machine; device registers and unmapped memory are errors', async () => {
    const c = await connect();
    c.target.seek(handlerHits[0]!);
    const h = c.target.machine.hart;
    const g = await c.request('g');
    expect(g).toHaveLength(33 * 8);
    for (let r = 0; r < 32; r++) expect(g.slice(r * 8, r * 8 + 8), `x${r}`).toBe(hexLe32(h.x[r]!));
    expect(g.slice(32 * 8)).toBe(hexLe32(handler));
    expect(await c.request('p20')).toBe(hexLe32(handler));
    const m = await c.request(`m${hex(handler)},8`);
    const off = handler - c.target.machine.bus.ramBase;
    expect(m).toBe(Buffer.from(c.target.machine.bus.ram.subarray(off, off + 8)).toString('hex'));
    expect(await c.request('m1000,4')).toMatch(/^[0-9a-f]{8}$/); // the reset ROM
    expect(await c.request('m10000000,1')).toBe('E01'); // the UART: reading would pop its FIFO
    expect(await c.request('m0,4')).toBe('E01');
    expect(await c.request(`m${hex(0x80000000 + (8 << 20) - 2)},8`)).toHaveLength(4); // up to the end of RAM
    expect((await c.request('m80000000,100000')).length).toBeLessThanOrEqual(0x4000); // one packet at most
    expect(c.target.diverted).toBe(false);
  });

  it('register and memory writes divert; the next reverse step restores the recording', async () => {
    const c = await connect();
    const at = handlerHits[1]!;
    c.target.seek(at);
    const fresh = new Timeline(trace);
    fresh.seek(at - 1);
    const before = fresh.machine.stateHash();
    expect(await c.request(`M${hex(ticks)},4:2a000000`)).toBe('OK');
    expect(await c.request(`m${hex(ticks)},4`)).toBe('2a000000');
    expect(await c.request(`P5=${hexLe32(0x1234)}`)).toBe('OK');
    expect(await c.request('p5')).toBe(hexLe32(0x1234));
    expect(await c.request(`X${hex(ticks)},1:#`)).toBe('OK'); // binary '#', escaped by the framing
    expect(await c.request(`m${hex(ticks)},1`)).toBe('23');
    expect(c.target.diverted).toBe(true);
    expect(await c.request('M1000,4:00000000')).toBe('E01'); // the ROM is not writable
    const g = await c.request('g');
    const changed = g.slice(0, 6 * 8) + hexLe32(0xabcd) + g.slice(7 * 8);
    expect(await c.request(`G${changed}`)).toBe('OK');
    expect(await c.request('p6')).toBe(hexLe32(0xabcd));
    expect(await c.request('G00')).toBe('E01');
    expect(await c.request('P0=01000000')).toBe('OK'); // x0 stays zero
    expect(await c.request('p0')).toBe('00000000');
    const reply = await c.request('bs');
    expect(reply).toMatch(/^T05/);
    expect(c.target.diverted).toBe(false);
    expect(c.where.icount).toBe(at - 1);
    expect(c.target.machine.stateHash()).toBe(before);
    // The recording itself is untouched: a new timeline sees the same state.
    const again = new Timeline(trace);
    again.seek(at);
    c.target.seek(at);
    expect(c.target.machine.stateHash()).toBe(again.machine.stateHash());
  });
});

describe('running forward and backward', () => {
  it('c stops at each breakpoint hit (swbreak), bc goes back through them, and the ends are replaylog stops', async () => {
    const c = await connect();
    expect(await c.request(`Z0,${hex(handler)},4`)).toBe('OK');
    const forward: number[] = [];
    for (;;) {
      const r = await c.request('vCont;c');
      if (r.includes('replaylog:end')) break;
      expect(r).toMatch(/^T05swbreak:;thread:1;/);
      expect(expedited(r, 0x20)).toBe(handler);
      forward.push(c.where.icount);
      // gdb steps over the breakpoint itself: without the breakpoint, one instruction.
      expect(await c.request(`z0,${hex(handler)},4`)).toBe('OK');
      expect(await c.request('vCont;s:1;c')).toMatch(/^T05thread:1;/);
      expect(await c.request(`Z0,${hex(handler)},4`)).toBe('OK');
    }
    expect(forward).toEqual(handlerHits);
    expect(c.where.icount).toBe(trace.completeUpTo);
    expect(c.console).toContain('exited with code 0');
    const backward: number[] = [];
    for (;;) {
      const r = await c.request('bc');
      if (r.includes('replaylog:begin')) break;
      expect(r).toMatch(/^T05swbreak:;/);
      backward.push(c.where.icount);
    }
    expect(backward).toEqual([...handlerHits].reverse());
    expect(c.where.icount).toBe(0);
    expect(await c.request('bs')).toMatch(/^T05replaylog:begin;/);
    // Z1 is reported as a hardware breakpoint.
    expect(await c.request(`z0,${hex(handler)},4`)).toBe('OK');
    expect(await c.request(`Z1,${hex(handler)},4`)).toBe('OK');
    expect(await c.request('c')).toMatch(/^T05hwbreak:;/);
    expect(c.where.icount).toBe(handlerHits[0]);
  });

  it('s and bs move one instruction; bs at 0 and s at the end say replaylog', async () => {
    const c = await connect();
    const pcs: number[] = [];
    for (let i = 0; i < 30; i++) {
      pcs.push(c.where.pc);
      expect(await c.request('s')).toMatch(/^T05thread:1;/);
    }
    for (let i = 29; i >= 0; i--) {
      expect(await c.request('bs')).toMatch(/^T05thread:1;/);
      expect(c.where).toEqual({ icount: i, pc: pcs[i] });
    }
    expect(await c.request('bs')).toMatch(/^T05replaylog:begin;/);
    c.target.seek(trace.completeUpTo);
    expect(await c.request('s')).toMatch(/^T05replaylog:end;/);
    expect(await c.request('c')).toMatch(/^T05replaylog:end;/);
  });

  it('a write watchpoint stops before the write going forward, after it going backward (gdb then steps over it)', async () => {
    const c = await connect();
    expect(await c.request(`Z2,${hex(ticks)},4`)).toBe('OK');
    // Forward: the stop is at the writing instruction, not yet executed (first crt0 clearing .bss).
    let r = await c.request('c');
    expect(r).toMatch(new RegExp(`^T05watch:${hex(ticks)};`));
    expect(c.where.icount).toBe(tickWrites[0]);
    c.target.seek(increments[0]!);
    expect(await c.request('?')).toMatch(/^T05watch:/);
    expect(await c.request(`m${hex(ticks)},4`)).toBe('00000000');
    // gdb's step over it: watchpoints out, one step, back in.
    expect(await c.request(`z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('s')).toMatch(/^T05thread/);
    expect(await c.request(`m${hex(ticks)},4`)).toBe('01000000');
    expect(await c.request(`Z2,${hex(ticks)},4`)).toBe('OK');
    r = await c.request('c');
    expect(c.where.icount).toBe(increments[1]);
    // A step onto a watched write reports it without moving.
    c.target.seek(tickWrites[2]!);
    expect(await c.request('s')).toMatch(/^T05watch:/);
    expect(c.where.icount).toBe(tickWrites[2]);
    // Backward from the end: the stop is just after the last write; gdb's reverse step over it lands on it.
    c.target.seek(trace.completeUpTo);
    r = await c.request('bc');
    expect(r).toMatch(new RegExp(`^T05watch:${hex(ticks)};`));
    expect(c.where.icount).toBe(tickWrites.at(-1)! + 1);
    expect(await c.request(`z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('bs')).toMatch(/^T05thread/);
    expect(c.where.icount).toBe(tickWrites.at(-1));
    expect(await c.request(`Z2,${hex(ticks)},4`)).toBe('OK');
    // From right at a write, the write just before it is next (its stop position is where we are).
    r = await c.request('bc');
    expect(c.where.icount).toBe(tickWrites.at(-2)! + 1);
    // A reverse step over a watched write reports it first, without moving.
    expect(await c.request('bs')).toMatch(/^T05watch:/);
    expect(c.where.icount).toBe(tickWrites.at(-2)! + 1);
    // Read and access watchpoints name themselves.
    expect(await c.request(`z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request(`Z3,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('c')).toMatch(new RegExp(`^T05rwatch:${hex(ticks)};`));
    expect(await c.request(`z3,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request(`Z4,${hex(ticks + 1)},2`)).toBe('OK');
    expect(await c.request('bc')).toMatch(new RegExp(`^T05awatch:${hex(ticks + 1)};`));
  });

  it('reverse-continue to a write watchpoint replays one interval, not the recording', async () => {
    const c = await connect();
    c.target.seek(trace.completeUpTo);
    const tl = c.target.timeline;
    let restores = 0;
    const restore = tl.restore.bind(tl);
    tl.restore = (i: number): void => { restores++; restore(i); };
    expect(await c.request(`Z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('bc')).toMatch(/^T05watch:/);
    expect(c.where.icount).toBe(tickWrites.at(-1)! + 1);
    expect(tl.snapshots.length).toBeGreaterThan(5);
    expect(restores).toBeLessThanOrEqual(2); // the interval's replay, then the seek to the answer
  });

  it('while diverted, forward execution runs the changed machine; a watchpoint stop rebuilds the state before the write', async () => {
    const c = await connect();
    c.target.seek(handlerHits[0]!);
    expect(await c.request(`M${hex(ticks)},4:05000000`)).toBe('OK');
    expect(await c.request(`Z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('c')).toMatch(/^T05watch:/);
    expect(c.target.diverted).toBe(true);
    expect(c.where.icount).toBe(increments[0]);
    expect(await c.request(`m${hex(ticks)},4`)).toBe('05000000');
    expect(await c.request(`z2,${hex(ticks)},4`)).toBe('OK');
    expect(await c.request('s')).toMatch(/^T05thread/);
    expect(await c.request(`m${hex(ticks)},4`)).toBe('06000000');
  });

  it('a diverted run that leaves the recording stops with a console message', async () => {
    const c = await connect();
    c.target.seek(handlerHits[0]!);
    // With ticks at 9 the handler's increment ends the program early: the exit is not the recording's.
    expect(await c.request(`M${hex(ticks)},4:09000000`)).toBe('OK');
    const replies = await c.exchange('c');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^T05thread:1;/);
    expect(c.console).toContain('no longer follows the recording');
    expect(await c.request('?')).toMatch(/^T05/);
    expect(await c.request('bc')).toMatch(/^T05replaylog:begin;/);
    expect(c.target.diverted).toBe(false);
  });
});

describe('interrupts and the connection', () => {
  it('Ctrl-C stops a running continue and reverse-continue at a chunk boundary (T02)', async () => {
    let turns = 0;
    const c = await connect({
      chunk: 100,
      yieldToHost: async (client) => {
        if (++turns === 5) client.sendRaw(Uint8Array.of(0x03));
      },
    });
    expect(await c.request('c')).toMatch(/^T02thread:1;/);
    expect(c.where.icount).toBe(500);
    c.target.seek(trace.completeUpTo);
    expect(await c.request(`Z0,${hex(neverRun)},2`)).toBe('OK');
    turns = 0;
    expect(await c.request('bc')).toMatch(/^T02/);
    // It stopped no earlier than the part it had searched completely (no hit in between).
    const p = c.where.icount;
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThanOrEqual(trace.completeUpTo);
    expect(c.target.timeline.snapshots.some((s) => s.icount === p) || p === trace.completeUpTo).toBe(true);
    // A Ctrl-C while nothing runs is ignored.
    c.sendRaw(Uint8Array.of(0x03));
    expect(await c.request('?')).toMatch(/^T02/);
  });

  it('a client that goes away mid-command stops the command; nothing is sent after', async () => {
    const c = await connect({
      chunk: 100,
      yieldToHost: async (client) => { client.session.close(); },
    });
    const sent = c.received.length;
    c.sendRaw(latin1('$c#63'));
    await c.session.whenIdle();
    expect(c.received.length).toBe(sent + 1); // the '+' for the packet, nothing else
    expect(c.session.ended).toBe(true);
    c.sendRaw(latin1('$?#3f'));
    expect(c.received.length).toBe(sent + 1);
  });

  it('acks, bad checksums, resend requests, no-ack mode, oversized packets, k and D', async () => {
    const c = new FakeClient(trace);
    c.sendRaw('$?#00');
    await c.session.whenIdle();
    expect(String.fromCharCode(...c.received)).toBe('-');
    expect(c.session.badChecksums).toBe(1);
    c.sendRaw('$?#3f');
    await c.session.whenIdle();
    const first = String.fromCharCode(...c.received.slice(1));
    expect(first).toMatch(/^\+\$T05/);
    c.sendRaw('-'); // "say that again"
    expect(String.fromCharCode(...c.received).endsWith(first.slice(1))).toBe(true);
    expect(await c.request('QStartNoAckMode')).toBe('OK');
    const n = c.received.length;
    expect(await c.request('qC')).toBe('QC1');
    expect(c.received[n]).toBe(0x24); // '$': no '+' any more
    expect(await c.request(`m${'0'.repeat(0x5000)}`)).toBe('E01'); // longer than PacketSize
    expect(await c.request('qC')).toBe('QC1');
    expect(await c.request('D')).toBe('OK');
    expect(c.ended).toBe(true);
    const k = new FakeClient(trace);
    expect(await k.exchange('k')).toEqual([]);
    expect(k.ended).toBe(true);
    const vkill = new FakeClient(trace);
    expect(await vkill.request('vKill;1')).toBe('OK');
    expect(vkill.ended).toBe(true);
  });
});

describe('monitor commands', () => {
  const monitor = async (c: FakeClient, cmd: string): Promise<string> => {
    expect(await c.request(`qRcmd,${textToHex(cmd)}`)).toBe('OK');
    return c.console;
  };

  it('icount, seek, prev-write and next-write (print only), info, help, and errors', async () => {
    const c = await connect();
    expect(await monitor(c, 'icount')).toBe('icount 0, pc 0x1000\n');
    expect(await monitor(c, `seek ${handlerHits[3]}`)).toContain(`icount ${handlerHits[3]}, pc 0x${hex(handler)}`);
    expect(c.where.icount).toBe(handlerHits[3]);
    const index = new WriteIndex(new Timeline(trace));
    const prev = index.previousWrite(ticks, 4, handlerHits[3]!);
    if (!prev.found) throw new Error('no write');
    const out = await monitor(c, 'prev-write ticks');
    expect(out).toBe(`prev-write ticks (0x${hex(ticks)}:4): icount ${prev.icount}, pc 0x${hex(prev.pc)}, old 02000000, new 03000000, writer cpu\n`);
    expect(await monitor(c, `prev-write 0x${hex(ticks)}`)).toContain(`icount ${prev.icount},`);
    expect(await monitor(c, `prev-write ${ticks}:4`)).toContain(`icount ${prev.icount},`);
    expect(await monitor(c, 'next-write ticks:2')).toContain(`icount ${increments[3]}, `);
    expect(c.where.icount).toBe(handlerHits[3]); // printing does not move
    expect(await monitor(c, 'seek 0')).toContain('icount 0,');
    expect(await monitor(c, 'prev-write ticks')).toContain('no write before icount 0');
    expect(await monitor(c, 'seek end')).toContain(`icount ${trace.completeUpTo},`);
    expect(await monitor(c, 'info')).toContain(`${trace.completeUpTo} instructions, ended: guest exit code 0`);
    expect(await monitor(c, 'help')).toContain('monitor prev-write EXPR');
    expect(await monitor(c, 'bogus')).toContain('unknown monitor command "bogus"');
    expect(await monitor(c, 'prev-write nosuchsymbol')).toContain('no symbol "nosuchsymbol"');
    expect(await monitor(c, 'prev-write 0x10000000:4')).toContain('is not in RAM');
    expect(await monitor(c, `seek ${trace.completeUpTo + 1}`)).toContain('past the end');
    expect(await c.request(`M${hex(ticks)},4:01000000`)).toBe('OK');
    expect(await monitor(c, 'icount')).toContain('diverted');
    expect(await monitor(c, 'prev-write ticks')).toContain('answers about the recording');
    expect(await c.request('qRcmd,zz')).toBe('E01');
    expect(fromHex('zz')).toBeNull();
  });
});
