// CSR reads and writes with the privileged spec's access rules (Privileged spec 20211203, 2.1-2.3):
// the CSR number's bits 9:8 give the lowest privilege that may access it, bits 11:10 == 3 mark it
// read-only. Unimplemented CSRs are illegal-instruction traps.

import {
  CSR, MEDELEG_WRITABLE, MISA_VALUE, MSTATUS, MSTATUS_WRITABLE, PRIV_M, PRIV_S, S_INTERRUPTS,
  SSTATUS_MASK, ALL_INTERRUPTS, MIP_SSIP, MIP_STIP, MIP_SEIP,
} from './csr-numbers.js';
import type { Hart } from './hart.js';

const TWO32 = 4294967296;
const MASK64 = (1n << 64n) - 1n;

/** The value of a 64-bit counter as [lo, hi]. */
function counter(base: number, offset: bigint): [number, number] {
  if (offset === 0n) return [base % TWO32 | 0, Math.floor(base / TWO32) | 0];
  const v = (BigInt(base) + offset) & MASK64;
  return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0];
}

/** New offset so that the counter reads `lo`/`hi` (one half replaced) at time `base`. */
function setCounterHalf(base: number, offset: bigint, value: number, high: boolean): bigint {
  const cur = (BigInt(base) + offset) & MASK64;
  const v = BigInt(value >>> 0);
  const next = high ? (cur & 0xffffffffn) | (v << 32n) : (cur & ~0xffffffffn & MASK64) | v;
  return next - BigInt(base);
}

/** S-mode access to the counters is gated by mcounteren, U-mode by mcounteren and scounteren. */
function counterAllowed(h: Hart, index: number): boolean {
  if (h.priv === PRIV_M) return true;
  if (((h.mcounteren >>> index) & 1) === 0) return false;
  if (h.priv === PRIV_S) return true;
  return ((h.scounteren >>> index) & 1) === 1;
}

/** Reads a CSR; returns null when the access is illegal (unimplemented or not permitted). */
export function csrRead(h: Hart, n: number): number | null {
  if (((n >>> 8) & 3) > h.priv) return null;
  switch (n) {
    case CSR.cycle: case CSR.cycleh:
      return counterAllowed(h, 0) ? counter(h.ticks() + h.currentInsn, h.mcycleOffset)[n === CSR.cycle ? 0 : 1] : null;
    case CSR.time: case CSR.timeh:
      return counterAllowed(h, 1) ? counter(h.readTime(), 0n)[n === CSR.time ? 0 : 1] : null;
    case CSR.instret: case CSR.instreth:
      return counterAllowed(h, 2) ? counter(h.icount + h.currentInsn, h.minstretOffset)[n === CSR.instret ? 0 : 1] : null;
    case CSR.mcycle: return counter(h.ticks() + h.currentInsn, h.mcycleOffset)[0];
    case CSR.mcycleh: return counter(h.ticks() + h.currentInsn, h.mcycleOffset)[1];
    case CSR.minstret: return counter(h.icount + h.currentInsn, h.minstretOffset)[0];
    case CSR.minstreth: return counter(h.icount + h.currentInsn, h.minstretOffset)[1];

    case CSR.sstatus: return h.mstatus & SSTATUS_MASK;
    case CSR.sie: return h.mie & h.mideleg;
    case CSR.sip: return h.mip & h.mideleg;
    case CSR.stvec: return h.stvec;
    case CSR.scounteren: return h.scounteren;
    case CSR.senvcfg: return h.senvcfg;
    case CSR.sscratch: return h.sscratch;
    case CSR.sepc: return h.sepc;
    case CSR.scause: return h.scause;
    case CSR.stval: return h.stval;
    case CSR.satp:
      if (h.priv === PRIV_S && (h.mstatus & MSTATUS.TVM)) return null;
      return h.satp;

    case CSR.mvendorid: case CSR.marchid: case CSR.mimpid: case CSR.mconfigptr: return 0;
    case CSR.mhartid: return h.hartId;
    case CSR.mstatus: return h.mstatus;
    case CSR.mstatush: return 0;
    case CSR.misa: return MISA_VALUE;
    case CSR.medeleg: return h.medeleg;
    case CSR.mideleg: return h.mideleg;
    case CSR.mie: return h.mie;
    case CSR.mip: return h.mip;
    case CSR.mtvec: return h.mtvec;
    case CSR.mcounteren: return h.mcounteren;
    case CSR.menvcfg: return h.menvcfg;
    case CSR.menvcfgh: return 0;
    case CSR.mcountinhibit: return h.mcountinhibit;
    case CSR.mscratch: return h.mscratch;
    case CSR.mepc: return h.mepc;
    case CSR.mcause: return h.mcause;
    case CSR.mtval: return h.mtval;
  }
  if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 4) return h.pmpcfg[n - CSR.pmpcfg0]!;
  if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 16) return h.pmpaddr[n - CSR.pmpaddr0]!;
  // Hardware performance counters 3..31 and their events: implemented as constant zero.
  if ((n >= CSR.mhpmcounter3 && n <= 0xb1f) || (n >= CSR.mhpmcounter3h && n <= 0xb9f) || (n >= CSR.mhpmevent3 && n <= 0x33f)) return 0;
  if ((n >= 0xc03 && n <= 0xc1f) || (n >= 0xc83 && n <= 0xc9f)) return counterAllowed(h, n & 31) ? 0 : null;
  return null;
}

