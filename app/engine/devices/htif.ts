// HTIF (Berkeley host-target interface) as QEMU 7.2 implements it (hw/char/riscv_htif.c): the
// riscv-tests / bbl way to print and exit through the ELF's `tohost` and `fromhost` symbols.
// Note: QEMU instantiates HTIF only on the spike machine; on virt, tohost is plain RAM.
//
// QEMU maps an MMIO region over [min(tohost, fromhost), max(tohost, fromhost) + 8) that hides the
// RAM below. Here the stores land in RAM and this observer then does what QEMU's region would
// have done, and writes the registers back so RAM reads what QEMU's region would read:
//   tohost+0   low word: accepted only while tohost == 0 (then tohost = value, arming the high
//              word); otherwise ignored and the high word disarmed
//   tohost+4   high word: if armed, tohost |= value << 32 and the command runs
//   fromhost+0 fromhost = value (clears the high word)      fromhost+4  fromhost |= value << 32
//   other offsets in the region: writes ignored, reads 0
// Commands (device = tohost[63:56], cmd = tohost[55:48], payload = tohost[47:0]):
//   device 0 cmd 0, payload bit 0 set: exit with code payload >> 1 (as a C int)
//   device 1 cmd 1: console putchar (payload & 0xff); fromhost = device/cmd | 0x100 | char
//   device 1 cmd 0: console getchar request (input is not supported: nothing arrives)
//   anything else: ignored (7.2 has no syscall proxy); fromhost = device/cmd bits | 0
// After a command (except exit and getchar) tohost reads 0 again. An RV32 guest must write the
// low word first, then the high word (riscv-tests does).

import type { AccessSize, MachineControl, RamStoreObserver, Snapshotable } from '../bus/device.js';
import { StateFormatError, type StateReader, type StateWriter } from '../machine/state-codec.js';

const TWO32 = 0x1_0000_0000;

/** Word access to guest physical memory (RAM), used to see stored values and write registers back. */
export interface PhysMemory32 {
  /** `paddr` is 4-byte aligned. */
  read32(paddr: number): number;
  /** `paddr` is 4-byte aligned. */
  write32(paddr: number, value: number): void;
}

export interface HtifOptions {
  /** Address of the 8-byte `tohost` symbol. */
  tohost: number;
  /** Address of the 8-byte `fromhost` symbol, if the ELF has one. */
  fromhost?: number;
  memory: PhysMemory32;
  control: MachineControl;
  transmit: (byte: number) => void;
}

export interface HtifSymbolLookup {
  (name: string): { value: number; size: number } | undefined;
}

/**
 * The HTIF addresses of an ELF, or undefined if it has no `tohost`. QEMU refuses symbols whose
 * size is not 8; so does this.
 */
export function findHtifAddresses(lookup: HtifSymbolLookup): { tohost: number; fromhost?: number } | undefined {
  const to = lookup('tohost');
  if (!to) return undefined;
  const from = lookup('fromhost');
  for (const [name, s] of [['tohost', to], ['fromhost', from]] as const) {
    if (s && s.size !== 8) throw new RangeError(`HTIF symbol ${name} at 0x${s.value.toString(16)} is ${s.size} bytes; it must be 8`);
  }
  return from ? { tohost: to.value, fromhost: from.value } : { tohost: to.value };
}

export class Htif implements RamStoreObserver, Snapshotable {
  readonly base: number;
  readonly size: number;
  readonly stateName = 'htif';
  readonly stateVersion = 1;

  private readonly tohostAddr: number;
  private readonly fromhostAddr: number;
  private readonly hasFromhost: boolean;
  private readonly memory: PhysMemory32;
  private readonly control: MachineControl;
  private readonly transmit: (byte: number) => void;

  private tohostLo = 0;
  private tohostHi = 0;
  private fromhostLo = 0;
  private fromhostHi = 0;
  private allowTohost = false;
  private fromhostInProgress = false;
  private pendingReadLo = 0;
  private pendingReadHi = 0;
  private syncing = false;

  constructor(options: HtifOptions) {
    const { tohost, fromhost } = options;
    for (const [name, a] of [['tohost', tohost], ['fromhost', fromhost]] as const) {
      if (a !== undefined && (!Number.isInteger(a) || a < 0 || a + 8 > TWO32 || a % 4 !== 0)) {
        throw new RangeError(`HTIF ${name} address 0x${a.toString(16)} must be a 4-byte aligned 32-bit address`);
      }
    }
    this.tohostAddr = tohost;
    this.hasFromhost = fromhost !== undefined;
    this.fromhostAddr = fromhost ?? tohost;
    this.base = Math.min(tohost, this.fromhostAddr);
    this.size = Math.max(tohost, this.fromhostAddr) + 8 - this.base;
    this.memory = options.memory;
    this.control = options.control;
    this.transmit = options.transmit;
  }

