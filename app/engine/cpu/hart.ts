// One RV32IMAC hart with M, S and U modes: architectural state, the memory-access paths that
// compiled blocks call, trap entry and interrupt selection. Instruction semantics live in the
// block compiler (ALU, branches, loads/stores) and in system.ts (CSR, xRET, WFI, fences).
//
// Exit protocol for compiled blocks: a memory helper that cannot complete sets `exit`:
//   EXIT_TRAP  the instruction raised an exception (trapCause/trapTval say which);
//   EXIT_REDO  the instruction touched MMIO or a watched page; it has had no effect and must be
//              re-executed alone (single-step), so devices always see an exact icount;
// and the block returns through stopAt(k, pc), which accounts for the k instructions before it.
// EXIT_CHECK asks the executor to return to the machine after this block (interrupt state may have
// changed), which keeps interrupt delivery at the same icount whatever the slice sizes are.

import type { PhysicalBus } from '../bus/bus.js';
import { PAGE_CODE, PAGE_OBSERVED, PAGE_SHIFT, PAGE_WATCHED } from '../bus/bus.js';
import type { HartInterruptPins } from '../bus/device.js';
import {
  EXC, IRQ_PRIORITY, MSTATUS, PRIV_M, PRIV_S, PRIV_U,
} from './csr-numbers.js';
import { ACCESS_FETCH, ACCESS_LOAD, ACCESS_STORE, walkSv32 } from './mmu.js';
import type { AmoOp } from '../isa/instructions.js';

export const EXIT_TRAP = 1;
export const EXIT_REDO = 2;
export const EXIT_CHECK = 4;
/** The instruction did not complete. */
export const EXIT_ABORT = EXIT_TRAP | EXIT_REDO;

const TLB_SIZE = 256;
const TLB_MASK = TLB_SIZE - 1;

export class Hart implements HartInterruptPins {
  /** Integer registers; x[0] is never written. */
  readonly x = new Int32Array(32);
  /** Program counter, as a signed 32-bit integer (print with >>> 0). */
  pc = 0;
  /** Instructions retired since reset. Guest time. */
  icount = 0;
  /** Cycles the hart spent waiting in WFI (added to icount for mcycle and the timers). */
  idleTicks = 0;
  priv = PRIV_M;
  /** Set by memory helpers and system instructions; see the exit protocol above. */
  exit = 0;
  trapCause = 0;
  trapTval = 0;
  /** True while an instruction runs alone, which allows MMIO and watched-page accesses. */
  singleStep = false;
  /** After WFI retired, until an interrupt is pending. */
  waiting = false;
  /**
   * 1 while an instruction that can observe time is executing (a single-stepped instruction or a
   * CSR access), else 0. Time observed by an instruction includes that instruction, as with QEMU's
   * -icount (its I/O instructions end their block and are counted before they run).
   */
  currentInsn = 0;

  // CSR state (the rest of the CSR logic is in csr.ts)
  mstatus = 0;
  medeleg = 0;
  mideleg = 0;
  mie = 0;
  /** mip bits driven by devices (MSIP, MTIP, MEIP, and the SEIP line). */
  mipHw = 0;
  /** mip bits written by software (SSIP, STIP, SEIP). */
  mipSw = 0;
  mtvec = 0;
  mscratch = 0;
  mepc = 0;
  mcause = 0;
  mtval = 0;
  mcounteren = 0;
  mcountinhibit = 0;
  menvcfg = 0;
  stvec = 0;
  sscratch = 0;
  sepc = 0;
  scause = 0;
  stval = 0;
  scounteren = 0;
  senvcfg = 0;
  satp = 0;
  readonly pmpcfg = new Int32Array(4);
  readonly pmpaddr = new Int32Array(16);
  /** Added to icount / ticks to give minstret / mcycle after software writes them (BigInt: 64-bit). */
  minstretOffset = 0n;
  mcycleOffset = 0n;
  /** LR/SC reservation: the reserved virtual address, or -1 (odd, so never a valid word address). */
  reservation = -1;

  /** Whether loads/stores and fetches go through Sv32 translation right now. */
  vmData = false;
  vmFetch = false;
  private readonly tlbTag = [new Int32Array(TLB_SIZE).fill(-1), new Int32Array(TLB_SIZE).fill(-1), new Int32Array(TLB_SIZE).fill(-1)];
  private readonly tlbPage = [new Int32Array(TLB_SIZE), new Int32Array(TLB_SIZE), new Int32Array(TLB_SIZE)];

