// Sv32 address translation (Privileged spec 20211203, 4.3): page tables built in RAM, 4 KiB pages
// and 4 MiB megapages, U/S permissions with SUM and MXR, page faults with the faulting virtual
// address in mtval, hardware A/D updates (as QEMU 7.2), satp + sfence.vma, and MPRV.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from './bare-cpu.js';
import { CSR, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import { E, NOP, csrw, li } from './test-asm.js';

const BASE = BARE_RAM_BASE | 0;
const CODE = BASE; // identity-mapped by a megapage, so S-mode code runs where it was written
const MH = BASE + 0x1000; // M-mode handler (physical): x31 += 1, spin
const ROOT = BASE + 0x10000;
const V = 1, R = 2, W = 4, X = 8, U = 16, A = 64, D = 128;
const VA = 0x40000000; // a 4 KiB page for data tests
const PA = BASE + 0x20000;
const PA2 = BASE + 0x28000;
const UCODE = 0x00400000; // a U-mode code page
const UCODE_PA = BASE + 0x30000;

class Sv32 {
  private next = ROOT + 0x1000;
  constructor(readonly cpu: BareCpu) {}
  get satp(): number {
    return (1 << 31) | (ROOT >>> 12);
  }
  private rd(pa: number): number {
    return this.cpu.bus.ram32[((pa >>> 0) - BARE_RAM_BASE) >> 2]!;
  }
  private wr(pa: number, v: number): void {
    this.cpu.writeWords(pa, [v]);
  }
  mega(va: number, pa: number, flags: number): this {
    this.wr(ROOT + 4 * (va >>> 22), (((pa >>> 12) << 10) | flags) | 0);
    return this;
  }
  page(va: number, pa: number, flags: number): this {
    const l1 = ROOT + 4 * (va >>> 22);
    if ((this.rd(l1) & V) === 0) {
      this.wr(l1, ((this.next >>> 12) << 10) | V);
      this.next += 0x1000;
    }
    this.wr(this.leafAddr(va), (((pa >>> 12) << 10) | flags) | 0);
    return this;
  }
  leafAddr(va: number): number {
    const l1 = this.rd(ROOT + 4 * (va >>> 22));
    return ((l1 >>> 10) << 12) + 4 * ((va >>> 12) & 0x3ff);
  }
  leaf(va: number): number {
    return this.rd(this.leafAddr(va));
  }
  root(va: number): number {
    return this.rd(ROOT + 4 * (va >>> 22));
  }
}

/** A hart with Sv32 on: code identity-mapped (supervisor RWX megapage), faults trapping to M. */
function sv32(priv: number, code: number[] = []): { cpu: BareCpu; pt: Sv32 } {
  const cpu = createBareCpu(1 << 20);
  const pt = new Sv32(cpu).mega(BASE, BASE, V | R | W | X | A | D);
  cpu.writeWords(CODE, code);
  cpu.writeWords(MH, [E('addi', { rd: 31, rs1: 31, imm: 1 }), E('jal', { imm: 0 })]);
  cpu.hart.mtvec = MH;
  cpu.hart.satp = pt.satp;
  cpu.hart.setPriv(priv);
  return { cpu, pt };
}
const word = (cpu: BareCpu, pa: number): number => cpu.bus.ram32[(pa - BASE) >> 2]!;
const trap = (cpu: BareCpu): number[] => [cpu.hart.x[31]!, cpu.hart.mcause, cpu.hart.mtval, cpu.hart.mepc];

describe('Sv32 translation', () => {
  it('maps a 4 KiB page: S-mode loads and stores reach its physical page', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lw', { rd: 6, rs1: 5, imm: 0x10 }), E('sw', { rs1: 5, rs2: 6, imm: 0x24 }),
      E('lui', { rd: 7, imm: 0x1000 }), E('add', { rd: 5, rs1: 5, rs2: 7 }), E('lw', { rd: 7, rs1: 5 })]);
    pt.page(VA, PA, V | R | W | A | D);
    cpu.writeWords(PA + 0x10, [0x12345678]);
    cpu.run(7);
    expect([cpu.hart.x[6], word(cpu, PA + 0x24)]).toEqual([0x12345678, 0x12345678]);
    // The next page is not mapped: a load page fault (13) with the virtual address in mtval.
    expect(trap(cpu)).toEqual([1, 13, VA + 0x1000, CODE + 24]);
  });

  it('maps a 4 MiB megapage with the low 22 bits of the address as the offset', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, 0xc0000000), ...li(6, 0x30008), E('add', { rd: 5, rs1: 5, rs2: 6 }),
      E('lw', { rd: 7, rs1: 5 })]);
    pt.mega(0xc0000000, BASE, V | R | A);
    cpu.writeWords(BASE + 0x30008, [0x0badcafe]);
    cpu.run(6);
    expect(cpu.hart.x[7]).toBe(0x0badcafe);
  });

  it('a megapage whose physical page number is not 4 MiB-aligned is a page fault', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, 0xc0000000), E('lw', { rd: 7, rs1: 5, imm: 4 })]);
    pt.mega(0xc0000000, BASE + 0x1000, V | R | A);
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 13, 0xc0000004 | 0, CODE + 8]);
  });

  it('invalid entries fault: V = 0, W without R, and a pointer at the last level', () => {
    for (const [flags, viaPointer] of [[R | A, false], [V | W | A | D, false], [V, true]] as const) {
      const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lw', { rd: 7, rs1: 5 })]);
      pt.page(VA, PA, flags);
      if (viaPointer) pt.page(VA, BASE + 0x40000, V); // a non-leaf entry in the level-0 table
      cpu.run(3);
      expect(trap(cpu), `flags ${flags}`).toEqual([1, 13, VA, CODE + 8]);
    }
  });

  it('U-mode may only use U pages: load 13, store 15 and fetch 12 otherwise', () => {
    const { cpu, pt } = sv32(PRIV_U);
    pt.page(UCODE, UCODE_PA, V | R | X | U | A);
    pt.page(VA, PA, V | R | W | A | D); // supervisor page
    cpu.writeWords(UCODE_PA, [...li(5, VA), E('lw', { rd: 6, rs1: 5 }), NOP]);
    cpu.hart.pc = UCODE;
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 13, VA, UCODE + 8]);

    cpu.writeWords(UCODE_PA, [...li(5, VA), E('sw', { rs1: 5, rs2: 0, imm: 8 })]);
    Object.assign(cpu.hart, { pc: UCODE, mcause: 0 });
    cpu.hart.x[31] = 0;
    cpu.hart.setPriv(PRIV_U);
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 15, VA + 8, UCODE + 8]);

    Object.assign(cpu.hart, { pc: CODE + 0x100, mcause: 0 });
    cpu.hart.x[31] = 0;
    cpu.hart.setPriv(PRIV_U);
    cpu.run(1);
    expect(trap(cpu)).toEqual([1, 12, CODE + 0x100, CODE + 0x100]);
  });

  it('S-mode reads and writes U pages only with SUM, and never executes them', () => {
    for (const sum of [0, MSTATUS.SUM]) {
      const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lw', { rd: 6, rs1: 5 }), E('sw', { rs1: 5, rs2: 6, imm: 4 })]);
      pt.page(VA, PA, V | R | W | U | A | D);
      cpu.writeWords(PA, [77]);
      cpu.hart.mstatus = sum;
      cpu.run(4);
      if (sum) expect([cpu.hart.x[31], word(cpu, PA + 4)]).toEqual([0, 77]);
      else expect(trap(cpu)).toEqual([1, 13, VA, CODE + 8]);
    }
    const { cpu, pt } = sv32(PRIV_S);
    pt.page(UCODE, UCODE_PA, V | R | W | X | U | A | D);
    cpu.writeWords(UCODE_PA, [NOP]);
    cpu.hart.mstatus = MSTATUS.SUM;
    cpu.hart.pc = UCODE;
    cpu.run(1);
    expect(trap(cpu)).toEqual([1, 12, UCODE, UCODE]);
  });

  it('MXR makes execute-only pages readable; stores to read-only pages and AMOs on them fault with 15', () => {
    for (const mxr of [0, MSTATUS.MXR]) {
      const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lw', { rd: 6, rs1: 5 })]);
      pt.page(VA, PA, V | X | A);
      cpu.writeWords(PA, [55]);
      cpu.hart.mstatus = mxr;
      cpu.run(3);
      expect(mxr ? [cpu.hart.x[31], cpu.hart.x[6]] : trap(cpu)).toEqual(mxr ? [0, 55] : [1, 13, VA, CODE + 8]);
    }
    for (const insn of [E('sw', { rs1: 5, rs2: 0 }), E('amoadd.w', { rd: 6, rs1: 5, rs2: 0 }), E('sc.w', { rd: 6, rs1: 5 })]) {
      const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lr.w', { rd: 7, rs1: 5 }), insn]);
      pt.page(VA, PA, V | R | A | D);
      cpu.run(4);
      expect(trap(cpu)).toEqual([1, 15, VA, CODE + 12]);
    }
    // LR needs read permission: a load page fault.
    const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), E('lr.w', { rd: 7, rs1: 5 })]);
    pt.page(VA, PA, V | X | A);
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 13, VA, CODE + 8]);
  });

  it('sets A on fetch and load, and A and D on store, in the page table entry', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, VA), ...li(6, VA + 0x1000), E('lw', { rd: 7, rs1: 5 }), E('sw', { rs1: 6, rs2: 7 }),
      ...li(8, UCODE), E('jalr', { rs1: 8 })]);
    pt.page(VA, PA, V | R | W);
    pt.page(VA + 0x1000, PA + 0x1000, V | R | W);
    pt.page(UCODE, UCODE_PA, V | X);
    cpu.writeWords(UCODE_PA, [NOP, NOP]);
    cpu.run(10);
    expect([cpu.hart.x[31], cpu.hart.pc]).toEqual([0, UCODE + 4]);
    expect(pt.leaf(VA) & (A | D)).toBe(A);
    expect(pt.leaf(VA + 0x1000) & (A | D)).toBe(A | D);
    expect(pt.leaf(UCODE) & (A | D)).toBe(A);
  });

  it('sets A and D in a megapage entry', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, 0xc0040000), E('sw', { rs1: 5, rs2: 0 })]);
    pt.mega(0xc0000000, BASE, V | R | W);
    cpu.run(3);
    expect(pt.root(0xc0000000) & (A | D)).toBe(A | D);
  });

  it('a satp write enables translation, and sfence.vma makes a changed PTE visible', () => {
    // S-mode starts bare; the code is identity-mapped once translation is on, so it keeps running.
    const { cpu, pt } = sv32(PRIV_S);
    pt.page(VA, PA, V | R | A);
    cpu.writeWords(PA, [111]);
    cpu.writeWords(PA2, [222]);
    const newPte = ((PA2 >>> 12) << 10) | V | R | A;
    cpu.writeWords(CODE, [...li(5, pt.satp), csrw(CSR.satp, 5), E('sfence.vma'), ...li(6, VA), E('lw', { rd: 7, rs1: 6 }),
      ...li(8, pt.leafAddr(VA)), ...li(9, newPte), E('sw', { rs1: 8, rs2: 9 }), E('sfence.vma'), E('lw', { rd: 10, rs1: 6 })]);
    cpu.hart.satp = 0;
    cpu.hart.updateTranslation();
    cpu.run(14);
    expect([cpu.hart.x[31], cpu.hart.x[7], cpu.hart.x[10]]).toEqual([0, 111, 222]);
  });

  it('MPRV makes M-mode loads and stores use MPP privilege and translation, but not fetches', () => {
    const run = (mstatus: number, flags: number): BareCpu => {
      const { cpu, pt } = sv32(PRIV_M, [...li(5, VA), E('lw', { rd: 6, rs1: 5 }), E('sw', { rs1: 5, rs2: 6, imm: 4 })]);
      pt.page(VA, PA, flags);
      cpu.writeWords(PA, [42]);
      cpu.hart.mstatus = mstatus;
      cpu.hart.updateTranslation();
      cpu.run(4);
      return cpu;
    };
    const s = run(MSTATUS.MPRV | (PRIV_S << MSTATUS.MPP_SHIFT), V | R | W | A | D);
    expect([s.hart.x[31], s.hart.x[6], word(s, PA + 4)]).toEqual([0, 42, 42]);
    // MPP = U: the supervisor page is not accessible.
    expect(trap(run(MSTATUS.MPRV | (PRIV_U << MSTATUS.MPP_SHIFT), V | R | W | A | D))).toEqual([1, 13, VA, CODE + 8]);
    // MPP = U on a U page works; SUM is irrelevant for U.
    expect(run(MSTATUS.MPRV, V | R | W | U | A | D).hart.x[6]).toBe(42);
    // MPRV with MPP = M, or MPRV clear: physical addresses (VA is not RAM: access fault 5).
    for (const m of [MSTATUS.MPRV | (PRIV_M << MSTATUS.MPP_SHIFT), PRIV_S << MSTATUS.MPP_SHIFT]) {
      expect(trap(run(m, V | R | W | A | D))).toEqual([1, 5, VA, CODE + 8]);
    }
  });

  it('a page fault delegated by medeleg goes to S-mode with the virtual address in stval', () => {
    const { cpu, pt } = sv32(PRIV_U);
    pt.page(UCODE, UCODE_PA, V | R | X | U | A);
    cpu.writeWords(UCODE_PA, [...li(5, VA + 0x123), E('sw', { rs1: 5, rs2: 0 })]);
    cpu.writeWords(BASE + 0x2000, [E('addi', { rd: 30, rs1: 30, imm: 1 }), E('jal', { imm: 0 })]);
    cpu.hart.stvec = BASE + 0x2000;
    cpu.hart.medeleg = 1 << 15;
    cpu.hart.pc = UCODE;
    cpu.run(4);
    const h = cpu.hart;
    expect([h.priv, h.scause, h.stval, h.sepc, h.x[30], h.x[31]]).toEqual([PRIV_S, 15, VA + 0x123, UCODE + 8, 1, 0]);
  });

  it('a misaligned load across two pages reads each byte through its own mapping', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, VA + 0xffe), E('lw', { rd: 6, rs1: 5 }), E('lhu', { rd: 7, rs1: 5, imm: 1 })]);
    pt.page(VA, PA, V | R | A).page(VA + 0x1000, PA2, V | R | A);
    cpu.writeWords(PA + 0xffc, [0x2211ffff | 0]);
    cpu.writeWords(PA2, [0xeeee4433 | 0]);
    cpu.run(4);
    expect([cpu.hart.x[31], cpu.hart.x[6], cpu.hart.x[7]]).toEqual([0, 0x44332211, 0x3322]);
  });

  it('a misaligned store whose second page faults writes nothing, with mtval at that page', () => {
    const { cpu, pt } = sv32(PRIV_S, [...li(5, VA + 0xffe), ...li(6, 0x44332211), E('sw', { rs1: 5, rs2: 6 })]);
    pt.page(VA, PA, V | R | W | A | D).page(VA + 0x1000, PA2, V | R | A);
    cpu.run(5);
    expect(trap(cpu)).toEqual([1, 15, VA + 0x1000, CODE + 16]);
    expect([word(cpu, PA + 0xffc), word(cpu, PA2)]).toEqual([0, 0]);
  });
});

