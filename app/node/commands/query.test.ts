// `hindsight query FILE prev-write|next-write ADDR:LEN|SYMBOL --at ICOUNT|end --json` on a recording
// of timer.elf, whose interrupt handler increments `ticks` ten times:
//   - the answer is {found, icount, pc, old, new, writer}; pc is a store, old/new are the bytes
//     `query state --mem` shows just before and just after that instruction;
//   - walking back with prev-write and forward with next-write visits the same writes;
//   - {found:false} before the first write and after the last;
//   - bad symbols and ranges outside RAM are clean errors (exit 2, one line on stderr).

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../engine/isa/decode.js';
import { parseElf, type ElfImage } from '../../engine/loader/elf.js';
import { cliJson, describeCleanFailure, firmware, runCli, scratchDir } from '../testing/cli-harness.js';

type Write = { found: true; icount: number; pc: number; old: string; new: string; writer: 'cpu' | 'dma' };
type Answer = Write | { found: false };
interface State { icount: number; pc: number; mem?: string }

const scratch = scratchDir('query');
afterAll(() => scratch.remove());

const elfPath = firmware('timer');
const elf: ElfImage = parseElf(readFileSync(elfPath));
const sym = (name: string): { addr: number; len: number } => {
  const s = elf.symbols.get(name);
  if (!s) throw new Error(`timer.elf has no symbol ${name}`);
  return { addr: s.value, len: s.size };
};
const hexAddr = (a: number): string => `0x${a.toString(16)}`;

/** The instruction at `pc`, from the ELF's loaded segments. */
function instructionAt(pc: number): ReturnType<typeof decode> {
  const seg = elf.segments.find((s) => pc >= s.paddr && pc + 2 <= s.paddr + s.bytes.length);
  if (!seg) throw new Error(`pc ${hexAddr(pc)} is not in a loaded segment`);
  const b = seg.bytes;
  const o = pc - seg.paddr;
  return decode(b[o]! | (b[o + 1]! << 8), (b[o + 2] ?? 0) | ((b[o + 3] ?? 0) << 8));
}

const rec = scratch.file('timer.hsrec');
let end = 0;
const query = (what: string, target: string, at: number | 'end'): Promise<Answer> =>
  cliJson<Answer>(['query', rec, what, target, '--at', String(at), '--json']);

beforeAll(async () => {
  const r = await runCli(['record', elfPath, '-o', rec, '--snapshot-every', '600']);
  expect(r.code).toBe(0);
  end = (await cliJson<{ icountEnd: number }>(['info', rec, '--json'])).icountEnd;
});