  /**
   * Power-on state: all registers 0. Call after the ELF is loaded: it writes the region as QEMU's
   * MMIO overlay reads (zeros), whatever the ELF put there.
   */
  reset(): void {
    this.tohostLo = this.tohostHi = this.fromhostLo = this.fromhostHi = 0;
    this.pendingReadLo = this.pendingReadHi = 0;
    this.allowTohost = false;
    this.fromhostInProgress = false;
    this.syncing = true;
    try {
      for (let a = this.base; a < this.base + this.size; a += 4) this.memory.write32(a, 0);
    } finally {
      this.syncing = false;
    }
  }

  afterStore(paddr: number, size: AccessSize): void {
    // Our own write-backs are not guest stores, should `memory` report them to observers.
    if (this.syncing) return;
    const start = Math.max(paddr, this.base);
    const end = Math.min(paddr + size, this.base + this.size);
    if (start >= end) return;
    // The value the store carried, as QEMU's MMIO handler would receive it (zero-extended).
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + this.byteAt(paddr + i);
    this.mmioWrite(paddr - this.base, value);
    this.syncing = true;
    try {
      this.syncWord(start & ~3);
      if (((end - 1) & ~3) !== (start & ~3)) this.syncWord((end - 1) & ~3);
      this.syncRegisters();
    } finally {
      this.syncing = false;
    }
  }

  private byteAt(paddr: number): number {
    return (this.memory.read32(paddr & ~3) >>> ((paddr & 3) * 8)) & 0xff;
  }

  /** htif_mm_write. */
  private mmioWrite(offset: number, value: number): void {
    const to = this.tohostAddr - this.base;
    const from = this.fromhostAddr - this.base;
    if (offset === to) {
      if (this.tohostLo === 0 && this.tohostHi === 0) {
        this.allowTohost = true;
        this.tohostLo = value >>> 0;
        this.tohostHi = 0;
      } else {
        this.allowTohost = false;
      }
    } else if (offset === to + 4) {
      if (this.allowTohost) {
        this.tohostHi = (this.tohostHi | value) >>> 0;
        this.handleTohost();
      }
    } else if (this.hasFromhost && offset === from) {
      this.fromhostInProgress = true;
      this.fromhostLo = value >>> 0;
      this.fromhostHi = 0;
    } else if (this.hasFromhost && offset === from + 4) {
      this.fromhostHi = (this.fromhostHi | value) >>> 0;
      this.fromhostInProgress = false;
    }
  }

  /** htif_handle_tohost_write. */
  private handleTohost(): void {
    const lo = this.tohostLo;
    const hi = this.tohostHi;
    const device = hi >>> 24;
    const cmd = (hi >>> 16) & 0xff;
    let resp = 0;
    if (device === 0) {
      if (cmd === 0 && (lo & 1) !== 0) {
        // `int exit_code = payload >> 1`: the low 32 bits of the 47-bit value, signed.
        const code = (((hi & 1) << 31) | (lo >>> 1)) | 0;
        this.control.requestExit(code, `htif: guest wrote exit code ${code} to tohost`);
        return;
      }
    } else if (device === 1) {
      if (cmd === 0) {
        this.pendingReadLo = lo;
        this.pendingReadHi = hi;
        this.tohostLo = this.tohostHi = 0;
        return;
      }
      if (cmd === 1) {
        const ch = lo & 0xff;
        this.transmit(ch);
        resp = 0x100 | ch;
      }
    }
    this.fromhostHi = (hi & 0xffff0000) >>> 0;
    this.fromhostLo = resp;
    this.tohostLo = this.tohostHi = 0;
  }

  /** What QEMU's region reads at the word at `paddr`. */
  private registerWord(paddr: number): number {
    if (paddr === this.tohostAddr) return this.tohostLo;
    if (paddr === this.tohostAddr + 4) return this.tohostHi;
    if (this.hasFromhost && paddr === this.fromhostAddr) return this.fromhostLo;
    if (this.hasFromhost && paddr === this.fromhostAddr + 4) return this.fromhostHi;
    return 0;
  }

  private syncWord(paddr: number): void {
    this.memory.write32(paddr, this.registerWord(paddr));
  }

  private syncRegisters(): void {
    this.memory.write32(this.tohostAddr, this.tohostLo);
    this.memory.write32(this.tohostAddr + 4, this.tohostHi);
    if (this.hasFromhost) {
      this.memory.write32(this.fromhostAddr, this.fromhostLo);
      this.memory.write32(this.fromhostAddr + 4, this.fromhostHi);
    }
  }

  saveState(w: StateWriter): void {
    w.u64(this.tohostLo, this.tohostHi).u64(this.fromhostLo, this.fromhostHi)
      .bool(this.allowTohost).bool(this.fromhostInProgress).u64(this.pendingReadLo, this.pendingReadHi);
  }

  loadState(r: StateReader, version: number): void {
    if (version !== 1) throw new StateFormatError(`${this.stateName}: cannot read state version ${version} (this build reads 1)`);
    [this.tohostLo, this.tohostHi] = r.u64();
    [this.fromhostLo, this.fromhostHi] = r.u64();
    this.allowTohost = r.bool();
    this.fromhostInProgress = r.bool();
    [this.pendingReadLo, this.pendingReadHi] = r.u64();
  }
}
