// Contracts between the board's devices and the rest of the machine.
//
// Determinism rule: a device sees time only through GuestClock (instructions retired), never the host.
// MMIO accesses are always performed with the CPU at an exact instruction boundary (the block
// executor re-runs an MMIO-touching instruction on its own), so clock readings are exact.

import type { StateReader, StateWriter } from '../machine/state-codec.js';

export type AccessSize = 1 | 2 | 4;

/** A memory-mapped device window. Offsets are relative to the window's base address. */
export interface MmioDevice {
  readonly name: string;
  /** Size of the window in bytes. */
  readonly size: number;
  /** Access sizes the device decodes (bit n set = n-byte access valid); others are access faults. Default: all. */
  readonly validSizes?: number;
  /** Reads `size` bytes at `offset` (little-endian); the result is zero-extended to 32 bits. */
  read(offset: number, size: AccessSize): number;
  /** Writes the low `size` bytes of `value` at `offset` (little-endian). */
  write(offset: number, size: AccessSize, value: number): void;
}

/** Explicit, versioned device state. Loading has no side effects beyond restoring fields. */
export interface Snapshotable {
  /** Identifies the state section in a snapshot; stable across versions. */
  readonly stateName: string;
  /** Bumped whenever the saved layout changes. */
  readonly stateVersion: number;
  saveState(w: StateWriter): void;
  /** `version` is the version the state was saved with; a device may refuse versions it cannot read. */
  loadState(r: StateReader, version: number): void;
}

/** Guest time. `icount` = instructions retired; `ticks` = icount + idle warps (cycles the hart spent in WFI). */
export interface GuestClock {
  icount(): number;
  /** The time base for timers: instructions retired plus the cycles skipped while waiting in WFI. */
  ticks(): number;
}

/**
 * A device that must be told when guest time reaches a point (a timer compare, a frame boundary).
 * The machine stops its instruction slices exactly at the earliest deadline and then calls `onDeadline`.
 */
export interface TimedDevice {
  /** The `ticks` value at which this device next needs attention, or Infinity. */
  nextDeadline(): number;
  /** Called when `clock.ticks() >= nextDeadline()`. */
  onDeadline(): void;
}

/** One interrupt line into an interrupt controller (e.g. a PLIC source). Level-triggered. */
export interface IrqLine {
  set(level: boolean): void;
}

/** The hart's interrupt-pending pins (bits of the mip CSR that hardware drives: MSIP 3, MTIP 7, SEIP 9, MEIP 11). */
export interface HartInterruptPins {
  setPending(mipBit: number, level: boolean): void;
}

/** A device that wants to see guest stores to a RAM range (e.g. HTIF's tohost word). */
export interface RamStoreObserver {
  readonly base: number;
  readonly size: number;
  /** Called after a store of `size` bytes at physical address `paddr` has landed in RAM. */
  afterStore(paddr: number, size: AccessSize): void;
}

/** How a device asks the machine to stop: the guest powered off or reported an exit code. */
export interface MachineControl {
  requestExit(code: number, source: string): void;
}
