// CSR addresses and bit fields used by the hart (Privileged spec 20211203, chapter 2 table 2.2-2.5,
// sections 3.1 and 4.1).

export const CSR = {
  // Unprivileged counters (read-only aliases)
  cycle: 0xc00, time: 0xc01, instret: 0xc02, cycleh: 0xc80, timeh: 0xc81, instreth: 0xc82,
  // Supervisor
  sstatus: 0x100, sie: 0x104, stvec: 0x105, scounteren: 0x106, senvcfg: 0x10a,
  sscratch: 0x140, sepc: 0x141, scause: 0x142, stval: 0x143, sip: 0x144, satp: 0x180,
  // Machine information
  mvendorid: 0xf11, marchid: 0xf12, mimpid: 0xf13, mhartid: 0xf14, mconfigptr: 0xf15,
  // Machine trap setup and handling
  mstatus: 0x300, misa: 0x301, medeleg: 0x302, mideleg: 0x303, mie: 0x304, mtvec: 0x305, mcounteren: 0x306,
  menvcfg: 0x30a, mstatush: 0x310, menvcfgh: 0x31a, mcountinhibit: 0x320,
  mscratch: 0x340, mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344,
  // PMP (kept as storage: this machine does not enforce PMP; see README)
  pmpcfg0: 0x3a0, pmpaddr0: 0x3b0,
  // Machine counters
  mcycle: 0xb00, minstret: 0xb02, mcycleh: 0xb80, minstreth: 0xb82,
  mhpmcounter3: 0xb03, mhpmcounter3h: 0xb83, mhpmevent3: 0x323,
} as const;

export const MSTATUS = {
  SIE: 1 << 1, MIE: 1 << 3, SPIE: 1 << 5, MPIE: 1 << 7, SPP: 1 << 8,
  MPP_SHIFT: 11, MPP: 3 << 11, MPRV: 1 << 17, SUM: 1 << 18, MXR: 1 << 19, TVM: 1 << 20, TW: 1 << 21, TSR: 1 << 22,
} as const;

/** The mstatus bits software can write (no F/V extensions, little-endian only). */
export const MSTATUS_WRITABLE = MSTATUS.SIE | MSTATUS.MIE | MSTATUS.SPIE | MSTATUS.MPIE | MSTATUS.SPP |
  MSTATUS.MPP | MSTATUS.MPRV | MSTATUS.SUM | MSTATUS.MXR | MSTATUS.TVM | MSTATUS.TW | MSTATUS.TSR;

/** The view of mstatus that sstatus gives. */
export const SSTATUS_MASK = MSTATUS.SIE | MSTATUS.SPIE | MSTATUS.SPP | MSTATUS.SUM | MSTATUS.MXR;

/** Interrupt bits of mip/mie. */
export const IRQ = { SSI: 1, MSI: 3, STI: 5, MTI: 7, SEI: 9, MEI: 11 } as const;
export const MIP_SSIP = 1 << IRQ.SSI, MIP_MSIP = 1 << IRQ.MSI, MIP_STIP = 1 << IRQ.STI;
export const MIP_MTIP = 1 << IRQ.MTI, MIP_SEIP = 1 << IRQ.SEI, MIP_MEIP = 1 << IRQ.MEI;
export const S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
export const ALL_INTERRUPTS = S_INTERRUPTS | MIP_MSIP | MIP_MTIP | MIP_MEIP;
/** Interrupts in the order the hart takes them when several are pending (Privileged spec 3.1.9). */
export const IRQ_PRIORITY = [IRQ.MEI, IRQ.MSI, IRQ.MTI, IRQ.SEI, IRQ.SSI, IRQ.STI] as const;

/** Synchronous exception causes (mcause values with the interrupt bit clear). */
export const EXC = {
  INSN_MISALIGNED: 0, INSN_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3, LOAD_MISALIGNED: 4, LOAD_ACCESS: 5,
  STORE_MISALIGNED: 6, STORE_ACCESS: 7, ECALL_U: 8, ECALL_S: 9, ECALL_M: 11,
  INSN_PAGE_FAULT: 12, LOAD_PAGE_FAULT: 13, STORE_PAGE_FAULT: 15,
} as const;

/** Exceptions that medeleg may delegate (all but ecall from M). */
export const MEDELEG_WRITABLE = 0xb3ff; // bits 0-9, 12, 13, 15

/** misa: MXL=1 (RV32), extensions A, C, I, M, S, U. */
export const MISA_VALUE = (1 << 30) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

export const PRIV_U = 0, PRIV_S = 1, PRIV_M = 3;

export const CAUSE_NAMES: Record<number, string> = {
  0: 'instruction address misaligned', 1: 'instruction access fault', 2: 'illegal instruction', 3: 'breakpoint',
  4: 'load address misaligned', 5: 'load access fault', 6: 'store/AMO address misaligned', 7: 'store/AMO access fault',
  8: 'environment call from U-mode', 9: 'environment call from S-mode', 11: 'environment call from M-mode',
  12: 'instruction page fault', 13: 'load page fault', 15: 'store/AMO page fault',
};
export const INTERRUPT_NAMES: Record<number, string> = {
  1: 'supervisor software interrupt', 3: 'machine software interrupt', 5: 'supervisor timer interrupt',
  7: 'machine timer interrupt', 9: 'supervisor external interrupt', 11: 'machine external interrupt',
};
