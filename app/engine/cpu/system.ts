// The SYSTEM and fence.i instructions: CSR access, ECALL/EBREAK, MRET/SRET, WFI, SFENCE.VMA,
// FENCE.I (Privileged spec 20211203, 3.3 and 4.2.1; Zicsr chapter of Volume I).
// Each runs alone at the end of a block, with hart.pc and hart.icount exact, and either retires
// (icount + 1, pc advanced) or enters a trap. It always asks the executor to look at interrupts
// afterwards, because it may have changed what is enabled.

import type { Decoded } from '../isa/decode.js';
import { csrRead, csrWrite } from './csr.js';
import { CSR, EXC, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import { EXIT_CHECK, type Hart } from './hart.js';

export function execSystem(h: Hart, d: Decoded): void {
  h.exit |= EXIT_CHECK;
  const next = (h.pc + d.len) | 0;
  const illegal = (): void => h.enterTrap(EXC.ILLEGAL, d.raw, false);
  switch (d.spec!.sys) {
    case 'csrrw': case 'csrrs': case 'csrrc': case 'csrrwi': case 'csrrsi': case 'csrrci': {
      h.currentInsn = 1;
      const old = csrInstruction(h, d);
      h.currentInsn = 0;
      if (old === null) return illegal();
      if (d.rd !== 0) h.x[d.rd] = old;
      break;
    }
    // ECALL and EBREAK count as executed instructions although they trap (not retired, by the
    // spec): QEMU's -icount counts them, and instruction counts must match QEMU's.
    case 'ecall':
      h.icount += 1;
      return h.enterTrap(h.priv === PRIV_U ? EXC.ECALL_U : h.priv === PRIV_S ? EXC.ECALL_S : EXC.ECALL_M, 0, false);
    case 'ebreak':
      h.icount += 1;
      return h.enterTrap(EXC.BREAKPOINT, 0, false); // mtval = 0, as QEMU 7.2 (the spec allows pc or 0)
    case 'mret': {
      if (h.priv < PRIV_M) return illegal();
      let s = h.mstatus;
      const mpp = (s & MSTATUS.MPP) >>> MSTATUS.MPP_SHIFT;
      s = (s & MSTATUS.MPIE) ? s | MSTATUS.MIE : s & ~MSTATUS.MIE;
      s |= MSTATUS.MPIE;
      s &= ~MSTATUS.MPP; // MPP := U, the least-privileged mode supported
      if (mpp !== PRIV_M) s &= ~MSTATUS.MPRV;
      h.mstatus = s;
      h.icount += 1;
      h.pc = h.mepc;
      h.setPriv(mpp);
      return;
    }
    case 'sret': {
      if (h.priv < PRIV_S || (h.priv === PRIV_S && (h.mstatus & MSTATUS.TSR))) return illegal();
      let s = h.mstatus;
      const spp = (s & MSTATUS.SPP) ? PRIV_S : PRIV_U;
      s = (s & MSTATUS.SPIE) ? s | MSTATUS.SIE : s & ~MSTATUS.SIE;
      s |= MSTATUS.SPIE;
      s &= ~MSTATUS.SPP;
      s &= ~MSTATUS.MPRV; // spp is never M
      h.mstatus = s;
      h.icount += 1;
      h.pc = h.sepc;
      h.setPriv(spp);
      return;
    }
    case 'wfi':
      if (h.priv === PRIV_U || (h.priv === PRIV_S && (h.mstatus & MSTATUS.TW))) return illegal();
      if (!h.wakeable()) h.waiting = true;
      break;
    case 'sfence.vma':
      if (h.priv === PRIV_U || (h.priv === PRIV_S && (h.mstatus & MSTATUS.TVM))) return illegal();
      h.flushTlb();
      h.onFetchMappingChange();
      break;
    case 'fence.i':
      // Stores already invalidate decoded blocks of the pages they touch; nothing more to do.
      break;
    default:
      return illegal();
  }
  h.icount += 1;
  h.pc = next;
}

/** Performs a CSR instruction's read and write; returns the old value, or null when illegal. */
function csrInstruction(h: Hart, d: Decoded): number | null {
  const sys = d.spec!.sys!;
  const immediate = sys.endsWith('i');
  const src = immediate ? d.imm : h.x[d.rs1]!;
  const isWrite = sys === 'csrrw' || sys === 'csrrwi';
  // csrrs/csrrc with x0 (or uimm 0) do not write; csrrw with rd = x0 does not read.
  const writes = isWrite || (immediate ? d.imm !== 0 : d.rs1 !== 0);
  const old = csrRead(h, d.csr);
  if (old === null) return null;
  if (writes) {
    // csrrs/csrrc on mip/sip modify the software-written bits only: a pending line from a device
    // (SEIP from the PLIC) must not be latched into the software bit (Privileged spec 3.1.9).
    const base = d.csr === CSR.mip || d.csr === CSR.sip ? h.mipSw : old;
    const value = isWrite ? src : sys.startsWith('csrrs') ? base | src : base & ~src;
    if (!csrWrite(h, d.csr, value)) return null;
  }
  return old;
}
