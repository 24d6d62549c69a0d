// The executor's promises: compiled blocks never run stale code (self-modifying code, fence.i,
// instructions straddling two pages), and a run can stop at any exact instruction count with the
// same state as an uninterrupted run — the property replay and reverse execution are built on.

import { describe, expect, it } from 'vitest';
import { BARE_RAM_BASE, createBareCpu, type BareCpu } from './bare-cpu.js';
import { CSR, PRIV_U } from './csr-numbers.js';
import { E, ECALL, ILLEGAL, MRET, NOP, Program, csrr, csrw, prng } from './test-asm.js';

const BASE = BARE_RAM_BASE | 0;
const ADDI1 = E('addi', { rd: 5, rs1: 5, imm: 1 });
const ADDI2 = E('addi', { rd: 5, rs1: 5, imm: 2 });

describe('self-modifying code', () => {
  it('a store that overwrites a later instruction of the same block runs the new instruction', () => {
    const cpu = createBareCpu(1 << 16);
    const p = new Program(BASE).la(6, 'target').li(7, ADDI2).w(E('sw', { rs1: 6, rs2: 7 }), NOP).label('target').w(ADDI1, ECALL).load(cpu);
    expect(p.addr('target') - BASE).toBe(24);
    cpu.run(7);
    expect(cpu.hart.x[5]).toBe(2);
  });

  it('a store that overwrites an instruction of an already-compiled block runs the new one next time', () => {
    const cpu = createBareCpu(1 << 16);
    // loop: (body) addi x5 += 1 ; x8 -= 1 ; bnez x8 body ; rewrite body ; j loop
    new Program(BASE)
      .li(8, 3).la(6, 'body').li(7, ADDI2)
      .label('body').w(ADDI1, E('addi', { rd: 8, rs1: 8, imm: -1 })).branch('bne', 8, 0, 'body')
      .w(E('sw', { rs1: 6, rs2: 7 }), E('addi', { rd: 8, imm: 2 })).jal(0, 'body')
      .load(cpu);
    cpu.run(6 + 3 * 3 + 3 + 2 * 3);
    expect(cpu.hart.x[5]).toBe(3 + 2 * 2);
  });

  it('fence.i after rewriting code, then jumping to it, runs the new code', () => {
    const cpu = createBareCpu(1 << 16);
    new Program(BASE).la(6, 'f').li(7, ADDI2).w(E('sw', { rs1: 6, rs2: 7 }), E('fence.i')).jal(1, 'f').w(ECALL)
      .label('f').w(ADDI1, E('jalr', { rs1: 1 }))
      .load(cpu);
    cpu.run(9);
    expect(cpu.hart.x[5]).toBe(2);
  });

  it('a halfword store rewriting a compressed instruction, or half of a 32-bit one, takes effect', () => {
    const cpu = createBareCpu(1 << 16);
    const cAddi5 = (5 << 7) | (5 << 2) | 1; // c.addi x5, 5
    const cAddi7 = (5 << 7) | (7 << 2) | 1;
    new Program(BASE)
      .la(6, 'loop').li(7, cAddi7).li(9, ADDI2 >>> 16).label('loop')
      .h(cAddi5, 0x0001).w(ADDI1) // c.addi x5, 5 ; c.nop ; addi x5, x5, 1
      .w(E('sh', { rs1: 6, rs2: 7 }), E('sh', { rs1: 6, rs2: 9, imm: 6 })).jal(0, 'loop')
      .load(cpu);
    // The first pass adds 5 + 1, the second 7 + 2.
    cpu.run(6 + 6 + 4);
    expect(cpu.hart.x[5]).toBe(5 + 1 + 7 + 2);
  });

  it('code rewritten from outside the CPU (a host write or device DMA) is re-decoded', () => {
    const cpu = createBareCpu(1 << 16);
    cpu.writeWords(BASE, [ADDI1, E('jal', { imm: -4 })]);
    cpu.run(4);
    expect(cpu.hart.x[5]).toBe(2);
    cpu.bus.dmaWrite(BASE, Uint8Array.of(ADDI2 & 0xff, (ADDI2 >>> 8) & 0xff, (ADDI2 >>> 16) & 0xff, ADDI2 >>> 24));
    cpu.run(4);
    expect(cpu.hart.x[5]).toBe(2 + 2 * 2);
  });

  // Upper: the immediate 1 -> 2. Lower: rd x5 -> x6 (the new instruction is addi x6, x5, 1).
  for (const [half, NEW, x5, x6] of [['upper', ADDI2, 1 + 2 + 2, 0], ['lower', E('addi', { rd: 6, rs1: 5, imm: 1 }), 1, 2]] as const) {
    it(`a store rewriting the ${half} half of an instruction straddling two pages runs the new instruction`, () => {
      const cpu = createBareCpu(1 << 16);
      const at = BASE + 0xffe;
      // at: addi x5, x5, 1 (straddles) ; sh x7, 0(x8) ; jal x0, at
      cpu.writeHalves(at, [ADDI1 & 0xffff, ADDI1 >>> 16]);
      cpu.writeWords(at + 4, [E('sh', { rs1: 8, rs2: 7 }), E('jal', { imm: -8 })]);
      cpu.hart.x[8] = half === 'upper' ? at + 2 : at;
      cpu.hart.x[7] = half === 'upper' ? NEW >>> 16 : NEW & 0xffff;
      cpu.hart.pc = at;
      cpu.run(3 * 3);
      expect([cpu.hart.x[5], cpu.hart.x[6]]).toEqual([x5, x6]);
    });
  }
});

