// Reader for packet capture files: classic pcap and pcapng, as written by libpcap, dumpcap/Wireshark
// and USBPcapCMD. Only the container is read here; the per-packet USB headers are decoded by
// usbmon.ts (LINKTYPE 189/220) and usbpcap.ts (LINKTYPE 249).
//
// Formats:
// - classic pcap: draft-ietf-opsawg-pcap (file header 24 bytes, record header 16 bytes). Magic
//   0xA1B2C3D4 (µs) or 0xA1B23C4D (ns), in the writer's byte order.
// - pcapng: draft-ietf-opsawg-pcapng. A file is one or more sections; each starts with a Section
//   Header Block (SHB) whose byte-order magic 0x1A2B3C4D fixes the byte order of that section.
//   Interface Description Blocks (IDB) are numbered per section; Enhanced (EPB), Simple (SPB) and the
//   obsolete Packet Block (PB) carry packets. Every other block type is skipped by its length.
//
// Bad input gives a CaptureFormatError that names the byte offset and what is wrong. Every loop
// advances by at least one block/record header, so a malformed file can never make the reader spin.

/** Link types this project understands (tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  /** Linux usbmon, 48-byte header (the legacy binary API). */
  USB_LINUX: 189,
  /** Linux usbmon, 64-byte header (binary API with the mmap extension). */
  USB_LINUX_MMAPPED: 220,
  /** Windows USBPcap. */
  USBPCAP: 249,
} as const;

export const USB_LINK_TYPES: readonly number[] = [LINKTYPE.USB_LINUX, LINKTYPE.USB_LINUX_MMAPPED, LINKTYPE.USBPCAP];

export class CaptureFormatError extends Error {
  /** Byte offset in the file (or in the packet, when the message says so) where the problem is. */
  readonly offset: number;
  constructor(offset: number, what: string) {
    super(`${what} (at byte offset ${offset})`);
    this.name = 'CaptureFormatError';
    this.offset = offset;
  }
}

export interface CaptureInterface {
  /** Index in CaptureFile.interfaces (unique across sections). */
  readonly index: number;
  /** pcapng section number (0 for classic pcap). */
  readonly section: number;
  readonly linkType: number;
  readonly snapLen: number;
  /** if_name option (pcapng), e.g. "usbmon0". */
  readonly name?: string;
  /** Byte order of the section: the capturing host's order for usbmon headers. */
  readonly littleEndian: boolean;
}

export interface CapturePacket {
  /** Packet number, 0-based, in file order. */
  readonly index: number;
  /** Index into CaptureFile.interfaces. */
  readonly interfaceId: number;
  readonly linkType: number;
  /** Nanoseconds since the Unix epoch (bigint: 2^53 ns is only 104 days). */
  readonly timestampNs: bigint;
  /** False for pcapng Simple Packet Blocks, which carry no timestamp (timestampNs is then 0). */
  readonly hasTimestamp: boolean;
  /** Captured bytes (a view into the file's bytes, not a copy). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire (≥ data.length when the capture was truncated by snaplen). */
  readonly originalLength: number;
  /** Offset of the packet's record or block in the file, for error messages. */
  readonly fileOffset: number;
  readonly littleEndian: boolean;
}

export interface CaptureFile {
  readonly format: 'pcap' | 'pcapng';
  readonly interfaces: readonly CaptureInterface[];
  readonly packets: readonly CapturePacket[];
  /** Number of pcapng sections (1 for classic pcap). */
  readonly sections: number;
}

