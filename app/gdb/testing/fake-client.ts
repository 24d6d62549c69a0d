// Test support: a recording made in memory, and a gdb client that talks to a GdbSession without a
// socket (packets in, replies out), so protocol behaviour can be tested exactly and quickly.

import { Machine } from '../../engine/machine/machine.js';
import { RecordSession } from '../../replay/sessions/record-session.js';
import { Timeline } from '../../replay/timeline/timeline.js';
import { MemoryTrace } from '../../replay/trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../../replay/trace/trace.js';
import { PacketDecoder, encodePacket, hexToText, latin1, latin1String } from '../packet-codec.js';
import { ReplayTarget } from '../replay-target.js';
import { GdbSession, type SessionHost } from '../session.js';

/** Records an ELF until it exits (8 MiB of RAM, as the timeline tests do). */
export function recordInMemory(image: Uint8Array, interval: number, maxInsns = 5e8): MemoryTrace {
  const machine = Machine.create({ image: { bytes: image }, ramSize: 8 << 20 });
  const trace = new MemoryTrace({
    formatVersion: TRACE_FORMAT_VERSION, createdBy: 'test', machine: { board: 'virt', ramSize: machine.bus.ramSize, ticksPerMtime: 100 },
    guestImage: image, guestImageSha256: '', guestImageName: 'guest.elf', snapshotInterval: interval,
  });
  const session = new RecordSession(machine, trace, { interval, keyframeEvery: 4 });
  for (;;) {
    const r = session.run(1_000_000);
    if (r.kind === 'exit') {
      session.finish(r);
      return trace;
    }
    if (r.kind === 'idle') {
      session.finish({ kind: 'idle' });
      return trace;
    }
    if (session.icount >= maxInsns) {
      session.finish({ kind: 'limit' });
      return trace;
    }
  }
}

export interface FakeClientOptions {
  /** Instructions per chunk of a run operation. */
  readonly chunk?: number;
  /** Replaces the host's turn between chunks (default: a resolved promise). */
  readonly yieldToHost?: (client: FakeClient) => Promise<void>;
}

/** A client speaking to a session: sends packets, collects what comes back. */
export class FakeClient {
  readonly target: ReplayTarget;
  readonly session: GdbSession;
  /** Every byte the session sent. */
  readonly received: number[] = [];
  /** Console text ('O' packets) received since the last request. */
  console = '';
  ended = false;
  readonly logs: string[] = [];
  private readonly decoder = new PacketDecoder(1 << 20);
  private replies: string[] = [];
  acks = 0;
  nacks = 0;

  constructor(trace: MemoryTrace | Timeline, opts: FakeClientOptions = {}) {
    const tl = trace instanceof Timeline ? trace : new Timeline(trace);
    this.target = new ReplayTarget(tl, opts.chunk);
    const host: SessionHost = {
      send: (bytes) => this.onBytes(bytes),
      end: () => { this.ended = true; },
      yieldToHost: () => (opts.yieldToHost ? opts.yieldToHost(this) : Promise.resolve()),
      log: (line) => this.logs.push(line),
    };
    this.session = new GdbSession(this.target, host);
  }

  private onBytes(bytes: Uint8Array): void {
    for (const b of bytes) this.received.push(b);
    for (const ev of this.decoder.feed(bytes)) {
      if (ev.kind === 'ack') this.acks++;
      else if (ev.kind === 'nack') this.nacks++;
      else if (ev.kind === 'packet') {
        if (!ev.checksumOk) throw new Error('the session sent a packet with a bad checksum');
        const text = latin1String(ev.payload);
        if (/^O[0-9a-f]+$/.test(text)) this.console += hexToText(text.slice(1)) ?? '';
        else this.replies.push(text);
      } else {
        throw new Error(`unexpected ${ev.kind} from the session`);
      }
    }
  }

  /** Sends bytes as they are. */
  sendRaw(bytes: Uint8Array | string): void {
    this.session.receive(typeof bytes === 'string' ? latin1(bytes) : bytes);
  }

  /** Sends one packet and waits until the session is idle; returns the replies (usually one). */
  async exchange(payload: string | Uint8Array): Promise<string[]> {
    this.replies = [];
    this.console = '';
    this.session.receive(encodePacket(payload));
    await this.session.whenIdle();
    return this.replies;
  }

  /** Sends one packet; returns its one reply. */
  async request(payload: string | Uint8Array): Promise<string> {
    const r = await this.exchange(payload);
    if (r.length !== 1) throw new Error(`${typeof payload === 'string' ? payload : 'packet'}: expected one reply, got ${JSON.stringify(r)}`);
    return r[0]!;
  }

  /** The hart's position and pc, straight from the target. */
  get where(): { icount: number; pc: number } {
    return { icount: this.target.position, pc: this.target.machine.hart.pc >>> 0 };
  }
}

/** Register `n` from a T stop reply's expedited registers (e.g. 20 = pc). */
export function expedited(reply: string, regnum: number): number | null {
  const m = new RegExp(`;${regnum.toString(16).padStart(2, '0')}:([0-9a-f]{8});`).exec(`;${reply}`);
  if (!m) return null;
  const h = m[1]!;
  return parseInt(h.slice(6, 8) + h.slice(4, 6) + h.slice(2, 4) + h.slice(0, 2), 16);
}
