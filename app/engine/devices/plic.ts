// SiFive PLIC as QEMU 7.2's virt machine configures it (hw/intc/sifive_plic.c with
// VIRT_IRQCHIP_NUM_SOURCES = 96, VIRT_IRQCHIP_NUM_PRIO_BITS = 3 → priorities 0..7, hart config
// "MS": context 0 = hart 0 M-mode → mip.MEIP (bit 11), context 1 = hart 0 S-mode → mip.SEIP (bit 9)).
//
// Register map (32-bit accesses only: QEMU raises an access fault for 1- and 2-byte accesses):
//   0x000000 + 4*n      priority of source n, n = 1..96 (WARL: value & 7); 0x0 reads 0
//   0x001000 + 4*w      pending bits, words 0..2 (read-only)
//   0x002000 + 0x80*c + 4*w   enable bits of context c (0, 1), words 0..2
//   0x200000 + 0x1000*c       threshold of context c (writes > 7 are ignored)
//   0x200004 + 0x1000*c       claim (read) / complete (write)
//   anything else in the 0x600000 window reads 0, writes ignored
//
// Source semantics are QEMU 7.2's, verified on 7.2.22 and different from later QEMU: a source's
// pending bit is set each time the device raises its line (set(true)) and stays set when the line
// drops; only a claim clears it. A claimed source cannot be claimed again until completed; raising
// it meanwhile re-pends it. Complete takes any source number below 96, claimed or not, and does not
// look at the enable bits. Priority 0 never interrupts; ties go to the lowest source number.

import type { AccessSize, HartInterruptPins, IrqLine, MmioDevice, Snapshotable } from '../bus/device.js';
import { StateFormatError, type StateReader, type StateWriter } from '../machine/state-codec.js';

const MIP_SEIP = 9;
const MIP_MEIP = 11;
const NUM_SOURCES = 96;
const WORDS = NUM_SOURCES / 32;
const NUM_CONTEXTS = 2;
const MAX_PRIORITY = 7;
/** Context → the mip bit it drives. */
const CONTEXT_PIN: readonly number[] = [MIP_MEIP, MIP_SEIP];

const PENDING_BASE = 0x1000;
const ENABLE_BASE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT_BASE = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;

export class Plic implements MmioDevice, Snapshotable {
  readonly name = 'plic';
  /** QEMU's aperture, VIRT_PLIC_SIZE(512 harts * 2 contexts). */
  readonly size = 0x60_0000;
  /** Access sizes QEMU accepts (bit n set = n-byte access valid). */
  readonly validSizes = 4;
  readonly stateName = 'plic';
  readonly stateVersion = 1;
  /** Highest source number a device may be wired to. */
  static readonly maxSource = NUM_SOURCES - 1;

  /** Index = source; QEMU 7.2 decodes priority registers for sources 1..96. */
  private readonly priority = new Uint32Array(NUM_SOURCES + 1);
  private readonly pending = new Uint32Array(WORDS);
  private readonly claimed = new Uint32Array(WORDS);
  private readonly enable = new Uint32Array(WORDS * NUM_CONTEXTS);
  private readonly threshold = new Uint32Array(NUM_CONTEXTS);
  private readonly lines: IrqLine[] = [];

  constructor(private readonly pins: HartInterruptPins) {
    for (let s = 0; s < NUM_SOURCES; s++) {
      this.lines.push({ set: (level: boolean) => this.request(s, level) });
    }
    this.reset();
  }

  /** The interrupt line of source 1..95, for a device to drive. */
  line(source: number): IrqLine {
    if (!Number.isInteger(source) || source < 1 || source > Plic.maxSource) {
      throw new RangeError(`PLIC source ${source} does not exist (sources are 1..${Plic.maxSource})`);
    }
    return this.lines[source]!;
  }

  reset(): void {
    this.priority.fill(0);
    this.pending.fill(0);
    this.claimed.fill(0);
    this.enable.fill(0);
    this.threshold.fill(0);
    for (const pin of CONTEXT_PIN) this.pins.setPending(pin, false);
  }

  /** sifive_plic_irq_request in 7.2: only a raise does anything. */
  private request(source: number, level: boolean): void {
    if (!level) return;
    this.pending[source >>> 5]! |= 1 << (source & 31);
    this.update();
  }

