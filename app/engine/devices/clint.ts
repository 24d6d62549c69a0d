// SiFive CLINT as QEMU 7.2's virt machine builds it: an ACLINT SSWI-less "MSWI" at +0x0 and an
// MTIMER at +0x4000 (hw/intc/riscv_aclint.c, riscv_aclint_swi_create + riscv_aclint_mtimer_create,
// timebase 10 MHz), one hart.
//
// Register map (32-bit accesses only; QEMU raises an access fault for 1- and 2-byte accesses and
// for offsets 0xc000..0xffff of the 0x10000 window):
//   0x0000  msip       bit 0 drives mip.MSIP (reads back bit 0)
//   0x4000  mtimecmp   low word      0x4004  mtimecmp high word
//   0xbff8  mtime      low word      0xbffc  mtime high word
//   other offsets in 0x0000..0xbfff read 0, writes ignored.
//
// Time: mtime = floor(ticks / 100) + delta (mod 2^64): a 10 MHz timer on the 1 GHz instruction
// clock, as QEMU with `-icount shift=0` (1 ns per instruction). Writing one half of mtime keeps the
// other half of the current mtime (verified against QEMU 7.2).
//
// MTIP follows QEMU's model, not a continuous comparison: every mtimecmp or mtime write sets MTIP
// if mtimecmp <= mtime now, else clears it and arms a timer for now + (mtimecmp - mtime) * 100
// ticks (riscv_aclint_mtimer_write_timecmp). So MTIP can rise up to 99 ticks after mtime reaches
// mtimecmp, exactly as in QEMU (measured with -icount shift=0: the interrupt is taken 100
// instructions after writing mtimecmp = mtime + 1, whatever the phase). At power-on mtimecmp = 0 =
// mtime, so MTIP is set (QEMU 7.2 shows mip = 0x80 at the first instruction).

import type { AccessSize, GuestClock, HartInterruptPins, MmioDevice, Snapshotable, TimedDevice } from '../bus/device.js';
import { StateFormatError, type StateReader, type StateWriter } from '../machine/state-codec.js';

const MIP_MSIP = 3;
const MIP_MTIP = 7;
const TWO32 = 0x1_0000_0000;
/** Ticks (1 GHz instruction clock) per mtime count (10 MHz). */
export const TICKS_PER_MTIME = 100;

export class Clint implements MmioDevice, Snapshotable, TimedDevice {
  readonly name = 'clint';
  /** Bytes QEMU decodes: MSWI 0x4000 + MTIMER 0x8000. */
  readonly size = 0xc000;
  /** Access sizes QEMU accepts (bit n set = n-byte access valid). */
  readonly validSizes = 4;
  readonly stateName = 'clint';
  readonly stateVersion = 1;

  private msip = false;
  private cmpLo = 0;
  private cmpHi = 0;
  /** mtime - floor(ticks / 100), mod 2^64. */
  private deltaLo = 0;
  private deltaHi = 0;
  private mtip = false;
  private deadline = Infinity;
  // Scratch result of now(), so reads don't allocate.
  private nowLo = 0;
  private nowHi = 0;

  constructor(private readonly clock: GuestClock, private readonly pins: HartInterruptPins) {
    this.reset();
  }

  /** Power-on state: msip clear, mtimecmp 0, mtime 0 (so MTIP set), as QEMU 7.2 resets. */
  reset(): void {
    this.msip = false;
    this.pins.setPending(MIP_MSIP, false);
    this.cmpLo = 0;
    this.cmpHi = 0;
    this.setMtime(0, 0);
  }

  /** Current mtime as a number (exact while below 2^53). */
  mtime(): number {
    this.now();
    return this.nowHi * TWO32 + this.nowLo;
  }

  nextDeadline(): number {
    return this.deadline;
  }

