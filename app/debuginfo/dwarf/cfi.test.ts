import { describe, expect, it } from 'vitest';
import { CallFrameInfo } from './cfi.js';
import type { CfiRow } from './cfi.js';
import { unwindStack } from '../unwind/unwinder.js';
import { WarningSink } from '../warnings.js';

/** A .debug_frame section: one CIE (code align 1, data align -4, ra = x1, CFA = sp) and FDEs. */
function debugFrame(fdes: Array<{ start: number; size: number; ops: number[] }>, cieOps: number[] = [0x0c, 0x02, 0x00]): Uint8Array {
  const out: number[] = [];
  const u32 = (v: number): void => { out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); };
  const entry = (body: number[]): void => { while ((body.length + 4) % 4) body.push(0); u32(body.length); out.push(...body); };
  const cie: number[] = [];
  cie.push(0xff, 0xff, 0xff, 0xff, 3, 0, 1, 0x7c, 1, ...cieOps);
  entry(cie);
  for (const f of fdes) {
    const body: number[] = [0, 0, 0, 0];
    const b = (v: number): void => { body.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff); };
    b(f.start); b(f.size);
    body.push(...f.ops);
    entry(body);
  }
  return Uint8Array.from(out);
}

const text = (row: CfiRow | null): string => {
  if (!row) return 'none';
  const cfa = row.cfa.kind === 'reg-offset' ? `r${row.cfa.reg}+${row.cfa.offset}` : 'exp';
  const regs = [...row.regs].sort((a, b) => a[0] - b[0]).map(([r, rule]) => `r${r}:${rule.kind}${'offset' in rule ? rule.offset : ''}`);
  return [`@${row.location.toString(16)}`, cfa, ...regs].join(' ');
};

// A function at 0x1000: prologue, frame pointer set up, an epilogue inside remember/restore_state.
const FN = [
  0x42, 0x0e, 32, // advance 2; def_cfa_offset 32
  0x44, 0x81, 0x01, 0x88, 0x02, // advance 4; offset ra c-4; offset s0 c-8
  0x42, 0x0c, 0x08, 0x00, // advance 2; def_cfa s0+0
  0x0a, // remember_state
  0x48, 0x0c, 0x02, 32, 0xc1, 0x14, 0x09, 0x03, // advance 8; def_cfa sp+32; restore ra; val_offset s1 v-12
  0x42, 0x0b, // advance 2; restore_state
  0x44, 0x0e, 0x00, 0xc8, 0xc1, // advance 4; def_cfa_offset 0; restore s0; restore ra
];