/** Writes a CSR; returns false when the write is illegal. Caller has checked it may be read. */
export function csrWrite(h: Hart, n: number, v: number): boolean {
  if (((n >>> 10) & 3) === 3) return false; // read-only
  if (((n >>> 8) & 3) > h.priv) return false;
  v |= 0;
  switch (n) {
    case CSR.sstatus:
      h.mstatus = (h.mstatus & ~SSTATUS_MASK) | (v & SSTATUS_MASK);
      h.updateTranslation();
      return true;
    case CSR.sie: h.mie = (h.mie & ~h.mideleg) | (v & h.mideleg); return true;
    case CSR.sip:
      // Only SSIP is writable from S-mode (when delegated).
      h.mipSw = (h.mipSw & ~(MIP_SSIP & h.mideleg)) | (v & MIP_SSIP & h.mideleg);
      return true;
    case CSR.stvec: h.stvec = legalTvec(h.stvec, v); return true;
    case CSR.scounteren: h.scounteren = v; return true;
    case CSR.senvcfg: h.senvcfg = v & 1; return true;
    case CSR.sscratch: h.sscratch = v; return true;
    case CSR.sepc: h.sepc = v & ~1; return true;
    case CSR.scause: h.scause = v; return true;
    case CSR.stval: h.stval = v; return true;
    case CSR.satp: {
      if (h.priv === PRIV_S && (h.mstatus & MSTATUS.TVM)) return false;
      h.satp = v & 0x803fffff; // MODE and PPN; ASID is not implemented (ASIDLEN = 0), as the spec allows
      h.updateTranslation();
      return true;
    }
    case CSR.mstatus: {
      let s = (h.mstatus & ~MSTATUS_WRITABLE) | (v & MSTATUS_WRITABLE);
      if (((s & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT) === 2) s &= ~MSTATUS.MPP; // WARL: 2 is not a mode
      h.mstatus = s;
      h.updateTranslation();
      return true;
    }
    case CSR.mstatush: case CSR.menvcfgh: return true;
    case CSR.misa: return true; // WARL, fixed
    case CSR.medeleg: h.medeleg = v & MEDELEG_WRITABLE; return true;
    case CSR.mideleg: h.mideleg = v & S_INTERRUPTS; return true;
    case CSR.mie: h.mie = v & ALL_INTERRUPTS; return true;
    case CSR.mip: h.mipSw = v & (MIP_SSIP | MIP_STIP | MIP_SEIP); return true;
    case CSR.mtvec: h.mtvec = legalTvec(h.mtvec, v); return true;
    case CSR.mcounteren: h.mcounteren = v; return true;
    case CSR.menvcfg: h.menvcfg = v & 1; return true;
    case CSR.mcountinhibit: h.mcountinhibit = v & ~2; return true;
    case CSR.mscratch: h.mscratch = v; return true;
    case CSR.mepc: h.mepc = v & ~1; return true;
    case CSR.mcause: h.mcause = v; return true;
    case CSR.mtval: h.mtval = v; return true;
    case CSR.mcycle: h.mcycleOffset = setCounterHalf(h.ticks() + h.currentInsn + 1, h.mcycleOffset, v, false); return true;
    case CSR.mcycleh: h.mcycleOffset = setCounterHalf(h.ticks() + h.currentInsn + 1, h.mcycleOffset, v, true); return true;
    case CSR.minstret: h.minstretOffset = setCounterHalf(h.icount + h.currentInsn + 1, h.minstretOffset, v, false); return true;
    case CSR.minstreth: h.minstretOffset = setCounterHalf(h.icount + h.currentInsn + 1, h.minstretOffset, v, true); return true;
  }
  if (n >= CSR.pmpcfg0 && n < CSR.pmpcfg0 + 4) { h.pmpcfg[n - CSR.pmpcfg0] = v; return true; }
  if (n >= CSR.pmpaddr0 && n < CSR.pmpaddr0 + 16) { h.pmpaddr[n - CSR.pmpaddr0] = v & 0x3fffffff; return true; }
  if ((n >= CSR.mhpmcounter3 && n <= 0xb1f) || (n >= CSR.mhpmcounter3h && n <= 0xb9f) || (n >= CSR.mhpmevent3 && n <= 0x33f)) return true;
  return false;
}

/**
 * mtvec/stvec: modes 0 (direct) and 1 (vectored). A write selecting a reserved mode (2, 3) leaves
 * the register unchanged, as QEMU 7.2 does (the field is WARL, so any legal value would do).
 */
function legalTvec(old: number, v: number): number {
  return (v & 3) >= 2 ? old : v;
}
