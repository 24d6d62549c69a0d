import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.js';
import { ElfError } from '../loader/elf.js';

const firmware = (name: string): Uint8Array =>
  readFileSync(path.resolve(import.meta.dirname, '../../../assets/firmware/elf', `${name}.elf`));

function boot(name: string): { m: Machine; out: () => string } {
  const m = Machine.create({ image: { bytes: firmware(name) } });
  let text = '';
  m.onUartOutput = (b) => { text += String.fromCharCode(b); };
  return { m, out: () => text };
}

function runToEnd(m: Machine, slice = 1 << 24): ReturnType<Machine['run']> {
  for (;;) {
    const r = m.run({ maxInstructions: slice });
    if (r.kind !== 'limit') return r;
  }
}

describe('Machine', () => {
  it('boots through the reset ROM with a0 = hart id and a1 = the DTB address', () => {
    const { m, out } = boot('hello');
    const r = runToEnd(m);
    expect(r).toEqual({ kind: 'exit', code: 0, source: expect.any(String) });
    expect(out()).toContain('hello from hart 0');
    expect(out()).toContain(`dtb at 0x${m.fdtAddr.toString(16)}`);
    expect(out()).toContain('dtb magic 0xd00dfeed');
  });

  it('returns at the target when awake, even if the asked-for guest time is out of reach', () => {
    // A moment of a sleep that does not happen here (a diverted replay): never spin waiting for it.
    const { m } = boot('workload');
    m.run({ maxInstructions: 1000 });
    expect(m.hart.waiting).toBe(false);
    expect(m.run({ maxInstructions: 0, untilTicks: m.hart.ticks() + 1_000_000 })).toEqual({ kind: 'limit' });
    expect(m.icount).toBe(1000);
  });

  it('stops at exactly the requested instruction count', () => {
    const { m } = boot('workload');
    for (const n of [1, 5, 6, 7, 1000, 12345]) {
      const before = m.icount;
      expect(m.run({ maxInstructions: n })).toEqual({ kind: 'limit' });
      expect(m.icount).toBe(before + n);
    }
  });

  it('gives the same output and state whatever the slice sizes (timer interrupts included)', () => {
    const a = boot('timer');
    const ra = runToEnd(a.m);
    const b = boot('timer');
    let seed = 12345;
    let rb;
    do {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      rb = b.m.run({ maxInstructions: 1 + (seed % 5000) });
    } while (rb.kind === 'limit');
    expect(rb).toEqual(ra);
    expect(b.out()).toBe(a.out());
    expect(b.m.icount).toBe(a.m.icount);
    expect(b.m.stateHash()).toBe(a.m.stateHash());
  });

  it('save -> load -> save gives the same bytes', () => {
    const { m } = boot('timer');
    m.run({ maxInstructions: 300_000 });
    const s1 = m.saveState();
    const { m: other } = boot('timer');
    other.loadState(s1);
    expect(other.saveState()).toEqual(s1);
  });

  it('N more steps after a restore give identical state and output', () => {
    const { m, out } = boot('timer');
    m.run({ maxInstructions: 250_000 });
    const snap = m.saveFull();
    const mark = out().length;
    m.run({ maxInstructions: 400_000 });
    const hashA = m.stateHash();
    const outA = out().slice(mark);
    const { m: m2, out: out2 } = boot('timer');
    m2.restoreFull(snap);
    m2.run({ maxInstructions: 400_000 });
    expect(m2.stateHash()).toBe(hashA);
    expect(out2()).toBe(outA);
  });

  it('refuses a state made by another format version with a clear error', () => {
    const { m } = boot('hello');
    const s = m.saveState();
    s[4] = 99;
    expect(() => m.loadState(s)).toThrow(/made by format version 99, this is version 1/);
  });

  it('rejects a non-RISC-V ELF with an ElfError naming the machine', () => {
    const bytes = firmware('hello').slice();
    bytes[18] = 62; // e_machine = x86-64
    bytes[19] = 0;
    expect(() => Machine.create({ image: { bytes } })).toThrow(ElfError);
    expect(() => Machine.create({ image: { bytes } })).toThrow(/x86-64/);
  });
});
