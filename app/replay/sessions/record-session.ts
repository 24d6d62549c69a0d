// Recording: runs the machine, lets outside input in at canonical points (and writes it down),
// keeps derived events for the timeline, and takes snapshots at every `interval` instructions.
//
// At a canonical point N the order is: snapshot (if N is a snapshot point), then inputs stamped N.
// So "the state at N" never includes the inputs stamped N, in recording and in replay alike.

import type { Machine } from '../../engine/machine/machine.js';
import type { StopReason } from '../../engine/machine/stop-reason.js';
import { RamHashCache } from '../../engine/machine/state-hash.js';
import { RecordingInputPump } from '../inputs/input-pump.js';
import { DERIVED_TRAP, DERIVED_UART_TX, DERIVED_USB_TRANSFER_END, encodeTrap, encodeUartTx, usbTransferEndFromCompletion } from '../trace/derived-codecs.js';
import { usbCompletion } from '../inputs/usb-completion.js';
import type { DerivedEvent, SnapshotPage, TraceEnd, TraceWriter } from '../trace/trace.js';
import { encodeWriteSummary, mergeWriteSummaries } from '../write-index/write-summary.js';
import { DEFAULT_CHECKPOINT_POLICY, pickSnapshotToThin, type CheckpointPolicy } from '../timeline/checkpoint-policy.js';

const PAGE = 4096;
const UART_CHUNK = 1024;

interface KeptSnapshot { id: number; icount: number; summary: Uint8Array }

export class RecordSession {
  readonly inputs: RecordingInputPump;
  private readonly policy: CheckpointPolicy;
  /** Page hashes for the snapshots' state hashes; null when the writer hashes them (appendUnhashedSnapshot). */
  private readonly hashes: RamHashCache | null;
  /** Pages ever written (or loaded non-zero): a keyframe must hold every non-zero page. */
  private readonly everUsed: Uint8Array;
  private readonly kept: KeptSnapshot[] = [];
  private snapshotCount = 0;
  private nextSnapshotAt = 0;
  private txBytes: number[] = [];
  private txIcounts: number[] = [];
  private ended = false;
  /** Also receives every UART byte as it is transmitted (a live console). */
  onUartOutput: (byte: number) => void = () => {};