  // RAM fast path
  readonly ram8: Uint8Array;
  readonly ram16: Uint16Array;
  readonly ram32: Int32Array;
  readonly pageFlags: Uint8Array;
  readonly granuleWritten: Uint8Array;
  private readonly ramBase: number;
  private readonly ramSize: number;

  /** The machine's clock for the time CSR (mtime of the CLINT). */
  readTime: () => number = () => 0;
  /** Called when the fetch-side address mapping may have changed (satp, sfence.vma, privilege). */
  onFetchMappingChange: () => void = () => {};

  constructor(readonly bus: PhysicalBus, readonly hartId = 0) {
    this.ram8 = bus.ram;
    this.ram16 = bus.ram16;
    this.ram32 = bus.ram32;
    this.pageFlags = bus.pageFlags;
    this.granuleWritten = bus.granuleWritten;
    this.ramBase = bus.ramBase | 0;
    this.ramSize = bus.ramSize;
  }

  get mip(): number {
    return this.mipHw | this.mipSw;
  }

  /** Guest time base: retired instructions plus idle cycles. */
  ticks(): number {
    return this.icount + this.idleTicks;
  }

  setPending(bit: number, level: boolean): void {
    const m = 1 << bit;
    const before = this.mipHw;
    this.mipHw = level ? before | m : before & ~m;
    if (this.mipHw !== before) this.exit |= EXIT_CHECK;
  }

  // ---- traps and interrupts ----------------------------------------------------------------------

  /** Records an exception raised by the current instruction; the block unwinds through stopAt. */
  raise(cause: number, tval: number): void {
    this.exit |= EXIT_TRAP;
    this.trapCause = cause;
    this.trapTval = tval | 0;
  }

  /** Called by a compiled block when an instruction did not complete: account for the k before it. */
  stopAt(k: number, pc: number): void {
    this.icount += k;
    this.pc = pc;
    if (this.exit & EXIT_TRAP) {
      this.exit &= ~EXIT_TRAP;
      this.enterTrap(this.trapCause, this.trapTval, false);
    }
  }

  /** Trap entry (Privileged spec 3.1.6-3.1.7 and 4.1.1): the pc is the faulting or interrupted instruction. */
  enterTrap(cause: number, tval: number, interrupt: boolean): void {
    const deleg = interrupt ? this.mideleg : this.medeleg;
    const oldPriv = this.priv;
    const epc = this.pc & ~1;
    const toS = oldPriv <= PRIV_S && ((deleg >>> cause) & 1) === 1;
    const causeValue = (interrupt ? (cause | 0x80000000) : cause) | 0;
    let s = this.mstatus;
    if (toS) {
      this.scause = causeValue;
      this.sepc = this.pc & ~1;
      this.stval = tval | 0;
      s = (s & MSTATUS.SIE) ? s | MSTATUS.SPIE : s & ~MSTATUS.SPIE;
      s = oldPriv === PRIV_S ? s | MSTATUS.SPP : s & ~MSTATUS.SPP;
      s &= ~MSTATUS.SIE;
      this.priv = PRIV_S;
      this.pc = trapVector(this.stvec, cause, interrupt);
    } else {
      this.mcause = causeValue;
      this.mepc = this.pc & ~1;
      this.mtval = tval | 0;
      s = (s & MSTATUS.MIE) ? s | MSTATUS.MPIE : s & ~MSTATUS.MPIE;
      s = (s & ~MSTATUS.MPP) | (oldPriv << MSTATUS.MPP_SHIFT);
      s &= ~MSTATUS.MIE;
      this.priv = PRIV_M;
      this.pc = trapVector(this.mtvec, cause, interrupt);
    }
    this.mstatus = s;
    this.waiting = false;
    // QEMU 7.2 drops the LR reservation on every privilege switch (riscv_cpu_set_mode), traps
    // included; the spec allows it, and it keeps an SC from succeeding across a context switch.
    this.reservation = -1;
    this.exit |= EXIT_CHECK;
    this.onTrap(causeValue, tval | 0, oldPriv, epc);
    this.updateTranslation();
  }