describe('call frame information (DWARF 5 section 6.4)', () => {
  const sink = new WarningSink();
  const cfi = new CallFrameInfo([{ name: '.debug_frame', data: debugFrame([{ start: 0x1000, size: 0x20, ops: FN }]), addr: 0, isEh: false }], sink);

  it('runs advance_loc, def_cfa*, offset, restore, remember/restore_state and val_offset to the row for a pc', () => {
    expect(sink.list).toEqual([]);
    expect(text(cfi.rowFor(0x1000))).toBe('@1000 r2+0');
    expect(text(cfi.rowFor(0x1003))).toBe('@1002 r2+32');
    expect(text(cfi.rowFor(0x1006))).toBe('@1006 r2+32 r1:offset-4 r8:offset-8');
    expect(text(cfi.rowFor(0x1008))).toBe('@1008 r8+0 r1:offset-4 r8:offset-8');
    expect(text(cfi.rowFor(0x1010))).toBe('@1010 r2+32 r8:offset-8 r9:val-offset-12');
    expect(text(cfi.rowFor(0x1012))).toBe('@1012 r8+0 r1:offset-4 r8:offset-8');
    expect(text(cfi.rowFor(0x101f))).toBe('@1016 r8+0');
    expect(cfi.rowFor(0x1020)).toBeNull();
    expect(cfi.rowFor(0xfff)).toBeNull();
  });

  it('reports damaged entries by section and offset and keeps the others', () => {
    const good = debugFrame([{ start: 0x1000, size: 0x20, ops: FN }, { start: 0x2000, size: 0x10, ops: [0x42, 0x0e, 16] }]);
    const bad = good.slice();
    bad[bad.length - 16] = 0x40; // the second FDE's CIE pointer -> offset 0x40, not a CIE
    const s = new WarningSink();
    const c = new CallFrameInfo([{ name: '.debug_frame', data: bad, addr: 0, isEh: false }], s);
    expect(c.fdes.length).toBe(1);
    expect(s.list.every((w) => w.section === '.debug_frame')).toBe(true);
    expect(s.list.map((w) => w.message)).toContainEqual(expect.stringMatching(/FDE refers to CIE at 0x40, which is not readable/));
    // An instruction stream that restores state it never remembered: a warning, no row.
    const s2 = new WarningSink();
    const c2 = new CallFrameInfo([{ name: '.debug_frame', data: debugFrame([{ start: 0x3000, size: 8, ops: [0x0b, 0x41] }]), addr: 0, isEh: false }], s2);
    expect(c2.rowFor(0x3004)).toBeNull();
    expect(s2.list[0]!.message).toMatch(/DW_CFA_restore_state without DW_CFA_remember_state/);
  });

  it('unwinds through CFI, then through the frame pointer chain when a function has no CFI at all', () => {
    // main (0x1000, the FN above) at 0x100a has called leaf (0x2000: sp -= 16, ra at c-4) which is at 0x2004.
    const data = debugFrame([{ start: 0x1000, size: 0x20, ops: FN }, { start: 0x2000, size: 0x10, ops: [0x42, 0x0e, 16, 0x42, 0x81, 0x01] }]);
    const c = new CallFrameInfo([{ name: '.debug_frame', data, addr: 0, isEh: false }], new WarningSink());
    const mem = new Map<number, number>();
    const w32 = (a: number, v: number): void => { for (let i = 0; i < 4; i++) mem.set(a + i, (v >>> (8 * i)) & 0xff); };
    const read = (a: number, n: number): Uint8Array | null => {
      const o = new Uint8Array(n);
      for (let i = 0; i < n; i++) { const v = mem.get(a + i); if (v === undefined) return null; o[i] = v; }
      return o;
    };
    // Stack: main's frame [0x7fe0, 0x8000) with ra/s0 saved at its top; leaf's frame [0x7fd0, 0x7fe0).
    w32(0x7ffc, 0x4000); w32(0x7ff8, 0x9000); // main's caller: pc 0x4000 (no CFI), s0 0x9000
    w32(0x7fdc, 0x100a + 2); // leaf's saved ra: return into main
    // 0x4000 has no FDE: the unwinder may follow s0 (frame pointer) only if asked to.
    w32(0x9000 - 4, 0x5000); w32(0x9000 - 8, 0);
    const regs = new Array<number>(32).fill(0);
    regs[2] = 0x7fd0; regs[8] = 0x8000; regs[1] = 0x100c; regs[9] = 0x99;
    const frames = unwindStack(c, regs, 0x2004, read, { framePointerFallback: true });
    expect(frames.map((f) => [f.pc.toString(16), f.cfa?.toString(16), f.method])).toEqual([
      ['2004', '7fe0', 'cfi'],
      ['100c', '8000', 'cfi'],
      ['4000', '9000', 'frame-pointer'],
      ['5000', undefined, 'none'],
    ]);
    // Callee-saved registers come through; caller-saved ones are unknown in callers.
    expect(frames[1]!.regs[9]).toBe(0x99);
    expect(frames[1]!.regs[10]).toBeUndefined();
    expect(frames[1]!.regs[8]).toBe(0x8000);
    expect(frames[2]!.regs[8]).toBe(0x9000);
    // Without the fallback (CFI exists), a pc without CFI ends the walk.
    expect(unwindStack(c, regs, 0x2004, read).map((f) => f.pc.toString(16))).toEqual(['2004', '100c', '4000']);
  });
});