describe('query prev-write / next-write', () => {
  it('prev-write ticks --at end: the store of the 10th increment, old 9 and new 10, as query state shows them', async () => {
    const w = await query('prev-write', 'ticks', 'end');
    expect(w).toMatchObject({ found: true, writer: 'cpu', old: '09000000', new: '0a000000' });
    const write = w as Write;
    expect(write.icount).toBeLessThan(end);
    const insn = instructionAt(write.pc);
    expect(insn.spec?.kind, `instruction at ${hexAddr(write.pc)}`).toBe('store');
    expect(insn.spec?.size).toBe(4);
    const { addr, len } = sym('ticks');
    const mem = `${hexAddr(addr)}:${len}`;
    const before = await cliJson<State>(['query', rec, 'state', '--at', String(write.icount), '--mem', mem, '--json']);
    const after = await cliJson<State>(['query', rec, 'state', '--at', String(write.icount + 1), '--mem', mem, '--json']);
    expect(before.pc).toBe(write.pc); // the position just before the writing instruction
    expect(before.mem).toBe(write.old);
    expect(after.mem).toBe(write.new);
  });

  it('SYMBOL and the same ADDR:LEN give the same answer; a sub-range gives the same write with its bytes', async () => {
    const { addr, len } = sym('ticks');
    const at = Math.floor(end * 0.6);
    for (const what of ['prev-write', 'next-write']) {
      const bySymbol = await query(what, 'ticks', at);
      const byRange = await query(what, `${hexAddr(addr)}:${len}`, at);
      const byDecimal = await query(what, `${addr}:${len}`, at);
      expect(bySymbol.found).toBe(true);
      expect(byRange).toEqual(bySymbol);
      expect(byDecimal).toEqual(bySymbol);
      const sub = await query(what, `${hexAddr(addr + 1)}:2`, at) as Write;
      const whole = bySymbol as Write;
      expect(sub).toEqual({ ...whole, old: whole.old.slice(2, 6), new: whole.new.slice(2, 6) });
    }
  });

  it('walking back with prev-write and forward with next-write visit the same writes, ending in {found:false}', async () => {
    const back: Write[] = [];
    let at: number | 'end' = 'end';
    for (;;) {
      const w = await query('prev-write', 'ticks', at);
      if (!w.found) break;
      if (back.length) expect(w.icount).toBeLessThan(back.at(-1)!.icount);
      back.push(w);
      at = w.icount;
      expect(back.length).toBeLessThan(40);
    }
    // The ten increments (new = 1..10), each a store, and whatever zeroed .bss before them.
    const increments = back.filter((w) => w.new !== '00000000');
    expect(increments.map((w) => w.new)).toEqual(
      Array.from({ length: 10 }, (_, i) => Buffer.from(Uint32Array.of(10 - i).buffer).toString('hex')));
    for (const w of back) expect(instructionAt(w.pc).spec?.kind, `pc ${hexAddr(w.pc)}`).toBe('store');

    const forward: Write[] = [];
    let from = 0;
    for (;;) {
      const w = await query('next-write', 'ticks', from);
      if (!w.found) break;
      forward.push(w);
      from = w.icount + 1;
      expect(forward.length).toBeLessThan(40);
    }
    expect(forward).toEqual([...back].reverse());

    // {found:false} before the first write (at it: the write is by the instruction at that position,
    // which is not before it) and after the last.
    const first = forward[0]!;
    expect(await query('prev-write', 'ticks', 0)).toEqual({ found: false });
    expect(await query('prev-write', 'ticks', first.icount)).toEqual({ found: false });
    expect(await query('prev-write', 'ticks', first.icount + 1)).toEqual(first);
    expect(await query('next-write', 'ticks', first.icount)).toEqual(first);
    expect(await query('next-write', 'ticks', forward.at(-1)!.icount + 1)).toEqual({ found: false });
    expect(await query('next-write', 'ticks', 'end')).toEqual({ found: false });
  });

  it('a 64-bit variable written one word at a time: each write shows all 8 bytes before and after', async () => {
    const { addr, len } = sym('deadline');
    expect(len).toBe(8);
    const last = await query('prev-write', 'deadline', 'end') as Write;
    expect(last.found).toBe(true);
    const state = await cliJson<State>(['query', rec, 'state', '--at', 'end', '--mem', `${hexAddr(addr)}:8`, '--json']);
    expect(state.mem).toBe(last.new); // nothing wrote it after the last write
    // The write before it is the other word of the same update (sw, sw): the 8 bytes chain up.
    const before = await query('prev-write', 'deadline', last.icount) as Write;
    expect(before.found).toBe(true);
    expect(before.new).toBe(last.old);
    for (const w of [last, before]) {
      expect(w.old).toHaveLength(16);
      expect(w.new).toHaveLength(16);
      expect(instructionAt(w.pc).spec?.kind).toBe('store');
    }
    // Exactly one 4-byte half changes, or none (a word rewritten with its own value).
    const changed = (w: Write): string => [0, 8].filter((o) => w.old.slice(o, o + 8) !== w.new.slice(o, o + 8)).join();
    expect(['', '0', '8']).toContain(changed(last));
    expect(['', '0', '8']).toContain(changed(before));
    expect(changed(last) + changed(before)).not.toBe('');
  });

  it('code that nothing writes after loading: {found:false} both ways', async () => {
    expect(await query('prev-write', '_start', 'end')).toEqual({ found: false });
    expect(await query('next-write', '_start', 0)).toEqual({ found: false });
  });
});

describe('query errors', () => {
  const fails = async (args: string[], message: RegExp): Promise<void> => {
    const r = await runCli(['query', rec, ...args]);
    expect(describeCleanFailure(r), args.join(' ')).toBeNull();
    expect(r.code, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(message);
  };

  it('an unknown symbol', async () => {
    await fails(['prev-write', 'no_such_variable', '--at', 'end', '--json'], /no symbol "no_such_variable"/);
  });

  it('a symbol of size 0', async () => {
    await fails(['prev-write', '__bss_start', '--at', 'end', '--json'], /"__bss_start" has size 0/);
  });

  it('ranges outside RAM: a device, below RAM, straddling the end of RAM, past 4 GiB', async () => {
    await fails(['prev-write', '0x10000000:4', '--at', 'end', '--json'], /not in RAM/);
    await fails(['next-write', '0x7ffffffe:4', '--at', '0', '--json'], /not in RAM/);
    await fails(['prev-write', `${hexAddr(0x80000000 + (128 << 20) - 2)}:4`, '--at', 'end', '--json'], /not in RAM/);
    await fails(['prev-write', '0x100000000:4', '--at', 'end', '--json'], /out of range/);
  });

  it('malformed ranges and positions', async () => {
    await fails(['prev-write', '0x80000000:0', '--at', 'end', '--json'], /out of range/);
    await fails(['prev-write', '0x80000000:zz', '--at', 'end', '--json'], /not ADDR:LEN|not a number/);
    await fails(['prev-write', 'ticks', '--json'], /--at/);
    await fails(['prev-write', 'ticks', '--at', 'soon', '--json'], /"soon" is not a number/);
    await fails(['prev-write', 'ticks', '--at', String(end + 1), '--json'], /past the end of the recording/);
    await fails(['prev-write', '--at', 'end', '--json'], /needs ADDR:LEN or a symbol/);
    await fails(['last-write', 'ticks', '--at', 'end', '--json'], /unknown query "last-write"/);
  });
});
