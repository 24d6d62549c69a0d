// One gdb connection: bytes in, bytes out, over a ReplayTarget. The transport (TCP in
// app/node/gdb-server-tcp.ts, anything in a test) feeds received bytes to receive() and sends what
// the session hands to `host.send`.
//
// State machine:
//   - framing and acks (packet-codec.ts): '+' for each good packet and '-' for a bad checksum
//     until QStartNoAckMode; a '-' from gdb resends our last packet;
//   - requests are handled one at a time, in order; while one runs (continue, step, reverse),
//     later packets wait, except Ctrl-C (0x03), which interrupts it at its next chunk boundary;
//   - every request but k gets exactly one reply (run requests: console 'O' packets, then a stop reply);
//     nothing a client sends makes receive() throw, and an error inside a request becomes an
//     error reply (or, for a run request, a stop with a console message);
//   - k, vKill and D end the session (host.end); so does the transport closing (close()).

import { MAX_PACKET_SIZE, PacketDecoder, encodePacket, hexLe32, latin1, textToHex, toHex } from './packet-codec.js';
import { parseRequest, type GdbRequest } from './requests.js';
import { GENERAL_REGISTER_COUNT, REG_PC, targetXml } from './target-description.js';
import { MonitorError, runMonitor } from './monitor.js';
import { SIGTRAP, type ReplayTarget, type TargetStop } from './replay-target.js';

export interface SessionHost {
  /** Sends bytes to the client. */
  send(bytes: Uint8Array): void;
  /** The client ended the session (k, D): close the connection. */
  end(): void;
  /** Gives the host a turn (socket events) between chunks of a long operation. */
  yieldToHost(): Promise<void>;
  /** Failures worth the server operator's attention (not the client's). */
  log?(line: string): void;
  /** Protocol noise: malformed or oversized packets, refused points. */
  debug?(line: string): void;
}

const SUPPORTED = [
  `PacketSize=${MAX_PACKET_SIZE.toString(16)}`, 'qXfer:features:read+', 'ReverseStep+', 'ReverseContinue+',
  'swbreak+', 'hwbreak+', 'vContSupported+', 'QStartNoAckMode+',
].join(';');

/** Largest memory read answered in one 'm' reply (hex doubles it). */
const MAX_READ = (MAX_PACKET_SIZE - 16) >> 1;
/** Console text per 'O' packet. */
const O_CHUNK = 1024;

type Incoming = { readonly kind: 'packet'; readonly payload: Uint8Array } | { readonly kind: 'oversized'; readonly length: number };

export class GdbSession {
  private readonly decoder = new PacketDecoder();
  private readonly queue: Incoming[] = [];
  private noAck = false;
  private busy = false;
  private running = false;
  private interruptRequested = false;
  private closed = false;
  private lastSent: Uint8Array | null = null;
  private lastStop: TargetStop = { signal: SIGTRAP, why: { kind: 'none' } };
  private readonly clientFeatures = new Set<string>();
  private idleWaiters: (() => void)[] = [];
  /** Packets received with a bad checksum (for diagnostics and tests). */
  badChecksums = 0;

  constructor(private readonly target: ReplayTarget, private readonly host: SessionHost) {}

  /** Whether the session is over (the client ended it, or the transport closed). */
  get ended(): boolean {
    return this.closed;
  }

