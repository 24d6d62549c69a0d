// A SCSI direct-access logical unit (SBC-3) over a BlockStore: what the mass-storage device's CBWs
// carry. Each CDB becomes a plan (no data, data-in of N bytes, or data-out of N bytes) that the
// Bulk-Only Transport layer then matches against the host's expectation (BOT 1.0 6.7).
//
// Commands: INQUIRY (SPC-4 6.6; VPD pages 00h and 80h), TEST UNIT READY, REQUEST SENSE (fixed
// format, SPC-4 4.5.3), READ CAPACITY(10), READ(10), WRITE(10), VERIFY(10) (BYTCHK 0 and 1),
// MODE SENSE(6)/(10) (caching and informational-exceptions pages), PREVENT ALLOW MEDIUM REMOVAL,
// START STOP UNIT (eject/load), SYNCHRONIZE CACHE(10), READ FORMAT CAPACITIES (UFI/MMC: Windows
// asks USB disks for it). Anything else: CHECK CONDITION, ILLEGAL REQUEST, INVALID COMMAND
// OPERATION CODE.
//
// Sense data: every command but REQUEST SENSE starts from NO SENSE; a CHECK CONDITION stores its
// sense key / ASC / ASCQ, which the next REQUEST SENSE returns and clears (SPC-4 5.1 / 6.29).

import { ascii, be16, be32, bytesEqual, concatBytes, putBe16, putBe32 } from '../descriptors/bytes.js';
import { BLOCK_SIZE, type BlockStore } from './block-store.js';
import { type MaybePromise, isPromise, mapMaybe } from './device-model.js';

export const SCSI_OP = {
  TEST_UNIT_READY: 0x00, REQUEST_SENSE: 0x03, INQUIRY: 0x12, MODE_SENSE_6: 0x1a, START_STOP_UNIT: 0x1b,
  PREVENT_ALLOW_MEDIUM_REMOVAL: 0x1e, READ_FORMAT_CAPACITIES: 0x23, READ_CAPACITY_10: 0x25, READ_10: 0x28,
  WRITE_10: 0x2a, VERIFY_10: 0x2f, SYNCHRONIZE_CACHE_10: 0x35, MODE_SENSE_10: 0x5a,
} as const;

/** Sense keys (SPC-4, table 46). */
export const SENSE_KEY = {
  NO_SENSE: 0x0, NOT_READY: 0x2, MEDIUM_ERROR: 0x3, ILLEGAL_REQUEST: 0x5, UNIT_ATTENTION: 0x6, DATA_PROTECT: 0x7, MISCOMPARE: 0xe,
} as const;

export interface Sense { readonly key: number; readonly asc: number; readonly ascq: number }

/** The additional sense codes this unit reports (SPC-4, table 47). */
export const SENSE = {
  NONE: { key: SENSE_KEY.NO_SENSE, asc: 0x00, ascq: 0x00 },
  INVALID_COMMAND_OPERATION_CODE: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x20, ascq: 0x00 },
  LBA_OUT_OF_RANGE: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x21, ascq: 0x00 },
  INVALID_FIELD_IN_CDB: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x24, ascq: 0x00 },
  LOGICAL_UNIT_NOT_SUPPORTED: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x25, ascq: 0x00 },
  SAVING_PARAMETERS_NOT_SUPPORTED: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x39, ascq: 0x00 },
  MEDIUM_REMOVAL_PREVENTED: { key: SENSE_KEY.ILLEGAL_REQUEST, asc: 0x53, ascq: 0x02 },
  MEDIUM_NOT_PRESENT: { key: SENSE_KEY.NOT_READY, asc: 0x3a, ascq: 0x00 },
  UNRECOVERED_READ_ERROR: { key: SENSE_KEY.MEDIUM_ERROR, asc: 0x11, ascq: 0x00 },
  WRITE_ERROR: { key: SENSE_KEY.MEDIUM_ERROR, asc: 0x0c, ascq: 0x00 },
  WRITE_PROTECTED: { key: SENSE_KEY.DATA_PROTECT, asc: 0x27, ascq: 0x00 },
  MISCOMPARE_DURING_VERIFY: { key: SENSE_KEY.MISCOMPARE, asc: 0x1d, ascq: 0x00 },
} as const satisfies Record<string, Sense>;

