// Decoder of Windows USBPcap records (LINKTYPE_USBPCAP = 249). Layout: USBPcap's captureformat.md
// (desowin/usbpcap, gh-pages), USBPCAP_BUFFER_PACKET_HEADER and its transfer-specific extensions.
// Little-endian and packed, whatever the pcap file's byte order.
//
//   0  u16 headerLen   total header length; the payload starts here
//   2  u64 irpId       IRP pointer; a request and its completion share it (0: synthesized by USBPcap)
//  10  u32 status      USBD_STATUS (meaningful on completions)
//  14  u16 function    URB function (0x0008 CONTROL_TRANSFER, 0x0009 BULK_OR_INTERRUPT, ...)
//  16  u8  info        bit 0: USBPCAP_INFO_PDO_TO_FDO (1 = completion coming back up)
//  17  u16 bus, 19 u16 device, 21 u8 endpoint (bit 7 = IN), 22 u8 transfer, 23 u32 dataLength
//  --- control (transfer 2) ---
//  27  u8 stage        0 SETUP, 1 DATA, 2 STATUS, 3 COMPLETE
//  --- isochronous (transfer 0) ---
//  27  u32 startFrame, 31 u32 numberOfPackets, 35 u32 errorCount,
//  39  numberOfPackets × { u32 offset, u32 length, u32 status }   (captureformat.md says "ULONG, 64 bit";
//      the files, including the DigiTech sample here, use 32-bit fields: headerLen = 39 + 12 N)
//
// USBPcap ≥ 1.5 records a control transfer as SETUP (setup packet + OUT data) and COMPLETE (+ IN data).
// Older versions record SETUP, an optional DATA record and STATUS; pairing (exchanges.ts) merges them.

import { parseSetup } from '../usb-backend.js';
import { CaptureFormatError, type CapturePacket } from './pcap-reader.js';
import { TRANSFER_TYPES, type IsoPacket, type UsbEvent } from './usb-event.js';

export const USBPCAP_BASE_HEADER_LEN = 27;
const STAGES = ['setup', 'data', 'status', 'complete'] as const;

/** Decodes one USBPcap record (the packet of a capture with link type 249). */
export function decodeUsbpcap(p: CapturePacket): UsbEvent {
  const b = p.data;
  const where = `USBPcap record of packet ${p.index + 1}`;
  if (b.length < USBPCAP_BASE_HEADER_LEN) {
    throw new CaptureFormatError(p.fileOffset, `${where} is ${b.length} bytes, shorter than the ${USBPCAP_BASE_HEADER_LEN}-byte header`);
  }
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const headerLen = dv.getUint16(0, true);
  if (headerLen < USBPCAP_BASE_HEADER_LEN || headerLen > b.length) {
    throw new CaptureFormatError(p.fileOffset, `${where}: header length ${headerLen} is outside ${USBPCAP_BASE_HEADER_LEN}..${b.length}`);
  }
  const id = dv.getBigUint64(2, true);
  const status = dv.getUint32(10, true);
  const completion = (b[16]! & 1) !== 0;
  const transfer = b[22]!;
  const transferType = TRANSFER_TYPES[transfer] ?? 'none';
  const dataLength = dv.getUint32(23, true);
  let payload = b.subarray(headerLen, headerLen + Math.min(dataLength, b.length - headerLen));
  let stage: UsbEvent['stage'];
  let setup: UsbEvent['setup'];
  let iso: UsbEvent['iso'];
  if (transferType === 'control') {
    if (headerLen < 28) throw new CaptureFormatError(p.fileOffset, `${where}: control header of ${headerLen} bytes has no stage byte`);
    stage = STAGES[b[27]!];
    if (stage === undefined) throw new CaptureFormatError(p.fileOffset, `${where}: unknown control stage ${b[27]!}`);
    if (stage === 'setup') {
      if (payload.length < 8) throw new CaptureFormatError(p.fileOffset, `${where}: SETUP stage carries ${payload.length} bytes, less than a setup packet`);
      setup = parseSetup(payload.subarray(0, 8));
      payload = payload.subarray(8);
    }
  } else if (transferType === 'isochronous') {
    if (headerLen < 39) throw new CaptureFormatError(p.fileOffset, `${where}: isochronous header of ${headerLen} bytes is shorter than 39`);
    const n = dv.getUint32(31, true);
    if (n > (headerLen - 39) / 12) throw new CaptureFormatError(p.fileOffset, `${where}: ${n} isochronous packets do not fit in a ${headerLen}-byte header`);
    const packets: IsoPacket[] = [];
    for (let i = 0; i < n; i++) {
      const o = 39 + 12 * i;
      packets.push({ offset: dv.getUint32(o, true), length: dv.getUint32(o + 4, true), status: dv.getUint32(o + 8, true) });
    }
    iso = { startFrame: dv.getUint32(27, true), errorCount: dv.getUint32(35, true), packets };
  }
  let endpoint = b[21]!;
  // The control endpoint's direction bit follows the setup packet, as in usbmon; USBPcap already
  // does so for live traffic, and this makes the synthesized and the old 3-stage records agree.
  if (setup !== undefined) endpoint = (endpoint & 0x0f) | (setup.bmRequestType & 0x80);
  return {
    source: 'usbpcap',
    time: p.timestampNs,
    bus: dv.getUint16(17, true),
    device: dv.getUint16(19, true),
    endpoint,
    transferType,
    kind: completion ? 'complete' : 'submit',
    id,
    ...(setup !== undefined ? { setup } : {}),
    status,
    // The header's dataLength is the transferred length even when snaplen cut the captured payload.
    length: setup !== undefined ? Math.max(0, dataLength - 8) : dataLength,
    data: payload,
    packetIndex: p.index,
    interfaceId: p.interfaceId,
    ...(stage !== undefined ? { stage } : {}),
    ...(id === 0n ? { synthesized: true } : {}),
    ...(iso !== undefined ? { iso } : {}),
  };
}
