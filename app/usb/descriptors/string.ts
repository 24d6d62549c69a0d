// String descriptors (USB 2.0, 9.6.7): index 0 lists the supported LANGIDs (table 9-15); every other
// index is UNICODE text in UTF-16LE without a terminator (table 9-16). bLength is a byte, so a string
// holds at most (255 - 2) / 2 = 126 UTF-16 code units. JavaScript strings are already UTF-16, so the
// code units are written as they are (surrogate pairs included) and no TextEncoder is needed.

import { DESC } from '../usb-backend.js';
import { checkField, le16, putLe16 } from './bytes.js';
import { DescriptorError, expectDescriptor } from './walk.js';

export const LANGID_EN_US = 0x0409;
export const MAX_STRING_UNITS = 126;

export function buildStringDescriptor(text: string): Uint8Array {
  if (text.length > MAX_STRING_UNITS) {
    throw new RangeError(`a string descriptor holds at most ${MAX_STRING_UNITS} UTF-16 code units, "${text.slice(0, 20)}…" has ${text.length}`);
  }
  const b = new Uint8Array(2 + 2 * text.length);
  b[0] = b.length;
  b[1] = DESC.STRING;
  for (let i = 0; i < text.length; i++) putLe16(b, 2 + 2 * i, text.charCodeAt(i));
  return b;
}

export function buildLangIdDescriptor(langIds: readonly number[] = [LANGID_EN_US]): Uint8Array {
  if (langIds.length === 0 || langIds.length > MAX_STRING_UNITS) throw new RangeError(`1..${MAX_STRING_UNITS} LANGIDs, got ${langIds.length}`);
  const b = new Uint8Array(2 + 2 * langIds.length);
  b[0] = b.length;
  b[1] = DESC.STRING;
  langIds.forEach((id, i) => putLe16(b, 2 + 2 * i, checkField('LANGID', id, 0xffff)));
  return b;
}

function checkString(b: Uint8Array, what: string): number {
  expectDescriptor(b, what, DESC.STRING, 2);
  const len = b[0]!;
  if (len % 2 !== 0) throw new DescriptorError(what, 0, `bLength ${len} is odd (UTF-16 code units are 2 bytes)`);
  return len;
}

/** Decodes a string descriptor (index ≥ 1). Unpaired surrogates are kept as they are. */
export function parseStringDescriptor(b: Uint8Array): string {
  const len = checkString(b, 'string descriptor');
  let s = '';
  for (let off = 2; off < len; off += 2) s += String.fromCharCode(le16(b, off));
  return s;
}

/** Decodes string descriptor 0: the LANGIDs the device supports. */
export function parseLangIdDescriptor(b: Uint8Array): number[] {
  const len = checkString(b, 'LANGID string descriptor');
  const ids: number[] = [];
  for (let off = 2; off < len; off += 2) ids.push(le16(b, off));
  return ids;
}