  /** Bytes from the client. Never throws. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    for (const ev of this.decoder.feed(bytes)) {
      switch (ev.kind) {
        case 'ack':
          break;
        case 'nack':
          if (!this.noAck && this.lastSent) this.sendRaw(this.lastSent);
          break;
        case 'interrupt':
          if (this.running) this.interruptRequested = true;
          break;
        case 'oversized':
          if (!this.noAck) this.sendRaw(latin1('+'));
          this.queue.push(ev);
          break;
        case 'packet':
          if (!ev.checksumOk) {
            this.badChecksums++;
            // gdbserver does the same: ask for it again, or (no-ack mode, nobody resends) take it.
            if (!this.noAck) {
              this.sendRaw(latin1('-'));
              break;
            }
          } else if (!this.noAck) {
            this.sendRaw(latin1('+'));
          }
          this.queue.push({ kind: 'packet', payload: ev.payload });
          break;
      }
    }
    void this.pump();
  }

  /** The transport closed: stop whatever runs, send nothing more. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.wakeIdle();
  }

  /** Resolves when every packet received so far has been answered (for tests). */
  whenIdle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wakeIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const item = this.queue.shift()!;
        if (item.kind === 'oversized') {
          this.host.debug?.(`gdb: dropped a ${item.length}-byte packet (the limit is ${MAX_PACKET_SIZE})`);
          this.reply('E01');
          continue;
        }
        await this.handle(parseRequest(item.payload));
      }
    } catch (e) {
      // handle() answers its own errors; this is a last line of defence.
      this.host.log?.(`gdb: internal error: ${describe(e)}`);
    } finally {
      this.busy = false;
      this.wakeIdle();
    }
  }

  private sendRaw(bytes: Uint8Array): void {
    if (this.closed) return;
    try {
      this.host.send(bytes);
    } catch (e) {
      this.host.log?.(`gdb: send failed: ${describe(e)}`);
    }
  }

  private reply(payload: string | Uint8Array): void {
    const bytes = encodePacket(payload);
    this.lastSent = bytes;
    this.sendRaw(bytes);
  }

  private console(text: string): void {
    for (let i = 0; i < text.length; i += O_CHUNK) this.reply(`O${textToHex(text.slice(i, i + O_CHUNK))}`);
  }

  private endSession(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    try {
      this.host.end();
    } catch (e) {
      this.host.log?.(`gdb: closing failed: ${describe(e)}`);
    }
  }

  private async handle(req: GdbRequest): Promise<void> {
    try {
      await this.dispatch(req);
    } catch (e) {
      this.host.log?.(`gdb: ${req.kind} failed: ${describe(e)}`);
      this.reply('E01');
    }
  }

  private async dispatch(req: GdbRequest): Promise<void> {
    const t = this.target;
    switch (req.kind) {
      case 'supported':
        for (const f of req.features) this.clientFeatures.add(f);
        return this.reply(SUPPORTED);
      case 'start-no-ack':
        this.reply('OK');
        this.noAck = true;
        return;
      case 'read-features': {
        if (req.annex !== 'target.xml') return this.reply('E00');
        const xml = latin1(targetXml());
        const part = xml.subarray(req.offset, req.offset + req.length);
        const more = req.offset + part.length < xml.length;
        const out = new Uint8Array(part.length + 1);
        out[0] = (more ? 'm' : 'l').charCodeAt(0);
        out.set(part, 1);
        return this.reply(out);
      }
      case 'halt-reason':
        return this.reply(this.stopReply(this.lastStop));
      case 'read-registers': {
        let s = '';
        for (let r = 0; r < GENERAL_REGISTER_COUNT; r++) s += hexLe32(t.readRegister(r) ?? 0);
        return this.reply(s);
      }
      case 'write-registers': {
        const d = req.data;
        if (d.length % 4 !== 0 || d.length > GENERAL_REGISTER_COUNT * 4) return this.reply('E01');
        for (let r = 0; r < d.length / 4; r++) {
          if (!t.writeRegister(r, le32(d, r * 4))) return this.reply('E01');
        }
        return this.reply('OK');
      }
      case 'read-register': {
        const v = t.readRegister(req.regnum);
        return this.reply(v === null ? 'E01' : hexLe32(v));
      }
      case 'write-register':
        if (req.data.length !== 4) return this.reply('E01');
        return this.reply(t.writeRegister(req.regnum, le32(req.data, 0)) ? 'OK' : 'E01');
      case 'read-memory': {
        if (req.length === 0) return this.reply('');
        const bytes = t.readMemory(req.addr, Math.min(req.length, MAX_READ));
        return this.reply(bytes.length === 0 ? 'E01' : toHex(bytes));
      }
      case 'write-memory':
        if (req.data.length === 0) return this.reply('OK'); // gdb's probe for X support
        return this.reply(t.writeMemory(req.addr, req.data) ? 'OK' : 'E01');
      case 'resume':
        if (req.addr !== null && !t.writeRegister(REG_PC, req.addr)) return this.reply('E01');
        return this.run(() => (req.action === 'continue' ? t.continueForward(this.runHost) : t.step()));
      case 'reverse':
        return this.run(() => (req.action === 'continue' ? t.reverseContinue(this.runHost) : t.reverseStep()));
      case 'vcont-query':
        return this.reply('vCont;c;C;s;S');
      case 'point': {
        const error = t.setPoint(req.insert, req.type, req.addr, req.length);
        if (error) this.host.debug?.(`gdb: ${req.insert ? 'Z' : 'z'}${req.type}: ${error}`);
        return this.reply(error ? 'E01' : 'OK');
      }
      case 'attached':
        return this.reply('1');
      case 'current-thread':
        return this.reply('QC1');
      case 'thread-info':
        return this.reply(req.first ? 'm1' : 'l');
      case 'set-thread':
        return this.reply('OK');
      case 'thread-alive':
        return this.reply(/^(p1\.)?(1|-1|0)$/.test(req.thread) ? 'OK' : 'E01');
      case 'kill':
        if (req.reply) this.reply('OK');
        return this.endSession();
      case 'detach':
        this.reply('OK');
        return this.endSession();
      case 'monitor': {
        let out: string;
        try {
          out = runMonitor(t, req.command);
        } catch (e) {
          if (!(e instanceof MonitorError)) throw e;
          out = `hindsight: ${e.message}\n`;
        }
        this.console(out);
        return this.reply('OK');
      }
      case 'unsupported':
        return this.reply('');
      case 'malformed':
        this.host.debug?.(`gdb: malformed packet: ${req.reason}`);
        return this.reply('E01');
    }
  }

  private readonly runHost = {
    interrupted: (): boolean => this.interruptRequested || this.closed,
    yieldToHost: (): Promise<void> => this.host.yieldToHost(),
  };

  /** A run request: one stop reply, whatever happens. */
  private async run(op: () => Promise<TargetStop>): Promise<void> {
    this.running = true;
    this.interruptRequested = false;
    let stop: TargetStop;
    try {
      stop = await op();
    } catch (e) {
      this.host.log?.(`gdb: run failed: ${describe(e)}`);
      stop = { signal: SIGTRAP, why: { kind: 'none' }, message: `hindsight: ${describe(e)}\n` };
    } finally {
      this.running = false;
    }
    if (this.closed) return;
    if (stop.message) this.console(stop.message);
    this.lastStop = stop;
    this.reply(this.stopReply(stop));
  }

  /** T packet: signal, why, thread, and the registers gdb wants first (pc, sp, fp). */
  private stopReply(s: TargetStop): string {
    let r = `T${s.signal.toString(16).padStart(2, '0')}`;
    const why = s.why;
    switch (why.kind) {
      case 'breakpoint':
        // Only when gdb said it understands them (it does since 7.10).
        if (this.clientFeatures.has(`${why.type}break+`)) r += `${why.type}break:;`;
        break;
      case 'watch':
        r += `${why.watch}:${why.addr.toString(16)};`;
        break;
      case 'history-begin':
        r += 'replaylog:begin;';
        break;
      case 'history-end':
        r += 'replaylog:end;';
        break;
      case 'none':
        break;
    }
    r += 'thread:1;';
    for (const reg of [REG_PC, 2, 8]) r += `${reg.toString(16).padStart(2, '0')}:${hexLe32(this.target.readRegister(reg) ?? 0)};`;
    return r;
  }
}

function le32(d: Uint8Array, o: number): number {
  return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
