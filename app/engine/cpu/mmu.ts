// Sv32 address translation (Privileged spec 20211203, section 4.3): two-level page tables,
// 4 KiB pages and 4 MiB megapages, R/W/X/U permissions with SUM and MXR, and hardware updating of
// the A and D bits (as QEMU does). PMP is not enforced on this machine.

import { EXC, MSTATUS, PRIV_M, PRIV_S, PRIV_U } from './csr-numbers.js';
import type { Hart } from './hart.js';

export const ACCESS_LOAD = 0;
export const ACCESS_STORE = 1;
export const ACCESS_FETCH = 2;

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8, PTE_U = 16, PTE_A = 64, PTE_D = 128;

const PAGE_FAULT = [EXC.LOAD_PAGE_FAULT, EXC.STORE_PAGE_FAULT, EXC.INSN_PAGE_FAULT] as const;
const ACCESS_FAULT = [EXC.LOAD_ACCESS, EXC.STORE_ACCESS, EXC.INSN_ACCESS] as const;

/**
 * Walks the page table for `va`. Returns the physical address; on a fault raises it on the hart
 * (page fault or access fault, tval = va) and returns 0. `priv` is the effective privilege.
 */
export function walkSv32(h: Hart, va: number, access: number, priv: number): number {
  if (priv === PRIV_M || (h.satp >>> 31) === 0) return va;
  const fail = (faults: readonly number[]): number => {
    h.raise(faults[access]!, va);
    return 0;
  };
  let table = (h.satp & 0x3fffff) * 4096; // may exceed 2^32: the table is then not in memory
  for (let level = 1; level >= 0; level--) {
    const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
    const pteAddr = table + vpn * 4;
    if (pteAddr > 0xffffffff) return fail(ACCESS_FAULT);
    const off = h.bus.ramOffset(pteAddr, 4);
    if (off < 0) return fail(ACCESS_FAULT); // page tables live in RAM only
    let pte = h.ram32[off >> 2]!;
    if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return fail(PAGE_FAULT);
    const ppn = pte >>> 10;
    if ((pte & (PTE_R | PTE_X)) === 0) {
      if (level === 0) return fail(PAGE_FAULT);
      table = ppn * 4096;
      continue;
    }
    // Leaf: check permissions for the effective privilege.
    const u = (pte & PTE_U) !== 0;
    if (priv === PRIV_U && !u) return fail(PAGE_FAULT);
    if (priv === PRIV_S && u && (access === ACCESS_FETCH || (h.mstatus & MSTATUS.SUM) === 0)) return fail(PAGE_FAULT);
    if (access === ACCESS_FETCH && (pte & PTE_X) === 0) return fail(PAGE_FAULT);
    if (access === ACCESS_LOAD && (pte & PTE_R) === 0 && !((h.mstatus & MSTATUS.MXR) !== 0 && (pte & PTE_X) !== 0)) {
      return fail(PAGE_FAULT);
    }
    if (access === ACCESS_STORE && (pte & PTE_W) === 0) return fail(PAGE_FAULT);
    if (level === 1 && (ppn & 0x3ff) !== 0) return fail(PAGE_FAULT); // misaligned megapage
    // Hardware A/D update.
    const want = PTE_A | (access === ACCESS_STORE ? PTE_D : 0);
    if ((pte & want) !== want) {
      pte |= want;
      h.bus.writeRam(off, 4, pte, 'cpu');
    }
    const pa = level === 1
      ? (ppn >>> 10) * 0x400000 + (va & 0x3fffff)
      : ppn * 4096 + (va & 0xfff);
    if (pa > 0xffffffff) return fail(ACCESS_FAULT); // beyond the 32-bit physical space this board has
    return pa | 0;
  }
  return fail(PAGE_FAULT);
}
