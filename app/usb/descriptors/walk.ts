// Splitting a run of descriptors into its parts (USB 2.0, 9.5: every descriptor starts with bLength
// and bDescriptorType). A bLength of 0 would loop forever and a bLength past the end would read
// garbage, so both are errors that name the byte offset: descriptors come from devices (real,
// captured or guest-visible) and must never hang or crash the debugger.

import { hex } from './bytes.js';

export class DescriptorError extends Error {
  /** Byte offset of the problem from the start of the parsed buffer. */
  readonly offset: number;
  constructor(what: string, offset: number, problem: string) {
    super(`${what}: ${problem} (at byte offset ${offset})`);
    this.name = 'DescriptorError';
    this.offset = offset;
  }
}

/** One descriptor inside a larger buffer. */
export interface RawDescriptor {
  readonly offset: number;
  readonly bDescriptorType: number;
  /** The whole descriptor including bLength and bDescriptorType (a view into the buffer). */
  readonly bytes: Uint8Array;
}

/** Splits `b` into descriptors; throws DescriptorError on a bLength that is < 2 or runs past the end. */
export function walkDescriptors(b: Uint8Array, what: string, start = 0): RawDescriptor[] {
  const out: RawDescriptor[] = [];
  let off = start;
  while (off < b.length) {
    if (off + 1 >= b.length) throw new DescriptorError(what, off, `1 stray byte ${hex(b[off]!)} after the last descriptor`);
    const len = b[off]!;
    if (len < 2) throw new DescriptorError(what, off, `bLength ${len} is too small (a descriptor is at least 2 bytes)`);
    if (off + len > b.length) {
      throw new DescriptorError(what, off, `bLength ${len} runs past the end of the data (${b.length - off} bytes left)`);
    }
    out.push({ offset: off, bDescriptorType: b[off + 1]!, bytes: b.subarray(off, off + len) });
    off += len;
  }
  return out;
}

/** Checks a fixed-layout descriptor's header: at least `minLen` bytes and the expected type. */
export function expectDescriptor(b: Uint8Array, what: string, type: number, minLen: number, offset = 0): void {
  if (b.length < 2) throw new DescriptorError(what, offset, `${b.length} bytes is too short for a descriptor`);
  if (b[1] !== type) throw new DescriptorError(what, offset + 1, `bDescriptorType is ${hex(b[1]!)}, expected ${hex(type)}`);
  if (b[0]! < minLen) throw new DescriptorError(what, offset, `bLength ${b[0]} is shorter than the ${minLen} bytes this descriptor needs`);
  if (b.length < b[0]!) throw new DescriptorError(what, offset, `bLength ${b[0]} but only ${b.length} bytes present`);
}