describe('exact instruction counts', () => {
  const TOTAL = 5000;

  interface Workload {
    readonly name: string;
    /** Writes the program and sets the hart up. */
    load(cpu: BareCpu): void;
    /** Everything the program can change, as one comparable string. */
    state(cpu: BareCpu): string;
  }
  const hartState = (cpu: BareCpu): unknown[] => {
    const h = cpu.hart;
    return [h.icount, h.pc, h.priv, h.mstatus, h.mepc, h.mcause, h.mscratch, h.sepc, h.scause, h.stval, h.reservation, ...h.x];
  };
  const words = (cpu: BareCpu, pa: number, n: number): number[] =>
    Array.from(cpu.bus.ram32.subarray((pa - BASE) >> 2, ((pa - BASE) >> 2) + n));

  const DATA = BASE + 0x3000;
  /** M-mode: loads, stores (misaligned too), branches, CSR accesses, traps, atomics, compressed and self-modifying code. */
  const machineMode: Workload = {
    name: 'an M-mode loop with traps, CSRs, atomics and self-modifying code',
    load(cpu) {
      const p = new Program(BASE);
      p.li(8, DATA).li(9, 400).la(5, 'handler').w(csrw(CSR.mtvec, 5), csrw(CSR.mscratch, 0)).la(17, 'smc').li(16, 1 << 20);
      p.label('loop').w(
        E('lw', { rd: 5, rs1: 8 }), E('addi', { rd: 5, rs1: 5, imm: 3 }), E('sw', { rs1: 8, rs2: 5 }),
        E('lbu', { rd: 6, rs1: 8, imm: 5 }), E('add', { rd: 7, rs1: 7, rs2: 6 }), E('sw', { rs1: 8, rs2: 7, imm: 9 }),
        E('lh', { rd: 15, rs1: 8, imm: 9 }), csrr(28, CSR.minstret), E('sw', { rs1: 8, rs2: 28, imm: 16 }),
        csrr(29, CSR.mcycle), E('xor', { rd: 30, rs1: 30, rs2: 29 }), E('csrrw', { rd: 12, rs1: 30, csr: CSR.mscratch }),
        E('andi', { rd: 31, rs1: 9, imm: 7 }));
      p.branch('bne', 31, 0, 'skip').w(ECALL).label('skip').w(E('andi', { rd: 31, rs1: 9, imm: 13 }));
      p.branch('bne', 31, 0, 'skip2').w(ILLEGAL).label('skip2').w(
        E('addi', { rd: 11, rs1: 8, imm: 32 }), E('amoadd.w', { rd: 10, rs1: 11, rs2: 9 }), E('lr.w', { rd: 12, rs1: 11 }),
        E('sc.w', { rd: 13, rs1: 11, rs2: 9 }), E('mul', { rd: 12, rs1: 5, rs2: 9 }), E('divu', { rd: 13, rs1: 12, rs2: 6 }));
      p.h(0x14fd, 0x0001); // c.addi x9, -1 ; c.nop
      p.w(E('lw', { rd: 14, rs1: 17 }), E('xor', { rd: 14, rs1: 14, rs2: 16 }), E('sw', { rs1: 17, rs2: 14 }));
      p.label('smc').w(E('addi', { rd: 18, rs1: 18, imm: 1 })); // toggles between +1 and +0
      p.branch('bne', 9, 0, 'loop').label('done').jal(0, 'done');
      p.label('handler').w(csrr(14, CSR.mcause), E('add', { rd: 19, rs1: 19, rs2: 14 }), csrr(14, CSR.mepc),
        E('addi', { rd: 14, rs1: 14, imm: 4 }), csrw(CSR.mepc, 14), MRET);
      p.load(cpu);
      cpu.hart.mstatus = 3 << 11;
    },
    state: (cpu) => JSON.stringify([...hartState(cpu), ...words(cpu, DATA, 12), ...words(cpu, BASE, 64)]),
  };

  // U-mode under Sv32 with demand paging: a page is mapped by the S-mode page-fault handler and
  // unmapped again (PTE cleared, sfence.vma) by the ecall handler, so TLB and block-cache flushes
  // happen all the time.
  const ROOT = BASE + 0x10000;
  const UCODE = 0x00400000, UDATA = 0x00800000, DEMAND = 0x00c00000;
  const UCODE_PA = BASE + 0x30000, UDATA_PA = BASE + 0x31000, DEMAND_PA = BASE + 0x32000;
  const pte = (pa: number, flags: number): number => (((pa >>> 12) << 10) | flags) | 0;
  /** One level-0 table per 4 MiB region, after the root. */
  const table = (va: number): number => ROOT + 0x1000 * (va >>> 22);
  const leaf = (va: number): number => table(va) + 4 * ((va >>> 12) & 0x3ff);
  const userMode: Workload = {
    name: 'a U-mode loop under Sv32 with S-mode demand paging',
    load(cpu) {
      cpu.writeWords(ROOT + 4 * (BASE >>> 22), [pte(BASE, 0xcf)]); // supervisor RWX megapage, A and D set
      for (const va of [UCODE, UDATA, DEMAND]) cpu.writeWords(ROOT + 4 * (va >>> 22), [pte(table(va), 1)]);
      cpu.writeWords(leaf(UCODE), [pte(UCODE_PA, 0x5b)]); // U R X A
      cpu.writeWords(leaf(UDATA), [pte(UDATA_PA, 0xd7)]); // U R W A D
      const u = new Program(UCODE);
      u.li(8, UDATA).li(9, DEMAND).li(18, 300);
      u.label('loop').w(E('lw', { rd: 5, rs1: 8 }), E('addi', { rd: 5, rs1: 5, imm: 1 }), E('sw', { rs1: 8, rs2: 5 }),
        E('lw', { rd: 6, rs1: 9 }), E('add', { rd: 7, rs1: 7, rs2: 6 }), E('addi', { rd: 6, rs1: 6, imm: 3 }), E('sw', { rs1: 9, rs2: 6 }),
        E('andi', { rd: 28, rs1: 18, imm: 3 }));
      u.branch('bne', 28, 0, 'skip').w(ECALL).label('skip').w(csrr(29, CSR.instret), csrr(30, CSR.cycle));
      u.h(0x197d, 0x0001); // c.addi x18, -1 ; c.nop
      u.branch('bne', 18, 0, 'loop').label('done').jal(0, 'done');
      u.load(cpu, UCODE_PA);
      // S-mode handler: a page fault maps DEMAND; an ecall unmaps it and skips the ecall.
      new Program(BASE + 0x2000)
        .w(csrr(20, CSR.scause), E('addi', { rd: 21, imm: 8 })).branch('beq', 20, 21, 'ecall')
        .li(22, leaf(DEMAND)).li(23, pte(DEMAND_PA, 0xd7)).w(E('sw', { rs1: 22, rs2: 23 }), E('sfence.vma'))
        .w(E('addi', { rd: 25, rs1: 25, imm: 1 }), E('sret'))
        .label('ecall').li(22, leaf(DEMAND)).w(E('sw', { rs1: 22, rs2: 0 }), E('sfence.vma'), csrr(24, CSR.sepc),
          E('addi', { rd: 24, rs1: 24, imm: 4 }), csrw(CSR.sepc, 24), E('sret'))
        .load(cpu);
      const h = cpu.hart;
      Object.assign(h, { stvec: BASE + 0x2000, medeleg: (1 << 8) | (1 << 13) | (1 << 15), mcounteren: -1, scounteren: -1 });
      h.satp = (1 << 31) | (ROOT >>> 12);
      h.pc = UCODE;
      h.setPriv(PRIV_U);
    },
    state: (cpu) => JSON.stringify([...hartState(cpu), ...words(cpu, UDATA_PA, 2), ...words(cpu, DEMAND_PA, 2),
      ...words(cpu, table(DEMAND), 0x400)]),
  };

  const references = new Map<Workload, string[]>();
  /** The state after every single instruction, from one-instruction runs. */
  function reference(w: Workload): string[] {
    let states = references.get(w);
    if (states) return states;
    const cpu = createBareCpu(1 << 20);
    w.load(cpu);
    states = [w.state(cpu)];
    for (let n = 1; n <= TOTAL; n++) {
      expect(cpu.run(1)).toBe(1);
      states.push(w.state(cpu));
    }
    references.set(w, states);
    return states;
  }

  for (const w of [machineMode, userMode]) {
    it(`${w.name}: one long run and runs of random sizes stop at exactly the requested count, with the same state`, () => {
      const ref = reference(w);
      const whole = createBareCpu(1 << 20);
      w.load(whole);
      expect(whole.run(TOTAL)).toBe(TOTAL);
      expect(w.state(whole)).toBe(ref[TOTAL]);
      for (const seed of [1, 2, 3, 4]) {
        const r = prng(seed);
        const cpu = createBareCpu(1 << 20);
        w.load(cpu);
        let at = 0;
        while (at < TOTAL) {
          // Mostly short slices, which end inside blocks; sometimes long ones.
          const n = Math.min(TOTAL - at, (r() >>> 0) % 8 === 0 ? 1 + ((r() >>> 0) % 300) : 1 + ((r() >>> 0) % 12));
          expect(cpu.run(n)).toBe(n);
          at += n;
          if (w.state(cpu) !== ref[at]) expect(w.state(cpu), `seed ${seed} at icount ${at}`).toBe(ref[at]);
        }
      }
    });

    it(`${w.name}: running N instructions for every N up to 300 lands on icount N with the reference state`, () => {
      const ref = reference(w);
      for (let n = 0; n <= 300; n++) {
        const cpu = createBareCpu(1 << 20);
        w.load(cpu);
        expect(cpu.run(n)).toBe(n);
        if (w.state(cpu) !== ref[n]) expect(w.state(cpu), `N = ${n}`).toBe(ref[n]);
      }
    });
  }

  it('the workloads do what they are meant to (traps, page faults, self-modification)', () => {
    const m = createBareCpu(1 << 20);
    machineMode.load(m);
    m.run(TOTAL);
    expect(m.hart.x[19]).toBeGreaterThan(0); // mcause sum: ecalls and illegal instructions trapped
    const u = createBareCpu(1 << 20);
    userMode.load(u);
    u.run(TOTAL);
    expect(u.hart.priv).toBe(PRIV_U);
    expect(u.hart.x[18]).toBeLessThan(300 - 100); // many iterations
    expect(u.hart.x[25]).toBeGreaterThan(30); // page faults handled by mapping the page
    expect(u.bus.ram32[(DEMAND_PA - BASE) >> 2]).toBeGreaterThan(100);
  });
});
