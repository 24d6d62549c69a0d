// GDB Remote Serial Protocol framing (GDB manual, appendix "GDB Remote Serial Protocol", E.1
// "Overview" and E.11 "Interrupts"):
//
//   $payload#cc   a packet; cc is two hex digits, the sum of the payload bytes modulo 256
//   +  /  -       acknowledgement of a packet (good / resend), until QStartNoAckMode
//   0x03          an interrupt request (Ctrl-C), outside a packet
//
// In binary data (X packets from gdb, qXfer replies from us) the bytes '#', '$', '}' and '*' are
// sent as '}' followed by the byte XOR 0x20. gdb never escapes anything else, so the decoder
// unescapes every payload; the encoder escapes every payload (our text replies never contain those
// characters, so this changes nothing for them). We never send run-length encoding.
//
// The decoder is a byte-at-a-time state machine that never throws: whatever bytes arrive, it ends
// up back in the state "between packets" by the next '$'. A '$' inside a packet abandons the
// packet in progress (it can only mean the stream lost bytes), so a client can always resync.

import { decodeUtf8, encodeUtf8 } from '../engine/util/utf8.js';

/** The largest packet we accept (and announce in qSupported as PacketSize): 16 KiB. */
export const MAX_PACKET_SIZE = 0x4000;

export type DecodedEvent =
  /** A whole packet. `checksumOk` false: the two digits after '#' do not match (or are not hex). */
  | { readonly kind: 'packet'; readonly payload: Uint8Array; readonly checksumOk: boolean }
  /** A packet longer than MAX_PACKET_SIZE; its bytes were dropped. */
  | { readonly kind: 'oversized'; readonly length: number }
  | { readonly kind: 'ack' }
  | { readonly kind: 'nack' }
  | { readonly kind: 'interrupt' };

const DOLLAR = 0x24, HASH = 0x23, ESCAPE = 0x7d, STAR = 0x2a, PLUS = 0x2b, MINUS = 0x2d, CTRL_C = 0x03;

const enum State { Idle, Body, Checksum1, Checksum2 }

function hexDigit(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x61 && b <= 0x66) return b - 0x61 + 10;
  if (b >= 0x41 && b <= 0x46) return b - 0x41 + 10;
  return -1;
}

export class PacketDecoder {
  private state = State.Idle;
  private body = new Uint8Array(256);
  private length = 0;
  /** Raw length of the packet in progress, counted even after it overflowed. */
  private rawLength = 0;
  private sum = 0;
  private expected = 0;
  private checksumValid = true;

  constructor(private readonly maxSize = MAX_PACKET_SIZE) {}

  /** Feeds received bytes; returns what they completed, in order. */
  feed(bytes: Uint8Array): DecodedEvent[] {
    const out: DecodedEvent[] = [];
    for (const b of bytes) {
      switch (this.state) {
        case State.Idle:
          if (b === DOLLAR) this.start();
          else if (b === PLUS) out.push({ kind: 'ack' });
          else if (b === MINUS) out.push({ kind: 'nack' });
          else if (b === CTRL_C) out.push({ kind: 'interrupt' });
          // Anything else between packets is noise: ignored, as gdbserver does.
          break;
        case State.Body:
          if (b === DOLLAR) this.start();
          else if (b === HASH) this.state = State.Checksum1;
          else this.append(b);
          break;
        case State.Checksum1:
        case State.Checksum2: {
          if (b === DOLLAR) {
            this.start();
            break;
          }
          const d = hexDigit(b);
          if (d < 0) this.checksumValid = false;
          this.expected = (this.expected << 4) | Math.max(d, 0);
          if (this.state === State.Checksum1) {
            this.state = State.Checksum2;
            break;
          }
          this.state = State.Idle;
          if (this.rawLength > this.maxSize) {
            out.push({ kind: 'oversized', length: this.rawLength });
          } else {
            const ok = this.checksumValid && this.expected === (this.sum & 0xff);
            out.push({ kind: 'packet', payload: unescape(this.body.subarray(0, this.length)), checksumOk: ok });
          }
          break;
        }
      }
    }
    return out;
  }

  /** Whether a packet is partly received. */
  get inPacket(): boolean {
    return this.state !== State.Idle;
  }

  private start(): void {
    this.state = State.Body;
    this.length = 0;
    this.rawLength = 0;
    this.sum = 0;
    this.expected = 0;
    this.checksumValid = true;
  }

  private append(b: number): void {
    this.sum += b;
    this.rawLength++;
    if (this.rawLength > this.maxSize) return; // keep counting, stop storing
    if (this.length === this.body.length) {
      const bigger = new Uint8Array(Math.min(this.body.length * 2, this.maxSize));
      bigger.set(this.body);
      this.body = bigger;
    }
    this.body[this.length++] = b;
  }
}

/** Undoes the '}' escapes of binary data (a trailing lone '}' is kept as it is). */
export function unescape(raw: Uint8Array): Uint8Array {
  if (!raw.includes(ESCAPE)) return raw.slice();
  const out = new Uint8Array(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === ESCAPE && i + 1 < raw.length) out[n++] = raw[++i]! ^ 0x20;
    else out[n++] = b;
  }
  return out.slice(0, n);
}

/** Frames a payload as $payload#cc, escaping '#', '$', '}' and '*'. */
export function encodePacket(payload: Uint8Array | string): Uint8Array {
  const bytes = typeof payload === 'string' ? latin1(payload) : payload;
  let escapes = 0;
  for (const b of bytes) if (b === HASH || b === DOLLAR || b === ESCAPE || b === STAR) escapes++;
  const out = new Uint8Array(bytes.length + escapes + 4);
  let n = 0;
  let sum = 0;
  out[n++] = DOLLAR;
  const put = (b: number): void => {
    out[n++] = b;
    sum += b;
  };
  for (const b of bytes) {
    if (b === HASH || b === DOLLAR || b === ESCAPE || b === STAR) {
      put(ESCAPE);
      put(b ^ 0x20);
    } else {
      put(b);
    }
  }
  out[n++] = HASH;
  const cs = (sum & 0xff).toString(16).padStart(2, '0');
  out[n++] = cs.charCodeAt(0);
  out[n++] = cs.charCodeAt(1);
  return out;
}

/** Bytes of a string whose characters are all below 256 (protocol text). */
export function latin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** A string with one character per byte. */
export function latin1String(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** Hex text to bytes; null when it is not an even number of hex digits. */
export function fromHex(text: string): Uint8Array | null {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return null;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

/** A 32-bit value as 8 hex digits in target (little-endian) byte order, as registers travel. */
export function hexLe32(value: number): string {
  const v = value >>> 0;
  return toHex(Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24));
}

/** Text as hex of its UTF-8 (qRcmd commands and O console output travel this way). */
export function textToHex(text: string): string {
  return toHex(encodeUtf8(text));
}

export function hexToText(hex: string): string | null {
  const bytes = fromHex(hex);
  return bytes === null ? null : decodeUtf8(bytes);
}
