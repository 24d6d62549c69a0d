// Mass storage class codes and Bulk-Only Transport constants (MSC overview 1.4, tables 1 and 2;
// MSC Bulk-Only Transport 1.0, sections 3 and 5), and one-line descriptions of CBWs and CSWs.

import { be32, le32 } from './bytes.js';

export const USB_CLASS_MSC = 0x08;
/** bInterfaceSubClass 06h: SCSI transparent command set. */
export const MSC_SUBCLASS_SCSI = 0x06;
/** bInterfaceProtocol 50h: Bulk-Only Transport. */
export const MSC_PROTOCOL_BOT = 0x50;

/** Class requests (BOT 1.0, 3.1 and 3.2). */
export const MSC_REQ = { GET_MAX_LUN: 0xfe, BULK_ONLY_RESET: 0xff } as const;

/** Command Block Wrapper and Command Status Wrapper (BOT 1.0, 5.1 and 5.2). */
export const CBW_SIGNATURE = 0x43425355; // "USBC" little-endian
export const CSW_SIGNATURE = 0x53425355; // "USBS" little-endian
export const CBW_LENGTH = 31;
export const CSW_LENGTH = 13;
/** bCSWStatus values (BOT 1.0, table 5.3). */
export const CSW_STATUS = { PASSED: 0, FAILED: 1, PHASE_ERROR: 2 } as const;

/** Names of the SCSI operation codes a USB disk commonly sees (SPC-4 / SBC-3 / MMC). */
const SCSI_NAMES: Record<number, string> = {
  0x00: 'TEST UNIT READY', 0x03: 'REQUEST SENSE', 0x04: 'FORMAT UNIT', 0x12: 'INQUIRY', 0x15: 'MODE SELECT(6)',
  0x1a: 'MODE SENSE(6)', 0x1b: 'START STOP UNIT', 0x1e: 'PREVENT ALLOW MEDIUM REMOVAL', 0x23: 'READ FORMAT CAPACITIES',
  0x25: 'READ CAPACITY(10)', 0x28: 'READ(10)', 0x2a: 'WRITE(10)', 0x2f: 'VERIFY(10)', 0x35: 'SYNCHRONIZE CACHE(10)',
  0x55: 'MODE SELECT(10)', 0x5a: 'MODE SENSE(10)', 0x88: 'READ(16)', 0x8a: 'WRITE(16)', 0x9e: 'SERVICE ACTION IN(16)',
  0xa0: 'REPORT LUNS', 0xa8: 'READ(12)', 0xaa: 'WRITE(12)',
};

export const scsiOpName = (op: number): string => SCSI_NAMES[op] ?? `SCSI opcode 0x${op.toString(16).padStart(2, '0')}`;


/**
 * One line for a bulk OUT transfer that carries a CBW, e.g. "CBW 5: READ(10) LBA 2048, 8 blocks,
 * 4096 bytes IN", or null when the bytes are not a CBW (then they are data). For the timeline.
 */
export function describeCbw(b: Uint8Array): string | null {
  if (b.length !== CBW_LENGTH || le32(b, 0) !== CBW_SIGNATURE) return null;
  const tag = le32(b, 4);
  const length = le32(b, 8);
  const op = b[15]!;
  let what = scsiOpName(op);
  if (op === 0x28 || op === 0x2a || op === 0x2f) what += ` LBA ${be32(b, 17)}, ${(b[22]! << 8) | b[23]!} blocks`;
  const lun = b[13]! & 0x0f;
  const dir = length === 0 ? 'no data' : `${length} bytes ${b[12]! & 0x80 ? 'IN' : 'OUT'}`;
  return `CBW ${tag}: ${what}, ${dir}${lun ? `, LUN ${lun}` : ''}`;
}

/** One line for a CSW, e.g. "CSW 5: passed, residue 0", or null when the bytes are not a CSW. */
export function describeCsw(b: Uint8Array): string | null {
  if (b.length !== CSW_LENGTH || le32(b, 0) !== CSW_SIGNATURE) return null;
  const status = ['passed', 'failed', 'phase error'][b[12]!] ?? `status ${b[12]}`;
  return `CSW ${le32(b, 4)}: ${status}, residue ${le32(b, 8)}`;
}