  /** Observer hook for traps (the machine records them as timeline events). */
  onTrap: (mcauseValue: number, tval: number, fromPriv: number, epc: number) => void = () => {};

  /** The interrupt the hart would take now, or -1 (Privileged spec 3.1.9). */
  pendingInterrupt(): number {
    const pending = this.mip & this.mie;
    if (pending === 0) return -1;
    const mEnabled = this.priv < PRIV_M || (this.mstatus & MSTATUS.MIE) !== 0;
    const sEnabled = this.priv < PRIV_S || (this.priv === PRIV_S && (this.mstatus & MSTATUS.SIE) !== 0);
    const m = mEnabled ? pending & ~this.mideleg : 0;
    const sBits = sEnabled ? pending & this.mideleg : 0;
    for (const irq of IRQ_PRIORITY) if ((m >>> irq) & 1) return irq;
    for (const irq of IRQ_PRIORITY) if ((sBits >>> irq) & 1) return irq;
    return -1;
  }

  /** Takes the highest-priority enabled interrupt, if any. Returns whether one was taken. */
  takeInterrupt(): boolean {
    const irq = this.pendingInterrupt();
    if (irq < 0) return false;
    this.enterTrap(irq, 0, true);
    return true;
  }

  /** WFI wakes on any locally enabled pending interrupt, whatever the global enables say. */
  wakeable(): boolean {
    return (this.mip & this.mie) !== 0;
  }

  // ---- address translation -----------------------------------------------------------------------

  /** Recomputes which accesses are translated; flushes the TLBs (privilege, satp, MPRV, SUM, MXR may have changed). */
  updateTranslation(): void {
    const sv32 = (this.satp >>> 31) === 1;
    const wasFetch = this.vmFetch;
    this.vmData = sv32 && this.dataPriv() !== PRIV_M;
    this.vmFetch = sv32 && this.priv !== PRIV_M;
    this.flushTlb();
    if (wasFetch || this.vmFetch) this.onFetchMappingChange();
  }

  flushTlb(): void {
    for (const t of this.tlbTag) t.fill(-1);
  }

