// HID class: the HID descriptor (HID 1.11, 6.2.1), class requests (7.2), the boot keyboard report
// descriptor (appendix B.1 / E.6) and a report-descriptor item parser (6.2.2) that computes report
// layouts, so tests and the UI can compare a device's reports with what it declares.

import { DESC } from '../usb-backend.js';
import { checkField, hex, le16, putLe16 } from './bytes.js';
import { DescriptorError, expectDescriptor } from './walk.js';

/** HID class requests (HID 1.11, 7.2, table in 7.2). */
export const HID_REQ = { GET_REPORT: 0x01, GET_IDLE: 0x02, GET_PROTOCOL: 0x03, SET_REPORT: 0x09, SET_IDLE: 0x0a, SET_PROTOCOL: 0x0b } as const;
/** Report types in the high byte of wValue of GET_REPORT / SET_REPORT (HID 1.11, 7.2.1). */
export const HID_REPORT_TYPE = { INPUT: 1, OUTPUT: 2, FEATURE: 3 } as const;
/** bInterfaceSubClass / bInterfaceProtocol of a boot device (HID 1.11, 4.2 and 4.3). */
export const HID_SUBCLASS_BOOT = 1;
export const HID_PROTOCOL = { NONE: 0, KEYBOARD: 1, MOUSE: 2 } as const;
export const USB_CLASS_HID = 3;

export interface HidDescriptor {
  /** e.g. 0x0111 for HID 1.11. */
  readonly bcdHID: number;
  readonly bCountryCode: number;
  /** Class descriptors: the report descriptor (0x22) first, then optional physical descriptors. */
  readonly descriptors: readonly { readonly type: number; readonly length: number }[];
}

export function buildHidDescriptor(h: HidDescriptor): Uint8Array {
  if (h.descriptors.length === 0) throw new RangeError('a HID descriptor lists at least the report descriptor');
  const b = new Uint8Array(6 + 3 * h.descriptors.length);
  b[0] = b.length;
  b[1] = DESC.HID;
  putLe16(b, 2, checkField('bcdHID', h.bcdHID, 0xffff));
  b[4] = checkField('bCountryCode', h.bCountryCode, 0xff);
  b[5] = h.descriptors.length;
  h.descriptors.forEach((d, i) => {
    b[6 + 3 * i] = checkField('bDescriptorType', d.type, 0xff);
    putLe16(b, 7 + 3 * i, checkField('wDescriptorLength', d.length, 0xffff));
  });
  return b;
}

export function parseHidDescriptor(b: Uint8Array, offset = 0): HidDescriptor {
  const what = 'HID descriptor';
  expectDescriptor(b, what, DESC.HID, 9, offset);
  const n = b[5]!;
  if (n === 0) throw new DescriptorError(what, offset + 5, 'bNumDescriptors is 0 (the report descriptor is mandatory)');
  if (b[0]! < 6 + 3 * n) throw new DescriptorError(what, offset, `bLength ${b[0]} is too short for ${n} class descriptors (needs ${6 + 3 * n})`);
  const descriptors = [];
  for (let i = 0; i < n; i++) descriptors.push({ type: b[6 + 3 * i]!, length: le16(b, 7 + 3 * i) });
  return { bcdHID: le16(b, 2), bCountryCode: b[4]!, descriptors };
}

/**
 * The boot keyboard report descriptor of HID 1.11 appendix E.6 (63 bytes): input report = modifier
 * byte, reserved byte, 6 key-code bytes; output report = 5 LED bits + 3 padding bits. Boot-protocol
 * hosts (BIOSes, simple guest drivers) assume exactly this layout without reading the descriptor.
 */
export const BOOT_KEYBOARD_REPORT_DESCRIPTOR = Uint8Array.of(
  0x05, 0x01, // Usage Page (Generic Desktop)
  0x09, 0x06, // Usage (Keyboard)
  0xa1, 0x01, // Collection (Application)
  0x05, 0x07, //   Usage Page (Key Codes)
  0x19, 0xe0, //   Usage Minimum (224: Left Control)
  0x29, 0xe7, //   Usage Maximum (231: Right GUI)
  0x15, 0x00, //   Logical Minimum (0)
  0x25, 0x01, //   Logical Maximum (1)
  0x75, 0x01, //   Report Size (1)
  0x95, 0x08, //   Report Count (8)
  0x81, 0x02, //   Input (Data, Variable, Absolute): modifier byte
  0x95, 0x01, //   Report Count (1)
  0x75, 0x08, //   Report Size (8)
  0x81, 0x01, //   Input (Constant): reserved byte
  0x95, 0x05, //   Report Count (5)
  0x75, 0x01, //   Report Size (1)
  0x05, 0x08, //   Usage Page (LEDs)
  0x19, 0x01, //   Usage Minimum (1: Num Lock)
  0x29, 0x05, //   Usage Maximum (5: Kana)
  0x91, 0x02, //   Output (Data, Variable, Absolute): LED report
  0x95, 0x01, //   Report Count (1)
  0x75, 0x03, //   Report Size (3)
  0x91, 0x01, //   Output (Constant): LED report padding
  0x95, 0x06, //   Report Count (6)
  0x75, 0x08, //   Report Size (8)
  0x15, 0x00, //   Logical Minimum (0)
  0x25, 0x65, //   Logical Maximum (101)
  0x05, 0x07, //   Usage Page (Key Codes)
  0x19, 0x00, //   Usage Minimum (0)
  0x29, 0x65, //   Usage Maximum (101)
  0x81, 0x00, //   Input (Data, Array): key array (6 bytes)
  0xc0,       // End Collection
);