  constructor(readonly machine: Machine, private readonly writer: TraceWriter, policy: Partial<CheckpointPolicy> = {}) {
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...policy };
    if (!(this.policy.interval >= 1)) throw new RangeError(`snapshot interval must be at least 1, got ${this.policy.interval}`);
    this.inputs = new RecordingInputPump((e) => {
      writer.appendInput(e);
      // The timeline's USB lane wants each transfer's outcome without decoding inputs.
      if (e.kind === usbCompletion.kind) this.recordDerived({ icount: e.icount, kind: DERIVED_USB_TRANSFER_END, data: usbTransferEndFromCompletion(e.data) });
    });
    const bus = machine.bus;
    this.everUsed = bus.touchedPages();
    // The hash cache skips the pages never touched (all zero).
    this.hashes = writer.appendUnhashedSnapshot ? null : new RamHashCache(bus.ram32, this.everUsed);
    machine.onUartOutput = (b) => {
      this.txBytes.push(b);
      this.txIcounts.push(machine.hart.icount);
      this.onUartOutput(b);
      if (this.txBytes.length >= UART_CHUNK) this.flushDerived();
    };
    machine.hart.onTrap = (mcause, tval, fromPriv, epc) => {
      this.flushDerived(); // keep derived events in icount order
      writer.appendDerived({ icount: machine.hart.icount, kind: DERIVED_TRAP, data: encodeTrap({ mcause, tval, epc, fromPriv }) });
    };
    bus.takeDirtyPages();
    bus.clearWrittenGranules();
    this.nextSnapshotAt = machine.icount;
    this.takeSnapshotIfDue();
  }

  get icount(): number {
    return this.machine.icount;
  }

  /**
   * Runs up to `maxInstructions` more, stopping early like Machine.run (exit, idle, breakpoint).
   * Offered inputs enter at the start of the call, as many as the machine can take. Not at the
   * snapshot points inside the call: where snapshots fall is a storage choice, and the guest must
   * see the same inputs at the same icounts whatever the interval (and as an unrecorded run would).
   */
  run(maxInstructions: number): StopReason {
    if (this.ended) throw new Error('this recording has ended');
    const m = this.machine;
    const target = m.icount + maxInstructions;
    this.inputs.deliver(m);
    for (;;) {
      const stopAt = Math.min(target, this.nextSnapshotAt);
      const r = m.run({ maxInstructions: stopAt - m.icount });
      this.flushDerived();
      this.takeSnapshotIfDue();
      this.writer.markProgress(m.icount);
      if (r.kind !== 'limit' || m.icount >= target) return r;
    }
  }

  /** Ends the recording: a final snapshot (so the last interval has a write summary) and the end record. */
  finish(reason: TraceEnd['reason']): void {
    if (this.ended) return;
    this.flushDerived();
    const last = this.kept[this.kept.length - 1];
    if (!last || last.icount !== this.machine.icount) this.takeSnapshot();
    this.writer.markProgress(this.machine.icount);
    this.writer.setEnd({ icount: this.machine.icount, reason });
    this.writer.flush();
    this.ended = true;
  }

  /** Writes a derived event (e.g. a USB transfer request) in icount order with the session's own. */
  recordDerived(e: DerivedEvent): void {
    this.flushDerived();
    this.writer.appendDerived(e);
  }

  private flushDerived(): void {
    if (this.txBytes.length === 0) return;
    this.writer.appendDerived({ icount: this.txIcounts[0]!, kind: DERIVED_UART_TX, data: encodeUartTx(this.txBytes, this.txIcounts) });
    this.txBytes = [];
    this.txIcounts = [];
  }

  private takeSnapshotIfDue(): void {
    if (this.machine.icount < this.nextSnapshotAt) return;
    this.takeSnapshot();
  }

  private takeSnapshot(): void {
    const m = this.machine;
    const bus = m.bus;
    const dirty = bus.takeDirtyPages();
    const written = bus.takeWrittenGranules(dirty);
    for (const p of dirty) this.everUsed[p] = 1;
    const state = m.saveState();
    const keyframe = this.snapshotCount % this.policy.keyframeEvery === 0;
    const pageNumbers = keyframe ? this.usedPages() : dirty;
    const pages = copyPages(bus.ram, pageNumbers);
    const summary = encodeWriteSummary(written);
    const snapshot = { icount: m.icount, keyframe, state, pages, writeSummary: summary };
    let id: number;
    if (this.hashes) {
      this.hashes.update(dirty);
      id = this.writer.appendSnapshot({ ...snapshot, stateHash: this.hashes.digest(state) });
    } else {
      id = this.writer.appendUnhashedSnapshot!(snapshot);
    }
    this.kept.push({ id, icount: m.icount, summary });
    this.snapshotCount++;
    this.nextSnapshotAt = m.icount + this.policy.interval;
    this.thin();
  }

  private usedPages(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.everUsed.length; p++) if (this.everUsed[p]) out.push(p);
    return out;
  }

  private thin(): void {
    while (this.kept.length > this.policy.budget) {
      const i = pickSnapshotToThin(this.kept.map((k) => k.icount), this.machine.icount, this.policy.interval);
      if (i < 0) return;
      const from = this.kept[i]!;
      const into = this.kept[i + 1]!;
      into.summary = mergeWriteSummaries(from.summary, into.summary);
      this.writer.foldSnapshot(from.id, into.id, into.summary);
      this.kept.splice(i, 1);
    }
  }
}

/**
 * Copies RAM pages into one new buffer, each page a view of it: one allocation per snapshot, and a
 * buffer a writer can hand to another thread whole, without gathering the pages. Shared memory: the
 * threaded writer posts it without a copy (the pages are the writer's once appended; measured on
 * workload-long.elf, ~250 MB of pages: ~150 ms less on the guest's thread than copying them).
 */
function copyPages(ram: Uint8Array, pageNumbers: readonly number[]): SnapshotPage[] {
  const all = new Uint8Array(new SharedArrayBuffer(pageNumbers.length * PAGE));
  const pages: SnapshotPage[] = [];
  for (let i = 0; i < pageNumbers.length; i++) {
    const p = pageNumbers[i]!;
    const data = all.subarray(i * PAGE, (i + 1) * PAGE);
    data.set(ram.subarray(p * PAGE, (p + 1) * PAGE));
    pages.push({ page: p, data });
  }
  return pages;
}
