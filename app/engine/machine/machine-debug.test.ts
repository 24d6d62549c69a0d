import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from './machine.js';
import type { WatchHit } from './stop-reason.js';

function boot(name: string): Machine {
  const bytes = readFileSync(path.resolve(import.meta.dirname, '../../../assets/firmware/elf', `${name}.elf`));
  return Machine.create({ image: { bytes } });
}
const sym = (m: Machine, name: string): number => {
  const s = m.elf.symbols.get(name);
  if (!s) throw new Error(`no symbol ${name}`);
  return s.value;
};

describe('breakpoints', () => {
  it('stop before the instruction at the address, and a run from there goes on', () => {
    const m = boot('timer');
    const putc = sym(m, 'uart_putc');
    m.setBreakpoints([putc]);
    const r1 = m.run({ maxInstructions: 1e7 });
    expect(r1).toEqual({ kind: 'breakpoint', pc: putc | 0 });
    expect(m.hart.pc >>> 0).toBe(putc);
    const first = m.icount;
    const r2 = m.run({ maxInstructions: 1e7 });
    expect(r2.kind).toBe('breakpoint');
    expect(m.icount).toBeGreaterThan(first);
  });

  it('hit at the same icounts however the run is sliced', () => {
    const hits = (slice: number): number[] => {
      const m = boot('timer');
      m.setBreakpoints([sym(m, 'handle_trap')]);
      const out: number[] = [];
      for (let i = 0; i < 20_000 && out.length < 5; i++) {
        const r = m.run({ maxInstructions: slice });
        if (r.kind === 'breakpoint') out.push(m.icount);
        if (r.kind === 'exit') break;
      }
      return out;
    };
    const a = hits(1e9);
    expect(a.length).toBe(5);
    expect(hits(997)).toEqual(a);
  });
});

describe('watchpoints', () => {
  it('a write watch stops after the writing instruction and reports its icount and pc', () => {
    const m = boot('timer');
    const ticks = sym(m, 'ticks');
    const hits: WatchHit[] = [];
    m.setWatchpoints([{ addr: ticks, len: 4, kind: 'write' }], (h) => { hits.push(h); return 'stop'; });
    const r = m.run({ maxInstructions: 1e8 });
    expect(r.kind).toBe('watchpoint');
    expect(hits).toHaveLength(1);
    const hit = hits[0]!;
    expect(hit.access).toBe('write');
    expect(hit.writer).toBe('cpu');
    // Stopped right after the store: one instruction later than the position before it.
    expect(m.icount).toBe(hit.icount + 1);
    // The reported pc holds a store instruction (opcode 0x23 or a compressed store).
    const off = hit.pc - 0x8000_0000;
    const half = m.bus.ram[off]! | (m.bus.ram[off + 1]! << 8);
    const isStore = (half & 3) === 3 ? (half & 0x7f) === 0x23 : [0xc000, 0xe000].includes(half & 0xe003) || (half & 0xe003) === 0xc002;
    expect(isStore).toBe(true);
  });

  it('a read watch stops after a load from the range', () => {
    const m = boot('timer');
    const ticks = sym(m, 'ticks');
    m.setWatchpoints([{ addr: ticks, len: 4, kind: 'read' }]);
    const r = m.run({ maxInstructions: 1e8 });
    expect(r.kind).toBe('watchpoint');
    if (r.kind === 'watchpoint') {
      expect(r.hit.access).toBe('read');
      expect(m.icount).toBe(r.hit.icount + 1);
    }
  });

  it('write watches leave the run otherwise identical', () => {
    const plain = boot('timer');
    let ra;
    do ra = plain.run({ maxInstructions: 1e8 }); while (ra.kind === 'limit');
    const watched = boot('timer');
    watched.setWatchpoints([{ addr: sym(watched, 'ticks'), len: 4, kind: 'write' }], () => 'continue');
    let rb;
    do rb = watched.run({ maxInstructions: 1e8 }); while (rb.kind === 'limit');
    expect(rb).toEqual(ra);
    expect(watched.stateHash()).toBe(plain.stateHash());
  });
});
