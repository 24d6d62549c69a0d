// OHCI 1.0a in-memory data structures (chapter 4) and the controller's only way to guest RAM.
//
// Endpoint Descriptor (4.2.1), 16 bytes, 16-byte aligned:
//   +0  FA 6:0, EN 10:7, D 12:11 (00/11 from TD, 01 OUT, 10 IN), S 13 (low speed), K 14 (skip),
//       F 15 (isochronous TD format), MPS 26:16
//   +4  TailP 31:4          +8  HeadP 31:4, C 1 (toggleCarry), H 0 (halted)       +12 NextED 31:4
// General Transfer Descriptor (4.3.1), 16 bytes, 16-byte aligned:
//   +0  R 18 (bufferRounding), DP 20:19 (00 SETUP, 01 OUT, 10 IN), DI 23:21 (DelayInterrupt),
//       T 25:24 (DataToggle: 0x = from ED.C, 1x = T[0]), EC 27:26 (ErrorCount), CC 31:28
//   +4  CBP (CurrentBufferPointer; 0 = zero-length or all done)
//   +8  NextTD 31:4         +12 BE (BufferEnd; the buffer may cross one 4 KiB page boundary)
// Isochronous TDs (4.3.2) are 32 bytes, 32-byte aligned; this controller only retires them.
// HCCA (4.4.1), 256 bytes, 256-byte aligned:
//   +0x00 HccaInterruptTable[32]   +0x80 HccaFrameNumber (16 bits)   +0x82 HccaPad1 (written 0)
//   +0x84 HccaDoneHead (bit 0 = other interrupts pending too)
//
// Every access goes through DmaMemory (the PhysicalBus): DMA writes are writer 'dma' for the write
// index, dirty tracking and watchpoints. An access that is not all RAM raises OhciFault, which the
// controller turns into UnrecoverableError (7.1.4 UE) with the fault's message as the diagnosis.
// The reserved low bits of descriptor pointers must be zero: a set bit means the driver built a
// misaligned pointer, and is reported as a fault too (real hardware silently masks them; a debugger
// should not).

export interface DmaMemory {
  isRam(paddr: number, size?: number): boolean;
  dmaRead(paddr: number, length: number): Uint8Array;
  dmaWrite(paddr: number, bytes: Uint8Array): void;
}

/** A guest data structure the controller cannot use; becomes UnrecoverableError. */
export class OhciFault extends Error {
  override name = 'OhciFault';
}

export const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

export const HCCA_FRAME_NUMBER = 0x80;
export const HCCA_DONE_HEAD = 0x84;

export interface Ed {
  readonly addr: number;
  readonly flags: number;
  readonly tailP: number;
  headP: number;
  readonly nextED: number;
}

export const edFa = (e: Ed): number => e.flags & 0x7f;
export const edEn = (e: Ed): number => (e.flags >>> 7) & 0xf;
export const edD = (e: Ed): number => (e.flags >>> 11) & 3;
export const edLowSpeed = (e: Ed): boolean => (e.flags & (1 << 13)) !== 0;
export const edSkip = (e: Ed): boolean => (e.flags & (1 << 14)) !== 0;
export const edIso = (e: Ed): boolean => (e.flags & (1 << 15)) !== 0;
export const edMps = (e: Ed): number => (e.flags >>> 16) & 0x7ff;
export const edHalted = (e: Ed): boolean => (e.headP & 1) !== 0;
export const edCarry = (e: Ed): number => (e.headP >>> 1) & 1;
export const edHeadTd = (e: Ed): number => (e.headP & ~0xf) >>> 0;

export interface Td {
  readonly addr: number;
  flags: number;
  cbp: number;
  next: number;
  readonly be: number;
}

export const tdRounding = (t: Td): boolean => (t.flags & (1 << 18)) !== 0;
export const tdDp = (t: Td): number => (t.flags >>> 19) & 3;
export const tdDi = (t: Td): number => (t.flags >>> 21) & 7;
export const tdToggle = (t: Td): number => (t.flags >>> 24) & 3;
export const tdCc = (t: Td): number => t.flags >>> 28;

/** Token directions, as in ED.D and TD.DP. */
export const DIR_SETUP = 0;
export const DIR_OUT = 1;
export const DIR_IN = 2;

export function tdWithStatus(t: Td, cc: number, ec: number | null, toggle: number | null): void {
  let f = (t.flags & 0x0fffffff) | (cc << 28);
  if (ec !== null) f = (f & ~(3 << 26)) | ((ec & 3) << 26);
  if (toggle !== null) f = (f & ~(3 << 24)) | ((2 | (toggle & 1)) << 24);
  t.flags = f >>> 0;
}

/**
 * What an access is, for its error message: a string, or a function making one (the message of a
 * TD or buffer names its owner's address, and formatting that on every access was ~2 % of a
 * mass-storage run).
 */
type What = string | (() => string);

/** The controller's view of guest RAM: typed descriptor access with bounds and alignment checks. */
export class GuestMemory {
  constructor(private readonly dma: DmaMemory) {}

  private check(addr: number, len: number, what: What): void {
    if (len > 0 && !this.dma.isRam(addr >>> 0, len)) {
      throw new OhciFault(`${typeof what === 'string' ? what : what()} at ${hex(addr)} (${len} bytes) is outside RAM`);
    }
  }

  words(addr: number, n: number, what: What): number[] {
    this.check(addr, n * 4, what);
    const b = this.dma.dmaRead(addr >>> 0, n * 4);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((b[i * 4]! | (b[i * 4 + 1]! << 8) | (b[i * 4 + 2]! << 16) | (b[i * 4 + 3]! << 24)) >>> 0);
    return out;
  }

