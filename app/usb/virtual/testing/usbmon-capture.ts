// Minimal reader of little-endian usbmon captures (pcap or pcapng, link types 189 and 220), enough
// for tests to replay the real captures in /work/shared/usb-captures against the virtual devices.
// Test support only: app/usb/capture/ is the product's reader. Layout: /work/shared/usb-captures/README.md
// (Linux Documentation/usb/usbmon.rst, struct usbmon_packet; pcapng draft, EPB/SPB/IDB/SHB).

import { le16, le32 } from '../../descriptors/bytes.js';

export interface UsbmonRecord {
  /** 1-based packet number, as Wireshark's frame.number. */
  readonly frame: number;
  readonly interfaceId: number;
  /** URB tag (hex): a submission and its completion share it. */
  readonly urb: string;
  readonly type: 'S' | 'C' | 'E';
  /** 0 isochronous, 1 interrupt, 2 control, 3 bulk. */
  readonly xferType: number;
  /** Endpoint address with bit 7 for IN. */
  readonly endpoint: number;
  readonly device: number;
  readonly bus: number;
  readonly setup: Uint8Array | null;
  /** URB status: -115 on submission, 0 success, -32 stall (EPIPE), -121 short (EREMOTEIO). */
  readonly status: number;
  readonly length: number;
  readonly data: Uint8Array;
}

const s32 = (b: Uint8Array, off: number): number => le32(b, off) | 0;

function usbmon(frame: number, interfaceId: number, p: Uint8Array, linkType: number): UsbmonRecord | null {
  if (linkType !== 220 && linkType !== 189) return null;
  const headerLength = linkType === 220 ? 64 : 48;
  if (p.length < headerLength) throw new Error(`frame ${frame}: ${p.length} bytes is shorter than the usbmon header`);
  const ndesc = linkType === 220 ? le32(p, 60) : 0;
  const dataOff = headerLength + (p[9] === 0 ? ndesc * 16 : 0);
  const lenCap = le32(p, 36);
  return {
    frame, interfaceId,
    urb: Array.from(p.subarray(0, 8), (x) => x.toString(16).padStart(2, '0')).reverse().join(''),
    type: String.fromCharCode(p[8]!) as 'S' | 'C' | 'E',
    xferType: p[9]!, endpoint: p[10]!, device: p[11]!, bus: le16(p, 12),
    setup: p[14] === 0 ? p.slice(40, 48) : null,
    status: s32(p, 28), length: le32(p, 32),
    data: p.slice(dataOff, dataOff + lenCap),
  };
}

export function readUsbmonCapture(b: Uint8Array): UsbmonRecord[] {
  const out: UsbmonRecord[] = [];
  let frame = 0;
  const magic = le32(b, 0);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) { // classic pcap, little-endian (µs or ns)
    const linkType = le32(b, 20);
    for (let off = 24; off + 16 <= b.length;) {
      const incl = le32(b, off + 8);
      const r = usbmon(++frame, 0, b.subarray(off + 16, off + 16 + incl), linkType);
      if (r) out.push(r);
      off += 16 + incl;
    }
    return out;
  }
  if (magic !== 0x0a0d0d0a) throw new Error('not a pcap or pcapng file');
  let linkTypes: number[] = [];
  for (let off = 0; off + 12 <= b.length;) {
    const type = le32(b, off);
    const total = le32(b, off + 4);
    if (total < 12 || off + total > b.length) throw new Error(`pcapng block at ${off}: bad length ${total}`);
    if (type === 0x0a0d0d0a) {
      if (le32(b, off + 8) !== 0x1a2b3c4d) throw new Error('big-endian pcapng is not supported by this test reader');
      linkTypes = [];
    } else if (type === 1) {
      linkTypes.push(le16(b, off + 8));
    } else if (type === 6) {
      const iface = le32(b, off + 8);
      const cap = le32(b, off + 20);
      const r = usbmon(++frame, iface, b.subarray(off + 28, off + 28 + cap), linkTypes[iface] ?? -1);
      if (r) out.push(r);
    } else if (type === 3) {
      const orig = le32(b, off + 8);
      const r = usbmon(++frame, 0, b.subarray(off + 12, off + 12 + Math.min(orig, total - 16)), linkTypes[0] ?? -1);
      if (r) out.push(r);
    }
    off += total;
  }
  return out;
}
