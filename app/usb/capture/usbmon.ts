// Decoder of Linux usbmon records: LINKTYPE_USB_LINUX (189, 48-byte header) and
// LINKTYPE_USB_LINUX_MMAPPED (220, 64-byte header). Layout: Linux Documentation/usb/usbmon.rst,
// "Raw binary format and API" (struct usbmon_packet), and drivers/usb/mon/mon_bin.c, which fills it.
//
//   0  u64 id          URB tag (kernel address); a submission and its completion share it
//   8  u8  type        'S' submit, 'C' complete, 'E' submission error
//   9  u8  xfer_type   0 iso, 1 interrupt, 2 control, 3 bulk
//  10  u8  epnum       endpoint number, bit 7 = IN
//  11  u8  devnum      device address
//  12  u16 busnum
//  14  u8  flag_setup  0: bytes 40..47 hold the SETUP packet
//  15  u8  flag_data   0: data follows; otherwise a reason why not ('<', '>', 'Z'...)
//  16  s64 ts_sec, 24 s32 ts_usec, 28 s32 status, 32 u32 length, 36 u32 len_cap
//  40  u8[8] setup, or s32 error_count + s32 numdesc (isochronous)
//  --- 64-byte header only ---
//  48  s32 interval, 52 s32 start_frame, 56 u32 xfer_flags, 60 u32 ndesc
//  64  ndesc × 16-byte iso descriptors (s32 status, u32 offset, u32 length, u32 pad), then the data
//
// Every field is in the capturing host's byte order, which is the capture file's byte order.

import { parseSetup } from '../usb-backend.js';
import { CaptureFormatError, LINKTYPE, type CapturePacket } from './pcap-reader.js';
import { TRANSFER_TYPES, type IsoPacket, type UsbEvent, type UsbEventKind } from './usb-event.js';

export const USBMON_HEADER_LEN_189 = 48;
export const USBMON_HEADER_LEN_220 = 64;
/** URB_DIR_IN in urb->transfer_flags (include/linux/usb.h). */
export const URB_DIR_IN = 0x0200;

const KINDS: Record<number, UsbEventKind> = { 0x53: 'submit', 0x43: 'complete', 0x45: 'error' };

/** Decodes one usbmon record (the packet of a capture with link type 189 or 220). */
export function decodeUsbmon(p: CapturePacket): UsbEvent {
  const mmapped = p.linkType === LINKTYPE.USB_LINUX_MMAPPED;
  const headerLen = mmapped ? USBMON_HEADER_LEN_220 : USBMON_HEADER_LEN_189;
  const b = p.data;
  const where = `usbmon record of packet ${p.index + 1}`;
  if (b.length < headerLen) {
    throw new CaptureFormatError(p.fileOffset, `${where} is ${b.length} bytes, shorter than the ${headerLen}-byte header`);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = p.littleEndian;
  const kind = KINDS[b[8]!];
  if (kind === undefined) throw new CaptureFormatError(p.fileOffset, `${where}: unknown event type 0x${b[8]!.toString(16)} (expected 'S', 'C' or 'E')`);
  const transferType = TRANSFER_TYPES[b[9]!];
  if (transferType === undefined) throw new CaptureFormatError(p.fileOffset, `${where}: unknown transfer type ${b[9]!}`);
  const flagSetup = b[14]!;
  let dataStart = headerLen;
  let iso: UsbEvent['iso'];
  let xferFlags: number | undefined;
  let interval: number | undefined;
  if (mmapped) {
    interval = dv.getInt32(48, le);
    xferFlags = dv.getUint32(56, le);
    const ndesc = dv.getUint32(60, le);
    if (ndesc > (b.length - headerLen) / 16) {
      throw new CaptureFormatError(p.fileOffset, `${where}: ${ndesc} isochronous descriptors do not fit in ${b.length - headerLen} bytes`);
    }
    if (transferType === 'isochronous') {
      const packets: IsoPacket[] = [];
      for (let i = 0; i < ndesc; i++) {
        const o = headerLen + 16 * i;
        packets.push({ status: dv.getInt32(o, le), offset: dv.getUint32(o + 4, le), length: dv.getUint32(o + 8, le) });
      }
      iso = { startFrame: dv.getInt32(52, le), errorCount: dv.getInt32(40, le), packets };
    }
    dataStart += 16 * ndesc;
  }
  // len_cap counts the captured data (mon_bin.c adds the iso descriptors to it); the record may still
  // be cut by the capture's snaplen, so the bytes present are the authority.
  const data = b.subarray(dataStart);
  return {
    source: 'usbmon',
    time: p.timestampNs,
    bus: dv.getUint16(12, le),
    device: b[11]!,
    endpoint: b[10]!,
    transferType,
    kind,
    id: dv.getBigUint64(0, le),
    ...(transferType === 'control' && flagSetup === 0 ? { setup: parseSetup(b.subarray(40, 48)) } : {}),
    status: dv.getInt32(28, le),
    length: dv.getUint32(32, le),
    data,
    packetIndex: p.index,
    interfaceId: p.interfaceId,
    ...(iso !== undefined ? { iso } : {}),
    ...(xferFlags !== undefined ? { xferFlags } : {}),
    ...(interval !== undefined ? { interval } : {}),
  };
}