/**
 * What a command needs from the transport. `read` / `receive` answer null or false after storing
 * sense data (the command then ends with CHECK CONDITION).
 */
export type ScsiPlan =
  | { readonly kind: 'none'; readonly run: () => MaybePromise<boolean> }
  | { readonly kind: 'in'; readonly length: number; readonly read: (offset: number, n: number) => MaybePromise<Uint8Array | null> }
  | { readonly kind: 'out'; readonly length: number; readonly receive: (data: Uint8Array) => MaybePromise<boolean> };

/** 12 hex digits: BOT 1.0 4.1.1 wants at least 12 in the USB serial number, which the VPD page 80h repeats. */
export const DEFAULT_MSC_SERIAL = '485344534B30';

export interface ScsiDiskOptions {
  readonly vendor?: string;
  readonly product?: string;
  readonly revision?: string;
  readonly serial?: string;
}

export class ScsiDisk {
  private senseData: Sense = SENSE.NONE;
  private present = true;
  private prevented = false;
  private readonly inquiry: Uint8Array;
  private readonly serial: string;
  readonly store: BlockStore;

  constructor(store: BlockStore, opts: ScsiDiskOptions = {}) {
    this.store = store;
    this.serial = opts.serial ?? DEFAULT_MSC_SERIAL;
    // Standard INQUIRY data (SPC-4 6.6.2): direct-access block device, removable (RMB), SPC-4,
    // response data format 2, 31 additional bytes, then T10 vendor, product and revision.
    this.inquiry = concatBytes([Uint8Array.of(0x00, 0x80, 0x06, 0x02, 31, 0, 0, 0),
      ascii(opts.vendor ?? 'HINDSGHT', 8), ascii(opts.product ?? 'Virtual Disk', 16), ascii(opts.revision ?? '1.00', 4)]);
  }

  get sense(): Sense { return this.senseData; }
  get mediumPresent(): boolean { return this.present; }
  get removalPrevented(): boolean { return this.prevented; }

  /** Power-on / bus reset state: medium loaded, removal allowed, no sense. */
  reset(): void {
    this.senseData = SENSE.NONE;
    this.present = true;
    this.prevented = false;
  }

  /** Sets sense data for a failure the transport detects (e.g. an unsupported LUN). */
  fail(sense: Sense): false {
    this.senseData = sense;
    return false;
  }