export interface ReadCaptureOptions {
  /**
   * Link types accepted for packets; a packet on an interface of any other link type is a
   * CaptureFormatError. Default: the USB link types (189, 220, 249). null accepts everything.
   */
  readonly linkTypes?: readonly number[] | null;
}

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_PB = 0x00000002;
const BLOCK_SPB = 0x00000003;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const IF_NAME = 2;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;
const NS_PER_S = 1_000_000_000n;

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/** Reads a whole pcap or pcapng file. */
export function readCapture(bytes: Uint8Array, options: ReadCaptureOptions = {}): CaptureFile {
  if (bytes.length === 0) throw new CaptureFormatError(0, 'not a capture file: the file is empty');
  if (bytes.length < 4) throw new CaptureFormatError(0, `not a capture file: only ${bytes.length} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const accepted = options.linkTypes === undefined ? USB_LINK_TYPES : options.linkTypes;
  const magicLe = dv.getUint32(0, true);
  if (magicLe === BLOCK_SHB) return readPcapng(bytes, dv, accepted);
  const magicBe = dv.getUint32(0, false);
  if (magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS) return readPcap(bytes, dv, true, magicLe === PCAP_MAGIC_NS, accepted);
  if (magicBe === PCAP_MAGIC_US || magicBe === PCAP_MAGIC_NS) return readPcap(bytes, dv, false, magicBe === PCAP_MAGIC_NS, accepted);
  throw new CaptureFormatError(0, `not a pcap or pcapng file: it starts with ${hex(bytes.subarray(0, 8))}`);
}

function checkLinkType(linkType: number, accepted: readonly number[] | null, offset: number, where: string): void {
  if (accepted !== null && !accepted.includes(linkType)) {
    throw new CaptureFormatError(offset, `unknown link type ${linkType} on ${where} (expected one of ${accepted.join(', ')}: usbmon or USBPcap)`);
  }
}

// Classic pcap (draft-ietf-opsawg-pcap, section 4 and 5).
function readPcap(bytes: Uint8Array, dv: DataView, le: boolean, nanos: boolean, accepted: readonly number[] | null): CaptureFile {
  if (bytes.length < 24) throw new CaptureFormatError(0, `truncated pcap file header: ${bytes.length} of 24 bytes`);
  const major = dv.getUint16(4, le);
  if (major !== 2) throw new CaptureFormatError(4, `unsupported pcap version ${major}.${dv.getUint16(6, le)} (expected 2.x)`);
  const snapLen = dv.getUint32(16, le);
  // LinkType is the low 16 bits; bits 26..31 say whether an FCS is present (never for USB).
  const linkType = dv.getUint32(20, le) & 0xffff;
  const iface: CaptureInterface = { index: 0, section: 0, linkType, snapLen, littleEndian: le };
  const packets: CapturePacket[] = [];
  const fracToNs = nanos ? 1n : 1000n;
  let off = 24;
  while (off < bytes.length) {
    if (bytes.length - off < 16) throw new CaptureFormatError(off, `truncated pcap record header: ${bytes.length - off} of 16 bytes`);
    const sec = dv.getUint32(off, le);
    const frac = dv.getUint32(off + 4, le);
    const inclLen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    if (inclLen > bytes.length - off - 16) {
      throw new CaptureFormatError(off, `truncated pcap record: captured length ${inclLen} but only ${bytes.length - off - 16} bytes left`);
    }
    if (frac >= (nanos ? 1_000_000_000 : 1_000_000)) {
      throw new CaptureFormatError(off + 4, `pcap record timestamp fraction ${frac} is out of range`);
    }
    checkLinkType(linkType, accepted, 20, 'the pcap file header');
    packets.push({
      index: packets.length, interfaceId: 0, linkType, timestampNs: BigInt(sec) * NS_PER_S + BigInt(frac) * fracToNs,
      hasTimestamp: true, data: bytes.subarray(off + 16, off + 16 + inclLen), originalLength: origLen, fileOffset: off, littleEndian: le,
    });
    off += 16 + inclLen;
  }
  return { format: 'pcap', interfaces: [iface], packets, sections: 1 };
}

interface SectionIface extends CaptureInterface {
  /** Timestamp units per second (if_tsresol) and offset in seconds (if_tsoffset). */
  readonly unitsPerSecond: bigint;
  readonly tsOffsetSec: bigint;
}

interface Opt { readonly code: number; readonly value: Uint8Array; readonly offset: number }

/** Parses the options of a block: [start, end) inside the block, bounded by the block's end. */
function readOptions(bytes: Uint8Array, dv: DataView, start: number, end: number, le: boolean): Opt[] {
  const out: Opt[] = [];
  let off = start;
  while (end - off >= 4) {
    const code = dv.getUint16(off, le);
    const len = dv.getUint16(off + 2, le);
    if (code === OPT_ENDOFOPT) break;
    const padded = (len + 3) & ~3;
    if (padded > end - off - 4) throw new CaptureFormatError(off, `pcapng option ${code} of length ${len} runs past the end of its block`);
    out.push({ code, value: bytes.subarray(off + 4, off + 4 + len), offset: off });
    off += 4 + padded;
  }
  return out;
}

const latin1 = (b: Uint8Array): string => {
  let s = '';
  for (const c of b) { if (c === 0) break; s += String.fromCharCode(c); }
  return s;
};

// pcapng (draft-ietf-opsawg-pcapng, section 3 and 4).
function readPcapng(bytes: Uint8Array, dv: DataView, accepted: readonly number[] | null): CaptureFile {
  const interfaces: SectionIface[] = [];
  const packets: CapturePacket[] = [];
  let section = -1;
  let sectionIfaces: SectionIface[] = [];
  let le = true;
  let off = 0;
  while (off < bytes.length) {
    const left = bytes.length - off;
    if (left < 12) throw new CaptureFormatError(off, `truncated pcapng block: ${left} bytes left, a block is at least 12`);
    const rawType = dv.getUint32(off, true);
    if (rawType === BLOCK_SHB) {
      // The SHB type is a palindrome; its byte-order magic decides how to read everything else.
      const bom = dv.getUint32(off + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new CaptureFormatError(off + 8, `pcapng Section Header Block with a bad byte-order magic ${hex(bytes.subarray(off + 8, off + 12))}`);
    } else if (section < 0) {
      throw new CaptureFormatError(off, 'pcapng file does not start with a Section Header Block');
    }
    const type = dv.getUint32(off, le);
    const len = dv.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0) throw new CaptureFormatError(off + 4, `pcapng block type 0x${type.toString(16)} has an invalid total length ${len}`);
    if (len > left) throw new CaptureFormatError(off, `truncated pcapng block type 0x${type.toString(16)}: length ${len} but only ${left} bytes left`);
    const trailer = dv.getUint32(off + len - 4, le);
    if (trailer !== len) throw new CaptureFormatError(off + len - 4, `pcapng block type 0x${type.toString(16)}: trailing length ${trailer} differs from leading length ${len}`);
    const body = off + 8;
    const end = off + len - 4;
    const need = (n: number, what: string): void => {
      if (end - body < n) throw new CaptureFormatError(off, `pcapng ${what} too short: ${len} bytes`);
    };
    switch (type) {
      case BLOCK_SHB: {
        need(16, 'Section Header Block');
        const major = dv.getUint16(body + 4, le);
        if (major !== 1) throw new CaptureFormatError(body + 4, `unsupported pcapng version ${major}.${dv.getUint16(body + 6, le)} (expected 1.x)`);
        section += 1;
        sectionIfaces = [];
        break;
      }
      case BLOCK_IDB: {
        need(8, 'Interface Description Block');
        const linkType = dv.getUint16(body, le);
        const snapLen = dv.getUint32(body + 4, le);
        let name: string | undefined;
        let unitsPerSecond = 1_000_000n;
        let tsOffsetSec = 0n;
        for (const o of readOptions(bytes, dv, body + 8, end, le)) {
          if (o.code === IF_NAME) name = latin1(o.value);
          else if (o.code === IF_TSRESOL && o.value.length >= 1) {
            const v = o.value[0]!;
            // Bit 7 clear: units of 10^-v s; set: units of 2^-(v & 0x7f) s.
            unitsPerSecond = (v & 0x80) === 0 ? 10n ** BigInt(v) : 1n << BigInt(v & 0x7f);
          } else if (o.code === IF_TSOFFSET && o.value.length >= 8) {
            tsOffsetSec = new DataView(o.value.buffer, o.value.byteOffset, 8).getBigInt64(0, le);
          }
        }
        const iface: SectionIface = {
          index: interfaces.length, section, linkType, snapLen, littleEndian: le, unitsPerSecond, tsOffsetSec,
          ...(name !== undefined ? { name } : {}),
        };
        interfaces.push(iface);
        sectionIfaces.push(iface);
        break;
      }
      case BLOCK_EPB:
      case BLOCK_PB: {
        need(20, type === BLOCK_EPB ? 'Enhanced Packet Block' : 'Packet Block');
        const ifId = type === BLOCK_EPB ? dv.getUint32(body, le) : dv.getUint16(body, le);
        const tsHigh = dv.getUint32(body + 4, le);
        const tsLow = dv.getUint32(body + 8, le);
        const capLen = dv.getUint32(body + 12, le);
        const origLen = dv.getUint32(body + 16, le);
        const iface = sectionIfaces[ifId];
        if (iface === undefined) throw new CaptureFormatError(body, `packet block refers to interface ${ifId}, but the section has ${sectionIfaces.length}`);
        if (capLen > end - body - 20) throw new CaptureFormatError(body + 12, `packet block captured length ${capLen} exceeds its block (${end - body - 20} bytes)`);
        checkLinkType(iface.linkType, accepted, off, `interface ${ifId} (${iface.name ?? 'unnamed'})`);
        const ts = (BigInt(tsHigh) << 32n) | BigInt(tsLow);
        packets.push({
          index: packets.length, interfaceId: iface.index, linkType: iface.linkType,
          timestampNs: (ts * NS_PER_S) / iface.unitsPerSecond + iface.tsOffsetSec * NS_PER_S, hasTimestamp: true,
          data: bytes.subarray(body + 20, body + 20 + capLen), originalLength: origLen, fileOffset: off, littleEndian: le,
        });
        break;
      }
      case BLOCK_SPB: {
        need(4, 'Simple Packet Block');
        const iface = sectionIfaces[0];
        if (iface === undefined) throw new CaptureFormatError(off, 'Simple Packet Block before any Interface Description Block');
        const origLen = dv.getUint32(body, le);
        // The captured length is implied: min(original length, snaplen, what the block holds).
        let capLen = Math.min(origLen, end - body - 4);
        if (iface.snapLen > 0) capLen = Math.min(capLen, iface.snapLen);
        checkLinkType(iface.linkType, accepted, off, `interface 0 (${iface.name ?? 'unnamed'})`);
        packets.push({
          index: packets.length, interfaceId: iface.index, linkType: iface.linkType, timestampNs: 0n, hasTimestamp: false,
          data: bytes.subarray(body + 4, body + 4 + capLen), originalLength: origLen, fileOffset: off, littleEndian: le,
        });
        break;
      }
      default:
        // Name Resolution, Interface Statistics, Decryption Secrets, custom blocks...: not needed.
        break;
    }
    off += len;
  }
  const plain: CaptureInterface[] = interfaces.map(({ unitsPerSecond: _u, tsOffsetSec: _o, ...rest }) => rest);
  return { format: 'pcapng', interfaces: plain, packets, sections: section + 1 };
}