export type HidItemType = 'main' | 'global' | 'local' | 'reserved' | 'long';

/** One item of a report descriptor (HID 1.11, 6.2.2.2 short items, 6.2.2.3 long items). */
export interface HidItem {
  readonly offset: number;
  readonly type: HidItemType;
  readonly tag: number;
  /** Data bytes (0, 1, 2 or 4 for short items). */
  readonly data: Uint8Array;
  /** Data as an unsigned little-endian number (short items). */
  readonly value: number;
}

const ITEM_TYPES: readonly HidItemType[] = ['main', 'global', 'local', 'reserved'];

/** Splits a report descriptor into items; a truncated item is a DescriptorError naming its offset. */
export function parseReportDescriptor(b: Uint8Array): HidItem[] {
  const what = 'HID report descriptor';
  const items: HidItem[] = [];
  let off = 0;
  while (off < b.length) {
    const prefix = b[off]!;
    if (prefix === 0xfe) {
      if (off + 3 > b.length) throw new DescriptorError(what, off, 'long item header runs past the end');
      const size = b[off + 1]!;
      if (off + 3 + size > b.length) throw new DescriptorError(what, off, `long item of ${size} data bytes runs past the end`);
      items.push({ offset: off, type: 'long', tag: b[off + 2]!, data: b.subarray(off + 3, off + 3 + size), value: 0 });
      off += 3 + size;
      continue;
    }
    const size = [0, 1, 2, 4][prefix & 3]!;
    if (off + 1 + size > b.length) throw new DescriptorError(what, off, `item ${hex(prefix)} needs ${size} data bytes, only ${b.length - off - 1} left`);
    const data = b.subarray(off + 1, off + 1 + size);
    let value = 0;
    for (let i = size - 1; i >= 0; i--) value = value * 256 + data[i]!;
    items.push({ offset: off, type: ITEM_TYPES[(prefix >> 2) & 3]!, tag: prefix >> 4, data, value });
    off += 1 + size;
  }
  return items;
}

export type HidReportKind = 'input' | 'output' | 'feature';

/** One Input/Output/Feature main item as it lands in a report. */
export interface HidReportField {
  readonly kind: HidReportKind;
  readonly reportId: number;
  readonly bitOffset: number;
  readonly reportSize: number;
  readonly reportCount: number;
  /** Bit 0: constant; bit 1: variable (else array); bit 2: relative (HID 1.11, 6.2.2.4). */
  readonly flags: number;
  readonly usagePage: number;
}

const MAIN_KIND: Record<number, HidReportKind> = { 0x8: 'input', 0x9: 'output', 0xb: 'feature' };

/**
 * Lays out the reports a descriptor declares: each Input/Output/Feature item with its bit offset,
 * following the global state (Report Size, Report Count, Report ID, Usage Page, Push/Pop; HID 1.11,
 * 6.2.2.7). Report IDs, when present, take the first byte of each report and are not counted here.
 */
export function reportLayout(items: readonly HidItem[]): HidReportField[] {
  type Globals = { usagePage: number; reportSize: number; reportCount: number; reportId: number };
  let g: Globals = { usagePage: 0, reportSize: 0, reportCount: 0, reportId: 0 };
  const stack: Globals[] = [];
  const bits = new Map<string, number>();
  const fields: HidReportField[] = [];
  for (const it of items) {
    if (it.type === 'global') {
      switch (it.tag) {
        case 0x0: g = { ...g, usagePage: it.value }; break;
        case 0x7: g = { ...g, reportSize: it.value }; break;
        case 0x8: g = { ...g, reportId: it.value }; break;
        case 0x9: g = { ...g, reportCount: it.value }; break;
        case 0xa: stack.push(g); break;
        case 0xb: {
          const top = stack.pop();
          if (!top) throw new DescriptorError('HID report descriptor', it.offset, 'Pop without a matching Push');
          g = top;
          break;
        }
        default: break;
      }
    } else if (it.type === 'main' && MAIN_KIND[it.tag]) {
      const kind = MAIN_KIND[it.tag]!;
      const key = `${kind}:${g.reportId}`;
      const at = bits.get(key) ?? 0;
      fields.push({ kind, reportId: g.reportId, bitOffset: at, reportSize: g.reportSize, reportCount: g.reportCount, flags: it.value, usagePage: g.usagePage });
      bits.set(key, at + g.reportSize * g.reportCount);
    }
  }
  return fields;
}

/** Total size in bytes of each report, keyed "input:0", "output:0", … (bits rounded up to bytes). */
export function reportSizes(fields: readonly HidReportField[]): Map<string, number> {
  const bits = new Map<string, number>();
  for (const f of fields) {
    const key = `${f.kind}:${f.reportId}`;
    bits.set(key, Math.max(bits.get(key) ?? 0, f.bitOffset + f.reportSize * f.reportCount));
  }
  return new Map([...bits].map(([k, v]) => [k, Math.ceil(v / 8)]));
}