  onDeadline(): void {
    if (this.clock.ticks() < this.deadline) return;
    this.deadline = Infinity;
    this.setMtip(true);
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4) return 0;
    switch (offset) {
      case 0x0000: return this.msip ? 1 : 0;
      case 0x4000: return this.cmpLo;
      case 0x4004: return this.cmpHi;
      case 0xbff8: this.now(); return this.nowLo;
      case 0xbffc: this.now(); return this.nowHi;
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4) return;
    const v = value >>> 0;
    switch (offset) {
      case 0x0000:
        this.msip = (v & 1) !== 0;
        this.pins.setPending(MIP_MSIP, this.msip);
        return;
      case 0x4000:
        this.cmpLo = v;
        this.updateTimer();
        return;
      case 0x4004:
        this.cmpHi = v;
        this.updateTimer();
        return;
      case 0xbff8:
        this.now();
        this.setMtime(this.nowHi, v);
        return;
      case 0xbffc:
        this.now();
        this.setMtime(v, this.nowLo);
        return;
      default:
        return;
    }
  }

  /** mtime now → nowHi:nowLo. */
  private now(): void {
    const raw = Math.floor(this.clock.ticks() / TICKS_PER_MTIME);
    const rawHi = Math.floor(raw / TWO32);
    let lo = raw - rawHi * TWO32 + this.deltaLo;
    let carry = 0;
    if (lo >= TWO32) { lo -= TWO32; carry = 1; }
    this.nowLo = lo;
    this.nowHi = (rawHi + this.deltaHi + carry) >>> 0;
  }

  /** Makes mtime read hi:lo now, then re-evaluates the timer as QEMU does after an mtime write. */
  private setMtime(hi: number, lo: number): void {
    const raw = Math.floor(this.clock.ticks() / TICKS_PER_MTIME);
    const rawHi = Math.floor(raw / TWO32);
    let dLo = lo - (raw - rawHi * TWO32);
    let borrow = 0;
    if (dLo < 0) { dLo += TWO32; borrow = 1; }
    this.deltaLo = dLo;
    this.deltaHi = (hi - rawHi - borrow) >>> 0;
    this.updateTimer();
  }

  /** riscv_aclint_mtimer_write_timecmp: MTIP now, or a deadline for later. */
  private updateTimer(): void {
    this.now();
    const past = this.cmpHi < this.nowHi || (this.cmpHi === this.nowHi && this.cmpLo <= this.nowLo);
    if (past) {
      this.deadline = Infinity;
      this.setMtip(true);
      return;
    }
    this.setMtip(false);
    let dLo = this.cmpLo - this.nowLo;
    let borrow = 0;
    if (dLo < 0) { dLo += TWO32; borrow = 1; }
    const dHi = this.cmpHi - this.nowHi - borrow; // >= 0 because cmp > now
    const diff = dHi * TWO32 + dLo;
    const deadline = this.clock.ticks() + diff * TICKS_PER_MTIME;
    // Past 2^53 ticks (104 days of guest time) is never reached; QEMU clamps to INT64_MAX likewise.
    this.deadline = deadline <= Number.MAX_SAFE_INTEGER ? deadline : Infinity;
  }

  private setMtip(level: boolean): void {
    this.mtip = level;
    this.pins.setPending(MIP_MTIP, level);
  }

  saveState(w: StateWriter): void {
    w.bool(this.msip).u64(this.cmpLo, this.cmpHi).u64(this.deltaLo, this.deltaHi).bool(this.mtip).f64(this.deadline);
  }

  loadState(r: StateReader, version: number): void {
    if (version !== 1) throw new StateFormatError(`${this.stateName}: cannot read state version ${version} (this build reads 1)`);
    this.msip = r.bool();
    [this.cmpLo, this.cmpHi] = r.u64();
    [this.deltaLo, this.deltaHi] = r.u64();
    this.mtip = r.bool();
    this.deadline = r.f64();
  }

  /** The levels this device drives into mip, for a machine restoring CPU and device state together. */
  get pinLevels(): { msip: boolean; mtip: boolean } {
    return { msip: this.msip, mtip: this.mtip };
  }
}