  read(offset: number, size: AccessSize): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    if (offset < PENDING_BASE) {
      const n = offset >>> 2;
      return n <= NUM_SOURCES ? this.priority[n]! : 0;
    }
    if (offset < ENABLE_BASE) {
      const w = (offset - PENDING_BASE) >>> 2;
      return w < WORDS ? this.pending[w]! : 0;
    }
    if (offset < CONTEXT_BASE) {
      const rel = offset - ENABLE_BASE;
      const ctx = Math.floor(rel / ENABLE_STRIDE);
      const w = (rel % ENABLE_STRIDE) >>> 2;
      return ctx < NUM_CONTEXTS && w < WORDS ? this.enable[ctx * WORDS + w]! : 0;
    }
    const rel = offset - CONTEXT_BASE;
    const ctx = Math.floor(rel / CONTEXT_STRIDE);
    if (ctx >= NUM_CONTEXTS) return 0;
    switch (rel % CONTEXT_STRIDE) {
      case 0: return this.threshold[ctx]!;
      case 4: return this.claim(ctx);
      default: return 0;
    }
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    const v = value >>> 0;
    if (offset < PENDING_BASE) {
      const n = offset >>> 2;
      if (n >= 1 && n <= NUM_SOURCES) {
        this.priority[n] = v & MAX_PRIORITY;
        this.update();
      }
      return;
    }
    if (offset < ENABLE_BASE) return; // pending bits are read-only
    if (offset < CONTEXT_BASE) {
      const rel = offset - ENABLE_BASE;
      const ctx = Math.floor(rel / ENABLE_STRIDE);
      const w = (rel % ENABLE_STRIDE) >>> 2;
      // QEMU stores the enable word without re-evaluating the outputs; the next update sees it.
      if (ctx < NUM_CONTEXTS && w < WORDS) this.enable[ctx * WORDS + w] = v;
      return;
    }
    const rel = offset - CONTEXT_BASE;
    const ctx = Math.floor(rel / CONTEXT_STRIDE);
    if (ctx >= NUM_CONTEXTS) return;
    switch (rel % CONTEXT_STRIDE) {
      case 0:
        if (v <= MAX_PRIORITY) {
          this.threshold[ctx] = v;
          this.update();
        }
        return;
      case 4:
        if (v < NUM_SOURCES) {
          this.claimed[v >>> 5]! &= ~(1 << (v & 31));
          this.update();
        }
        return;
      default:
        return;
    }
  }

  /** sifive_plic_claimed: the best pending, enabled, unclaimed source above the threshold, or 0. */
  private best(ctx: number): number {
    let maxIrq = 0;
    let maxPrio = this.threshold[ctx]!;
    for (let w = 0; w < WORDS; w++) {
      let bits = this.pending[w]! & ~this.claimed[w]! & this.enable[ctx * WORDS + w]!;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const irq = w * 32 + bit;
        const prio = this.priority[irq]!;
        if (prio > maxPrio) {
          maxIrq = irq;
          maxPrio = prio;
        }
      }
    }
    return maxIrq;
  }

  private claim(ctx: number): number {
    const irq = this.best(ctx);
    if (irq !== 0) {
      this.pending[irq >>> 5]! &= ~(1 << (irq & 31));
      this.claimed[irq >>> 5]! |= 1 << (irq & 31);
    }
    this.update();
    return irq;
  }

  /** sifive_plic_update: drive MEIP/SEIP from each context's best candidate. */
  private update(): void {
    for (let ctx = 0; ctx < NUM_CONTEXTS; ctx++) this.pins.setPending(CONTEXT_PIN[ctx]!, this.best(ctx) !== 0);
  }

  /** The levels this device drives into mip (bit → level), for restoring CPU and devices together. */
  get pinLevels(): { meip: boolean; seip: boolean } {
    return { meip: this.best(0) !== 0, seip: this.best(1) !== 0 };
  }

  saveState(w: StateWriter): void {
    for (const a of [this.priority, this.pending, this.claimed, this.enable, this.threshold]) {
      w.u32(a.length);
      for (let i = 0; i < a.length; i++) w.u32(a[i]!);
    }
  }

  loadState(r: StateReader, version: number): void {
    if (version !== 1) throw new StateFormatError(`${this.stateName}: cannot read state version ${version} (this build reads 1)`);
    for (const [name, a] of [['priority', this.priority], ['pending', this.pending], ['claimed', this.claimed],
      ['enable', this.enable], ['threshold', this.threshold]] as const) {
      const n = r.u32();
      if (n !== a.length) throw new StateFormatError(`${this.stateName}: ${name} has ${n} words, expected ${a.length}`);
      for (let i = 0; i < n; i++) a[i] = r.u32();
    }
  }
}