describe('instructions straddling a page boundary', () => {
  const ADDI = E('addi', { rd: 5, rs1: 5, imm: 1 });
  const ADDI2 = E('addi', { rd: 5, rs1: 5, imm: 2 });

  it('a 32-bit instruction at page offset 0xffe is fetched from two non-contiguous pages', () => {
    const { cpu, pt } = sv32(PRIV_S);
    pt.page(UCODE, UCODE_PA, V | R | X | A).page(UCODE + 0x1000, PA2, V | R | X | A);
    cpu.writeHalves(UCODE_PA + 0xffe, [ADDI & 0xffff]);
    cpu.writeHalves(PA2, [ADDI >>> 16, NOP & 0xffff, NOP >>> 16]);
    cpu.hart.pc = UCODE + 0xffe;
    cpu.run(2);
    expect([cpu.hart.x[31], cpu.hart.x[5], cpu.hart.pc]).toEqual([0, 1, UCODE + 0x1006]);
  });

  it('faults with mepc at the instruction and mtval at the second page when that page is unmapped', () => {
    const { cpu, pt } = sv32(PRIV_S);
    pt.page(UCODE, UCODE_PA, V | R | X | A);
    cpu.writeWords(UCODE_PA + 0xff8, [NOP]);
    cpu.writeHalves(UCODE_PA + 0xffc, [0x0001, ADDI & 0xffff]); // c.nop, then the low half
    cpu.hart.pc = UCODE + 0xff8;
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 12, UCODE + 0x1000, UCODE + 0xffe]);
    expect(cpu.hart.icount).toBe(3);
  });

  it('after the second page is remapped and sfence.vma runs, the new bytes execute', () => {
    const { cpu, pt } = sv32(PRIV_S);
    pt.page(UCODE, UCODE_PA, V | R | X | A).page(UCODE + 0x1000, PA, V | R | X | A);
    // Loop: the straddling instruction, then jump back to it (c.j -4 at UCODE + 0x1002).
    const cj = 0xbff5; // c.j -4
    cpu.writeHalves(UCODE_PA + 0xffe, [ADDI & 0xffff]);
    cpu.writeHalves(PA, [ADDI >>> 16, cj]);
    cpu.writeHalves(PA2, [ADDI2 >>> 16, cj]);
    cpu.hart.pc = UCODE + 0xffe;
    cpu.run(4);
    expect([cpu.hart.x[31], cpu.hart.x[5], cpu.hart.pc]).toEqual([0, 2, UCODE + 0xffe]);
    cpu.writeWords(pt.leafAddr(UCODE + 0x1000), [((PA2 >>> 12) << 10) | V | R | X | A]);
    cpu.writeWords(BASE + 0x40, [E('sfence.vma'), E('jalr', { rs1: 7 })]);
    cpu.hart.x[7] = UCODE + 0xffe;
    cpu.hart.pc = BASE + 0x40;
    cpu.run(2 + 4);
    expect([cpu.hart.x[31], cpu.hart.x[5]]).toEqual([0, 2 + 2 * 2]);
    // Unmapped: the cached instruction must not run; its fetch faults on the second page.
    cpu.writeWords(pt.leafAddr(UCODE + 0x1000), [0]);
    cpu.hart.pc = BASE + 0x40;
    cpu.run(3);
    expect(trap(cpu)).toEqual([1, 12, UCODE + 0x1000, UCODE + 0xffe]);
    expect(cpu.hart.x[5]).toBe(6);
  });
});