  read32(addr: number, what: string): number {
    return this.words(addr, 1, what)[0]!;
  }

  writeWords(addr: number, values: readonly number[], what: string): void {
    this.check(addr, values.length * 4, what);
    const b = new Uint8Array(values.length * 4);
    values.forEach((v, i) => { b[i * 4] = v & 0xff; b[i * 4 + 1] = (v >>> 8) & 0xff; b[i * 4 + 2] = (v >>> 16) & 0xff; b[i * 4 + 3] = (v >>> 24) & 0xff; });
    this.dma.dmaWrite(addr >>> 0, b);
  }

  /** Reads an ED, checking its alignment and the reserved bits of its pointers. */
  ed(addr: number, list: string): Ed {
    if (addr & 0xf) throw new OhciFault(`${list} list: ED pointer ${hex(addr)} is not 16-byte aligned`);
    const [flags, tailP, headP, nextED] = this.words(addr, 4, () => `${list} list: ED`) as [number, number, number, number];
    if (tailP & 0xf) throw new OhciFault(`${list} list: ED at ${hex(addr)} has TailP ${hex(tailP)}, not 16-byte aligned`);
    if (headP & 0xc) throw new OhciFault(`${list} list: ED at ${hex(addr)} has HeadP ${hex(headP)}, not 16-byte aligned`);
    if (nextED & 0xf) throw new OhciFault(`${list} list: ED at ${hex(addr)} has NextED ${hex(nextED)}, not 16-byte aligned`);
    return { addr, flags, tailP, headP, nextED };
  }

  /** Writes back the HeadP word (the only ED word the controller owns, 4.2.2). */
  writeEdHead(ed: Ed): void {
    this.writeWords(ed.addr + 8, [ed.headP], 'ED HeadP');
  }

  /** Reads a general TD; `iso` TDs must be 32-byte aligned. */
  td(addr: number, ed: Ed, iso = false): Td {
    const align = iso ? 0x1f : 0xf;
    if (addr & align) throw new OhciFault(`ED at ${hex(ed.addr)}: TD pointer ${hex(addr)} is not ${align + 1}-byte aligned`);
    const [flags, cbp, next, be] = this.words(addr, 4, () => `ED at ${hex(ed.addr)}: TD`) as [number, number, number, number];
    if (next & 0xf) throw new OhciFault(`TD at ${hex(addr)} has NextTD ${hex(next)}, not 16-byte aligned`);
    return { addr, flags, cbp, next, be };
  }

  /** Writes back a retired TD's first three words (flags, CBP, NextTD); BE stays the driver's. */
  writeTd(td: Td): void {
    this.writeWords(td.addr, [td.flags, td.cbp, td.next], 'TD');
  }

  /** Copies `len` bytes of a TD's buffer (the part past a page boundary comes from BE's page). */
  readBuffer(td: Td, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.bufferParts(td, len, (addr, off, n) => {
      this.check(addr, n, () => `TD at ${hex(td.addr)}: buffer`);
      out.set(this.dma.dmaRead(addr, n), off);
    });
    return out;
  }

  writeBuffer(td: Td, bytes: Uint8Array): void {
    this.bufferParts(td, bytes.length, (addr, off, n) => {
      this.check(addr, n, () => `TD at ${hex(td.addr)}: buffer`);
      this.dma.dmaWrite(addr, bytes.subarray(off, off + n));
    });
  }

  private bufferParts(td: Td, len: number, part: (addr: number, off: number, n: number) => void): void {
    if (len <= 0) return;
    const first = Math.min(len, 0x1000 - (td.cbp & 0xfff));
    part(td.cbp >>> 0, 0, first);
    if (first < len) part((td.be & ~0xfff) >>> 0, first, len - first);
  }
}

/** Bytes a general TD's buffer holds (4.3.1.3.1): 0 when CBP = 0, else CBP..BE over at most two pages. */
export function tdLength(td: Td): number {
  if (td.cbp === 0) return 0;
  if (((td.cbp ^ td.be) & ~0xfff) !== 0) return (td.be & 0xfff) + 0x1001 - (td.cbp & 0xfff);
  if ((td.be >>> 0) < (td.cbp >>> 0)) {
    throw new OhciFault(`TD at ${hex(td.addr)}: BufferEnd ${hex(td.be)} is below CurrentBufferPointer ${hex(td.cbp)}`);
  }
  return td.be - td.cbp + 1;
}

/** CBP after `n` of the TD's `len` bytes moved: 0 when all did, else the next byte (crossing into BE's page). */
export function advanceCbp(td: Td, n: number, len: number): number {
  if (n >= len) return 0;
  if ((td.cbp & 0xfff) + n > 0xfff) return ((td.be & ~0xfff) + ((td.cbp + n) & 0xfff)) >>> 0;
  return (td.cbp + n) >>> 0;
}

/** The data toggle a TD starts with: its own T[0] when T[1] is set, else the ED's toggleCarry. */
export function startToggle(td: Td, ed: Ed): number {
  const t = tdToggle(td);
  return t & 2 ? t & 1 : edCarry(ed);
}

/** Data packets of a TD that moved `n` of `len` bytes: full packets, plus the short (or zero-length) last one. */
export function packetCount(n: number, len: number, mps: number): number {
  if (mps <= 0) return 1;
  if (n >= len) return Math.max(1, Math.ceil(len / mps));
  return Math.floor(n / mps) + 1;
}
