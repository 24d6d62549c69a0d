// What gdb reads and writes on the machine: registers by gdb's numbering (target-description.ts)
// and memory as the hart sees it. None of it has side effects on devices or on the hart's caches
// beyond what a write implies:
//   - CSRs are read and written as M-mode would (whatever mode the hart is in), as `query state` does;
//   - memory is RAM and the boot ROM; device registers are refused (reading a UART register pops
//     its FIFO), and so are writes to the ROM;
//   - addresses are virtual: with Sv32 on for data accesses (S/U mode, or MPRV) they are translated
//     by a page-table walk that neither faults nor sets A/D bits; an unmapped page ends the access.
// RAM writes go through the bus's bookkeeping, so decoded code in the page is dropped and a later
// restore knows the page changed.

import { csrRead, csrWrite } from '../engine/cpu/csr.js';
import { PRIV_M, PRIV_S, PRIV_U } from '../engine/cpu/csr-numbers.js';
import type { Hart } from '../engine/cpu/hart.js';
import type { Machine } from '../engine/machine/machine.js';
import { PRIV_REGNUM, REG_PC, csrOfRegnum } from './target-description.js';

function asMachineMode<T>(h: Hart, f: () => T): T {
  const saved = h.priv;
  h.priv = PRIV_M;
  try {
    return f();
  } finally {
    h.priv = saved;
  }
}

/** A register's value (unsigned 32-bit), or null when the description has no such register. */
export function readRegister(h: Hart, regnum: number): number | null {
  if (regnum >= 0 && regnum < 32) return h.x[regnum]! >>> 0;
  if (regnum === REG_PC) return h.pc >>> 0;
  if (regnum === PRIV_REGNUM) return h.priv;
  const csr = csrOfRegnum(regnum);
  if (csr < 0) return null;
  const v = asMachineMode(h, () => csrRead(h, csr));
  return v === null ? null : v >>> 0;
}

/** Writes a register; false when there is no such register or the value is not allowed. */
export function writeRegister(h: Hart, regnum: number, value: number): boolean {
  if (regnum === 0) return true; // x0 stays zero
  if (regnum > 0 && regnum < 32) {
    h.x[regnum] = value | 0;
    return true;
  }
  if (regnum === REG_PC) {
    h.pc = value | 0;
    return true;
  }
  if (regnum === PRIV_REGNUM) {
    if (value !== PRIV_M && value !== PRIV_S && value !== PRIV_U) return false;
    h.priv = value;
    h.updateTranslation();
    return true;
  }
  const csr = csrOfRegnum(regnum);
  if (csr < 0) return false;
  return asMachineMode(h, () => csrWrite(h, csr, value));
}

const PTE_V = 1, PTE_R = 2, PTE_W = 4, PTE_X = 8;

/** Physical address of data address `va` as the hart sees it now, or null when it is not mapped. */
export function translateData(h: Hart, va: number): number | null {
  const a = va >>> 0;
  const priv = h.dataPriv();
  if (priv === PRIV_M || (h.satp >>> 31) === 0) return a;
  let table = (h.satp & 0x3fffff) * 4096;
  for (let level = 1; level >= 0; level--) {
    const vpn = level === 1 ? a >>> 22 : (a >>> 12) & 0x3ff;
    const off = h.bus.ramOffset(table + vpn * 4, 4);
    if (table + vpn * 4 > 0xffffffff || off < 0) return null;
    const pte = h.bus.ram32[off >> 2]!;
    if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0)) return null;
    const ppn = pte >>> 10;
    if ((pte & (PTE_R | PTE_X)) === 0) {
      if (level === 0) return null;
      table = ppn * 4096;
      continue;
    }
    const pa = level === 1 ? (ppn >>> 10) * 0x400000 + (a & 0x3fffff) : ppn * 4096 + (a & 0xfff);
    return pa > 0xffffffff ? null : pa;
  }
  return null;
}

/**
 * Reads up to `len` bytes at virtual `addr`; stops at the first byte that is not RAM or ROM (or
 * not mapped), so the result may be shorter, or empty.
 */
export function readMemory(m: Machine, addr: number, len: number): Uint8Array {
  const bus = m.bus;
  const out = new Uint8Array(len);
  let n = 0;
  while (n < len) {
    const va = (addr + n) >>> 0;
    if (n > 0 && va === 0) break; // wrapped around the address space
    const pa = translateData(m.hart, va);
    if (pa === null) break;
    const inPage = Math.min(len - n, 4096 - (va & 0xfff));
    const off = bus.ramOffset(pa, 1);
    if (off >= 0) {
      const k = Math.min(inPage, bus.ramSize - off);
      out.set(bus.ram.subarray(off, off + k), n);
      n += k;
      continue;
    }
    let k = 0;
    while (k < inPage && bus.romOffset(pa + k, 1) >= 0) {
      out[n + k] = bus.read(pa + k, 1);
      k++;
    }
    n += k;
    if (k < inPage) break;
  }
  return out.slice(0, n);
}

/** Writes bytes at virtual `addr`: all of them (RAM only) or none. */
export function writeMemory(m: Machine, addr: number, bytes: Uint8Array): boolean {
  const bus = m.bus;
  const spans: { off: number; from: number; len: number }[] = [];
  let n = 0;
  while (n < bytes.length) {
    const va = (addr + n) >>> 0;
    if (n > 0 && va === 0) return false;
    const pa = translateData(m.hart, va);
    if (pa === null) return false;
    const len = Math.min(bytes.length - n, 4096 - (va & 0xfff));
    const off = bus.ramOffset(pa, len);
    if (off < 0) return false;
    spans.push({ off, from: n, len });
    n += len;
  }
  for (const s of spans) {
    bus.noteRamWrite(s.off, s.len, 'cpu');
    bus.ram.set(bytes.subarray(s.from, s.from + s.len), s.off);
  }
  return true;
}