  /** Effective privilege of data accesses (MPRV). */
  dataPriv(): number {
    return (this.mstatus & MSTATUS.MPRV) && this.priv === PRIV_M ? (this.mstatus & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT : this.priv;
  }

  /** Translates va for `access`; on failure raises the fault and returns 0 (check `exit`). */
  translate(va: number, access: number): number {
    const vpn = va >>> 12;
    const i = vpn & TLB_MASK;
    if (this.tlbTag[access]![i] === vpn) return this.tlbPage[access]![i]! | (va & 0xfff);
    const pa = walkSv32(this, va, access, access === ACCESS_FETCH ? this.priv : this.dataPriv());
    if (this.exit & EXIT_TRAP) return 0;
    this.tlbTag[access]![i] = vpn;
    this.tlbPage[access]![i] = pa & ~0xfff;
    return pa;
  }

  /** Physical address of an instruction fetch at va, or -1 after raising a fault. */
  translateFetch(va: number): number {
    if (!this.vmFetch) return va;
    const pa = this.translate(va, ACCESS_FETCH);
    return (this.exit & EXIT_TRAP) ? -1 : pa;
  }

  // ---- loads (called by compiled blocks) ---------------------------------------------------------

  lw(va: number): number {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_LOAD);
      if ((this.exit & EXIT_ABORT) !== 0) return 0;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off & 3) === 0) return this.ram32[off >> 2]!;
    return this.loadSlow(va, pa, 4) | 0;
  }

  lh(va: number): number {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_LOAD);
      if ((this.exit & EXIT_ABORT) !== 0) return 0;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off & 1) === 0) return (this.ram16[off >> 1]! << 16) >> 16;
    return (this.loadSlow(va, pa, 2) << 16) >> 16;
  }

  lhu(va: number): number {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_LOAD);
      if ((this.exit & EXIT_ABORT) !== 0) return 0;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off & 1) === 0) return this.ram16[off >> 1]!;
    return this.loadSlow(va, pa, 2) & 0xffff;
  }

  lb(va: number): number {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_LOAD);
      if ((this.exit & EXIT_ABORT) !== 0) return 0;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize) return (this.ram8[off]! << 24) >> 24;
    return (this.loadSlow(va, pa, 1) << 24) >> 24;
  }

  lbu(va: number): number {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_LOAD);
      if ((this.exit & EXIT_ABORT) !== 0) return 0;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize) return this.ram8[off]!;
    return this.loadSlow(va, pa, 1) & 0xff;
  }

  /** Everything but an aligned RAM load: misaligned, ROM, MMIO, faults. Returns the zero-extended value. */
  private loadSlow(va: number, pa: number, size: 1 | 2 | 4): number {
    if (this.exit & EXIT_TRAP) return 0;
    if ((pa & (size - 1)) !== 0) {
      // Misaligned: QEMU's virt machine performs these in RAM without trapping; do it byte by byte,
      // translating each byte so a page-crossing access sees both pages.
      let v = 0;
      for (let i = 0; i < size; i++) {
        const b = this.loadByteAt(va + i, i === 0 ? pa : -1);
        if ((this.exit & EXIT_ABORT) !== 0) return 0;
        v |= b << (8 * i);
      }
      return v >>> 0;
    }
    return this.loadPhys(va, pa, size);
  }

  private loadByteAt(va: number, knownPa: number): number {
    const pa = knownPa !== -1 ? knownPa : this.vmData ? this.translate(va, ACCESS_LOAD) : va;
    if ((this.exit & EXIT_ABORT) !== 0) return 0;
    return this.loadPhys(va, pa, 1);
  }

  private loadPhys(va: number, pa: number, size: 1 | 2 | 4): number {
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) + size <= this.ramSize) {
      if (size === 1) return this.ram8[off]!;
      if (size === 2) return this.ram8[off]! | (this.ram8[off + 1]! << 8);
      return (this.ram8[off]! | (this.ram8[off + 1]! << 8) | (this.ram8[off + 2]! << 16) | (this.ram8[off + 3]! << 24)) >>> 0;
    }
    if (this.bus.romOffset(pa, size) < 0 && !this.singleStep) {
      // A device (or nothing): run this instruction alone so the device sees an exact icount.
      this.exit |= EXIT_REDO;
      return 0;
    }
    const v = this.bus.read(pa, size);
    if (v < 0) {
      this.raise(EXC.LOAD_ACCESS, va);
      return 0;
    }
    return v;
  }

  // ---- stores ------------------------------------------------------------------------------------

  sw(va: number, value: number): void {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_STORE);
      if ((this.exit & EXIT_ABORT) !== 0) return;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off & 3) === 0 && this.pageFlags[off >>> PAGE_SHIFT] === 0) {
      this.ram32[off >> 2] = value;
      this.granuleWritten[off >>> 2] = 1;
      return;
    }
    this.storeSlow(va, pa, 4, value);
  }

  sh(va: number, value: number): void {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_STORE);
      if ((this.exit & EXIT_ABORT) !== 0) return;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off & 1) === 0 && this.pageFlags[off >>> PAGE_SHIFT] === 0) {
      this.ram16[off >> 1] = value;
      this.granuleWritten[off >>> 2] = 1;
      return;
    }
    this.storeSlow(va, pa, 2, value);
  }

  sb(va: number, value: number): void {
    let pa = va;
    if (this.vmData) {
      pa = this.translate(va, ACCESS_STORE);
      if ((this.exit & EXIT_ABORT) !== 0) return;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && this.pageFlags[off >>> PAGE_SHIFT] === 0) {
      this.ram8[off] = value;
      this.granuleWritten[off >>> 2] = 1;
      return;
    }
    this.storeSlow(va, pa, 1, value);
  }

  private storeSlow(va: number, pa: number, size: 1 | 2 | 4, value: number): void {
    if (this.exit & EXIT_TRAP) return;
    if ((pa & (size - 1)) === 0) {
      this.storePhys(va, pa, size, value);
      return;
    }
    // Misaligned: translate every byte first, so a fault leaves memory untouched.
    const pas = [pa, 0, 0, 0];
    for (let i = 1; i < size; i++) {
      pas[i] = this.vmData ? this.translate(va + i, ACCESS_STORE) : va + i;
      if (this.exit & EXIT_TRAP) return;
    }
    for (let i = 0; i < size; i++) {
      if (!this.storeNeedsNoRedo(pas[i]!)) {
        this.exit |= EXIT_REDO;
        return;
      }
    }
    for (let i = 0; i < size; i++) {
      this.storePhys(va + i, pas[i]!, 1, value >>> (8 * i));
      if ((this.exit & EXIT_ABORT) !== 0) return;
    }
  }

  /** False when a store to pa must run as a single step (device, code page, observed page). */
  private storeNeedsNoRedo(pa: number): boolean {
    if (this.singleStep) return true;
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize) return (this.pageFlags[off >>> PAGE_SHIFT]! & (PAGE_CODE | PAGE_OBSERVED | PAGE_WATCHED)) === 0;
    return this.bus.romOffset(pa, 1) >= 0;
  }

  private storePhys(va: number, pa: number, size: 1 | 2 | 4, value: number): void {
    if (!this.storeNeedsNoRedo(pa)) {
      this.exit |= EXIT_REDO;
      return;
    }
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) < this.ramSize && (off >>> 0) + size <= this.ramSize) {
      this.bus.writeRam(off, size, value, 'cpu');
      return;
    }
    if (!this.bus.write(pa, size, value)) this.raise(EXC.STORE_ACCESS, va);
  }

  // ---- atomics -----------------------------------------------------------------------------------

  /** LR.W: a naturally aligned load that sets the reservation. */
  lr(va: number): number {
    if (va & 3) {
      this.raise(EXC.LOAD_MISALIGNED, va);
      return 0;
    }
    const v = this.lw(va);
    if ((this.exit & EXIT_ABORT) === 0) this.reservation = va;
    return v;
  }

  /** SC.W: returns 0 on success, 1 on failure. The reservation is always cleared. */
  sc(va: number, value: number): number {
    if (va & 3) {
      this.raise(EXC.STORE_MISALIGNED, va);
      return 0;
    }
    if (this.reservation !== va) {
      this.reservation = -1;
      return 1;
    }
    this.sw(va, value);
    if ((this.exit & EXIT_ABORT) === 0) this.reservation = -1;
    return 0;
  }

  /** AMO*.W: read-modify-write; needs store permission (store/AMO faults). Returns the old value. */
  amo(op: AmoOp, va: number, src: number): number {
    if (va & 3) {
      this.raise(EXC.STORE_MISALIGNED, va);
      return 0;
    }
    const pa = this.vmData ? this.translate(va, ACCESS_STORE) : va;
    if (this.exit & EXIT_TRAP) return 0;
    const off = (pa - this.ramBase) | 0;
    if ((off >>> 0) >= this.ramSize) {
      // AMOs to devices are not supported by this board (QEMU's virt devices don't either): access fault.
      this.raise(EXC.STORE_ACCESS, va);
      return 0;
    }
    if (!this.storeNeedsNoRedo(pa)) {
      this.exit |= EXIT_REDO;
      return 0;
    }
    const old = this.ram32[off >> 2]!;
    let v: number;
    switch (op) {
      case 'swap': v = src; break;
      case 'add': v = (old + src) | 0; break;
      case 'xor': v = old ^ src; break;
      case 'and': v = old & src; break;
      case 'or': v = old | src; break;
      case 'min': v = old < src ? old : src; break;
      case 'max': v = old > src ? old : src; break;
      case 'minu': v = (old >>> 0) < (src >>> 0) ? old : src; break;
      case 'maxu': v = (old >>> 0) > (src >>> 0) ? old : src; break;
    }
    if (this.pageFlags[off >>> PAGE_SHIFT] === 0) {
      this.ram32[off >> 2] = v;
      this.granuleWritten[off >>> 2] = 1;
    } else {
      this.bus.writeRam(off, 4, v, 'cpu');
    }
    return old;
  }

  // ---- privilege changes -------------------------------------------------------------------------

  setPriv(p: number): void {
    if (p !== PRIV_M && p !== PRIV_S && p !== PRIV_U) throw new Error(`invalid privilege ${p}`);
    this.priv = p;
    this.reservation = -1; // as on trap entry: xRET clears the reservation, like QEMU 7.2
    this.updateTranslation();
  }
}

function trapVector(tvec: number, cause: number, interrupt: boolean): number {
  const base = tvec & ~3;
  return interrupt && (tvec & 3) === 1 ? (base + 4 * cause) | 0 : base;
}