  /** Decodes a CDB (zero-padded to 16 bytes by the transport) into a plan. */
  plan(cdb: Uint8Array): ScsiPlan {
    const op = cdb[0]!;
    if (op !== SCSI_OP.REQUEST_SENSE) this.senseData = SENSE.NONE;
    switch (op) {
      case SCSI_OP.TEST_UNIT_READY: return this.status(this.ready());
      case SCSI_OP.REQUEST_SENSE: return this.requestSense(cdb);
      case SCSI_OP.INQUIRY: return this.inquiryPlan(cdb);
      case SCSI_OP.READ_CAPACITY_10: {
        if (!this.ready()) return this.status(false);
        if (!(cdb[8]! & 1) && be32(cdb, 2) !== 0) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB)); // SBC-3 5.16: LBA must be 0 without PMI
        const d = new Uint8Array(8);
        putBe32(d, 0, Math.min(this.store.blockCount - 1, 0xffffffff));
        putBe32(d, 4, BLOCK_SIZE);
        return fixed(d, d.length);
      }
      case SCSI_OP.READ_10: return this.readPlan(be32(cdb, 2), be16(cdb, 7));
      case SCSI_OP.WRITE_10: return this.writePlan(be32(cdb, 2), be16(cdb, 7));
      case SCSI_OP.VERIFY_10: return this.verifyPlan(cdb);
      case SCSI_OP.MODE_SENSE_6: return this.modeSense(cdb, false);
      case SCSI_OP.MODE_SENSE_10: return this.modeSense(cdb, true);
      case SCSI_OP.PREVENT_ALLOW_MEDIUM_REMOVAL:
        this.prevented = (cdb[4]! & 1) === 1; // SBC-3 5.11: PREVENT field bit 0 for the medium
        return this.status(true);
      case SCSI_OP.START_STOP_UNIT: return this.startStop(cdb);
      case SCSI_OP.SYNCHRONIZE_CACHE_10: {
        if (!this.ready()) return this.status(false);
        const lba = be32(cdb, 2);
        const n = be16(cdb, 7);
        if (lba + n > this.store.blockCount) return this.status(this.fail(SENSE.LBA_OUT_OF_RANGE));
        return { kind: 'none', run: () => mapMaybe(this.attempt(() => this.store.flush?.(), SENSE.WRITE_ERROR), (r) => r !== null) };
      }
      case SCSI_OP.READ_FORMAT_CAPACITIES: {
        // UFI 4.10 / MMC-5 6.24: capacity list header + one descriptor (02h formatted, 03h no medium).
        const d = new Uint8Array(12);
        d[3] = 8;
        putBe32(d, 4, Math.min(this.store.blockCount, 0xffffffff));
        d[8] = this.present ? 0x02 : 0x03;
        d[9] = (BLOCK_SIZE >> 16) & 0xff; putBe16(d, 10, BLOCK_SIZE & 0xffff);
        return fixed(d, be16(cdb, 7));
      }
      default:
        return this.status(this.fail(SENSE.INVALID_COMMAND_OPERATION_CODE));
    }
  }

  private status(good: boolean): ScsiPlan { return { kind: 'none', run: () => good }; }

  private ready(): boolean { return this.present || this.fail(SENSE.MEDIUM_NOT_PRESENT); }

  private inRange(lba: number, n: number): boolean {
    return lba + n <= this.store.blockCount || this.fail(SENSE.LBA_OUT_OF_RANGE);
  }

  private requestSense(cdb: Uint8Array): ScsiPlan {
    if (cdb[1]! & 1) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB)); // DESC: descriptor format not supported
    // Fixed-format sense data (SPC-4 4.5.3): current error, 10 additional bytes.
    const d = new Uint8Array(18);
    d[0] = 0x70; d[2] = this.senseData.key; d[7] = 10; d[12] = this.senseData.asc; d[13] = this.senseData.ascq;
    this.senseData = SENSE.NONE; // reported, so cleared
    return fixed(d, cdb[4]!);
  }

  private inquiryPlan(cdb: Uint8Array): ScsiPlan {
    const alloc = be16(cdb, 3);
    if (cdb[1]! & 0x02) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB)); // CMDDT (obsolete)
    if (!(cdb[1]! & 1)) return cdb[2] === 0 ? fixed(this.inquiry, alloc) : this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB));
    // Vital product data (SPC-4 7.8): supported pages and unit serial number.
    if (cdb[2] === 0x00) return fixed(Uint8Array.of(0, 0x00, 0, 2, 0x00, 0x80), alloc);
    if (cdb[2] === 0x80) return fixed(concatBytes([Uint8Array.of(0, 0x80, 0, this.serial.length), ascii(this.serial)]), alloc);
    return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB));
  }

  private readPlan(lba: number, n: number): ScsiPlan {
    if (!this.ready() || !this.inRange(lba, n)) return this.status(false);
    return {
      kind: 'in', length: n * BLOCK_SIZE,
      read: (offset, len) => {
        const first = Math.floor(offset / BLOCK_SIZE);
        const last = Math.ceil((offset + len) / BLOCK_SIZE);
        const cut = (b: Uint8Array): Uint8Array => b.subarray(offset - first * BLOCK_SIZE, offset - first * BLOCK_SIZE + len);
        return mapMaybe(this.attempt(() => this.store.read(lba + first, last - first), SENSE.UNRECOVERED_READ_ERROR), (r) => (r ? cut(r.value) : null));
      },
    };
  }

  private writePlan(lba: number, n: number): ScsiPlan {
    if (!this.ready() || !this.inRange(lba, n)) return this.status(false);
    if (this.store.readOnly) return this.status(this.fail(SENSE.WRITE_PROTECTED));
    return { kind: 'out', length: n * BLOCK_SIZE, receive: (data) => mapMaybe(this.attempt(() => this.store.write(lba, data), SENSE.WRITE_ERROR), (r) => r !== null) };
  }

  private verifyPlan(cdb: Uint8Array): ScsiPlan {
    const lba = be32(cdb, 2);
    const n = be16(cdb, 7);
    const bytchk = (cdb[1]! >> 1) & 3; // SBC-3 5.27
    if (!this.ready() || !this.inRange(lba, n)) return this.status(false);
    const readBack = (): MaybePromise<{ readonly value: Uint8Array } | null> =>
      this.attempt(() => (n > 0 ? this.store.read(lba, n) : new Uint8Array(0)), SENSE.UNRECOVERED_READ_ERROR);
    if (bytchk === 0) return { kind: 'none', run: () => mapMaybe(readBack(), (r) => r !== null) };
    if (bytchk !== 1) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB)); // 11b (one block for all) not supported
    return {
      kind: 'out', length: n * BLOCK_SIZE,
      receive: (data) => mapMaybe(readBack(), (r) => r !== null && (bytesEqual(r.value, data) || this.fail(SENSE.MISCOMPARE_DURING_VERIFY))),
    };
  }

  private startStop(cdb: Uint8Array): ScsiPlan {
    const start = (cdb[4]! & 1) !== 0;
    const loej = (cdb[4]! & 2) !== 0;
    const powerCondition = cdb[4]! >> 4;
    if (powerCondition !== 0 || !loej) return this.status(true); // spinning up/down means nothing to a memory disk
    if (!start && this.prevented) return this.status(this.fail(SENSE.MEDIUM_REMOVAL_PREVENTED));
    this.present = start;
    return this.status(true);
  }

  /** MODE SENSE(6) / (10) (SPC-4 6.11 / 6.12) with an optional short block descriptor (SBC-3 6.4.2). */
  private modeSense(cdb: Uint8Array, ten: boolean): ScsiPlan {
    const dbd = (cdb[1]! & 0x08) !== 0;
    const pc = cdb[2]! >> 6;
    const page = cdb[2]! & 0x3f;
    const subpage = cdb[3]!;
    const alloc = ten ? be16(cdb, 7) : cdb[4]!;
    if (pc === 3) return this.status(this.fail(SENSE.SAVING_PARAMETERS_NOT_SUPPORTED));
    if (subpage !== 0 && !(page === 0x3f && subpage === 0xff)) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB));
    const changeable = pc === 1; // nothing is changeable: all parameter bits 0
    // Caching page (SBC-3 6.4.5): WCE 0, RCD 0 (writes go straight to the store).
    const caching = new Uint8Array(20); caching[0] = 0x08; caching[1] = 0x12;
    // Informational exceptions control page (SPC-4 7.5.8): all reporting off.
    const iec = new Uint8Array(12); iec[0] = 0x1c; iec[1] = 0x0a;
    if (!changeable) iec[2] = 0x08; // DEXCPT: exception reporting disabled
    const pages = page === 0x3f ? [caching, iec] : page === 0x08 ? [caching] : page === 0x1c ? [iec] : null;
    if (!pages) return this.status(this.fail(SENSE.INVALID_FIELD_IN_CDB));
    const block = new Uint8Array(dbd ? 0 : 8);
    if (!dbd && !changeable) {
      putBe32(block, 0, Math.min(this.store.blockCount, 0xffffffff));
      block[5] = (BLOCK_SIZE >> 16) & 0xff; putBe16(block, 6, BLOCK_SIZE & 0xffff);
    }
    const wp = this.store.readOnly ? 0x80 : 0x00; // device-specific parameter, SBC-3 6.4.1
    const header = ten ? new Uint8Array(8) : new Uint8Array(4);
    const body = concatBytes([block, ...pages]);
    const total = header.length + body.length;
    if (ten) { putBe16(header, 0, total - 2); header[3] = wp; putBe16(header, 6, block.length); }
    else { header[0] = total - 1; header[2] = wp; header[3] = block.length; }
    return fixed(concatBytes([header, body]), alloc);
  }

  /** Runs a store call: its value, or null after a throw or rejection has become `sense`. */
  private attempt<T>(call: () => MaybePromise<T>, sense: Sense): MaybePromise<{ readonly value: T } | null> {
    const failed = (): null => { this.senseData = sense; return null; };
    try {
      const v = call();
      return isPromise(v) ? v.then((value) => ({ value }), failed) : { value: v };
    } catch {
      return failed();
    }
  }
}

/** A data-in plan for fixed data, cut to the allocation length (SPC-4 4.2.5.6). */
function fixed(data: Uint8Array, alloc: number): ScsiPlan {
  const d = data.subarray(0, Math.min(alloc, data.length));
  return { kind: 'in', length: d.length, read: (offset, n) => d.subarray(offset, offset + n) };
}
