// The one place inputs enter the machine, in both modes.
//
// Record: a host offers values from the outside world (offer); at each canonical point the pump
// applies those the machine can take, and writes each to the recording with the current icount.
// Replay: the pump applies the recorded events whose icount has come, and checks that the machine
// can take them; anything else is a ReplayDivergenceError.

import type { Machine } from '../../engine/machine/machine.js';
import { TraceFormatError, type InputEvent } from '../trace/trace.js';
import { ReplayDivergenceError } from '../divergence.js';
import type { InputSource } from './input-source.js';
import { inputSource } from './registry.js';

interface Offered { source: InputSource<unknown>; value: unknown }

export class RecordingInputPump {
  private readonly queue: Offered[] = [];

  constructor(private readonly record: (e: InputEvent) => void) {}

  /** A value from the outside world, to enter the machine as soon as it can take it. */
  offer<T>(source: InputSource<T>, value: T): void {
    this.queue.push({ source: source as InputSource<unknown>, value });
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * At a canonical point: applies what the machine can take, recording each. Values of one source
   * enter in the order offered; a source that cannot take its next value (a full UART FIFO) does
   * not hold up the others (a USB completion the guest is waiting for).
   */
  deliver(machine: Machine): number {
    let n = 0;
    const blocked = new Set<string>();
    const rest: Offered[] = [];
    for (const item of this.queue) {
      const { source, value } = item;
      if (blocked.has(source.kind) || !source.canApply(machine, value)) {
        blocked.add(source.kind);
        rest.push(item);
        continue;
      }
      source.apply(machine, value);
      this.record({ icount: machine.icount, ticks: machine.hart.ticks(), kind: source.kind, data: source.encode(value) });
      n++;
    }
    this.queue.length = 0;
    this.queue.push(...rest);
    return n;
  }
}

export class ReplayInputPump {
  private events: InputEvent[] = [];
  private next = 0;

  /** Loads the recorded events from `events` (sorted by icount), starting at the first >= icount. */
  reset(events: InputEvent[], icount: number): void {
    this.events = events;
    this.next = 0;
    while (this.next < events.length && events[this.next]!.icount < icount) this.next++;
  }

  /** Icount of the next recorded input, or Infinity. */
  nextIcount(): number {
    return this.next < this.events.length ? this.events[this.next]!.icount : Infinity;
  }

  /** Guest time (ticks) of the next recorded input: with its icount, the exact moment it entered. */
  nextTicks(): number {
    return this.next < this.events.length ? this.events[this.next]!.ticks : Infinity;
  }

  /** Applies the recorded inputs stamped with the machine's current moment (icount and ticks). */
  deliver(machine: Machine): number {
    let n = 0;
    const now = machine.icount;
    const nowTicks = machine.hart.ticks();
    while (this.next < this.events.length) {
      const e = this.events[this.next]!;
      if (e.icount > now || (e.icount === now && e.ticks > nowTicks)) break;
      if (e.icount < now || e.ticks < nowTicks) {
        throw new ReplayDivergenceError(e.icount, `input ${e.kind} at icount ${e.icount} (time ${e.ticks})`, `reached icount ${now} (time ${nowTicks}) without applying it`);
      }
      const { source, value } = decodeInput(e);
      if (!source.canApply(machine, value)) {
        throw new ReplayDivergenceError(now, source.describe(value), 'a machine that cannot take it (e.g. the UART FIFO is full)');
      }
      source.apply(machine, value);
      this.next++;
      n++;
    }
    return n;
  }
}

/** A recorded input's source and value; a bad one is a TraceFormatError naming its icount. */
function decodeInput(e: InputEvent): { source: InputSource<unknown>; value: unknown } {
  try {
    const source = inputSource(e.kind);
    return { source, value: source.decode(e.data) };
  } catch (err) {
    if (err instanceof TraceFormatError) throw new TraceFormatError(`the input event at icount ${e.icount}: ${err.message}`, { cause: err });
    throw err;
  }
}
