// Drives the virtual mass-storage device with exactly what Linux sent to a real SanDisk Cruzer Dial
// (msc-sandisk-cruzer_enum-scsi_usbmon.pcapng: 224 CBWs, their data stages, CSW reads and the
// CLEAR_FEATURE(ENDPOINT_HALT) requests between them) and compares every completion with the
// stick's. The medium is a sparse store as large as the stick (READ CAPACITY says last LBA
// 0x0764ffff) holding the blocks the capture read, so READ(10) data can be compared byte for byte.
//
// Known, intended differences (checked explicitly below):
// - MODE SENSE(6) page 3Fh: the stick returns 68 bytes of mode pages, we return 44; both end the
//   data stage short and STALL the CSW read, so only the length and the CSW residue differ.
// - PREVENT ALLOW MEDIUM REMOVAL: the stick fails it (ILLEGAL REQUEST, INVALID COMMAND OPERATION
//   CODE); we support it. So the next REQUEST SENSE returns NO SENSE in 18 bytes, theirs 28 bytes.
// - GET_DESCRIPTOR(BOS): the stick is USB 2.10 and has one; we are a full-speed USB 2.00 device and STALL.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type UsbCompletion, parseSetup } from '../usb-backend.js';
import { asciiText, be32, bytesEqual, le32 } from '../descriptors/bytes.js';
import { BLOCK_SIZE, MemoryBlockStore } from './block-store.js';
import { MSC_BULK_IN, MSC_BULK_OUT, MassStorage } from './mass-storage.js';
import { TestHost } from './testing/test-host.js';
import { type UsbmonRecord, readUsbmonCapture } from './testing/usbmon-capture.js';

const CAPTURE = '/work/shared/usb-captures/msc-sandisk-cruzer_enum-scsi_usbmon.pcapng';
const EPIPE = -32;
const EREMOTEIO = -121; // short transfer: less data than asked

function deviceRecords(): UsbmonRecord[] {
  return readUsbmonCapture(readFileSync(CAPTURE)).filter((r) => r.bus === 3 && r.device === 2 && (r.xferType === 2 || r.xferType === 3));
}

/** The completion the stick gave to a submission (same URB tag, later frame). */
function completionOf(recs: UsbmonRecord[], i: number): UsbmonRecord {
  const sub = recs[i]!;
  for (let j = i + 1; j < recs.length; j++) if (recs[j]!.type === 'C' && recs[j]!.urb === sub.urb) return recs[j]!;
  throw new Error(`no completion for frame ${sub.frame}`);
}

/** The blocks the capture read (as far as usbmon kept the data), loaded into a stick-sized sparse store. */
function storeFromCapture(recs: UsbmonRecord[]): MemoryBlockStore {
  const store = new MemoryBlockStore(0x0764ffff + 1);
  recs.forEach((r, i) => {
    if (r.type !== 'S' || r.endpoint !== MSC_BULK_OUT || r.data[15] !== 0x28) return;
    const lba = be32(r.data, 17);
    const next = recs.findIndex((x, j) => j > i && x.type === 'S' && x.endpoint === MSC_BULK_IN);
    const data = completionOf(recs, next).data;
    expect(data.length % BLOCK_SIZE).toBe(0);
    store.load(lba, data);
  });
  return store;
}

async function settled(p: Promise<UsbCompletion>, frame: number): Promise<UsbCompletion> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`frame ${frame}: our device left the transfer pending`)), 2000); });
  try { return await Promise.race([p, hang]); } finally { clearTimeout(timer); }
}

/** Vendor, product and revision of standard INQUIRY data (SPC-4 6.6.2), without padding. */
const inquiryIds = (d: Uint8Array): string[] =>
  [[8, 16], [16, 32], [32, 36]].map(([a, b]) => String.fromCharCode(...d.subarray(a, b)).replace(/[\0 ]+$/, ''));

const statusOf = (c: UsbCompletion, asked: number): number =>
  c.status === 'stall' ? EPIPE : c.status === 'ok' ? (c.actualLength < asked ? EREMOTEIO : 0) : -999;

describe('virtual mass storage against the SanDisk Cruzer capture', () => {
  it('answers the captured enumeration, GET_MAX_LUN and all 224 CBWs like the stick, except where documented', async () => {
    const recs = deviceRecords();
    const dev = new MassStorage({ store: storeFromCapture(recs), vendor: 'SanDisk', product: 'Cruzer Dial', revision: '1.00' });
    const host = new TestHost(dev);
    await host.setAddress(2); // xHCI did this in hardware: it is not in the capture

    let opcode = -1;
    let alloc = 0;
    let cbws = 0;
    let reads = 0;
    const differences: string[] = [];
    for (let i = 0; i < recs.length; i++) {
      const sub = recs[i]!;
      if (sub.type !== 'S') continue;
      const theirs = completionOf(recs, i);
      if (sub.xferType === 2) {
        const setup = parseSetup(sub.setup!);
        const ours = await settled(host.control(setup, sub.data), sub.frame);
        if (setup.bRequest === 6 && setup.wValue >> 8 === 0x0f) { // BOS
          expect(ours.status).toBe('stall');
          continue;
        }
        expect(ours.status, `frame ${sub.frame}`).toBe('ok');
        if (setup.bmRequestType === 0xa1) expect(Array.from(ours.data)).toEqual(Array.from(theirs.data)); // GET_MAX_LUN: 0
        continue;
      }
      if (sub.endpoint === MSC_BULK_OUT) {
        const ours = await settled(host.bulkOut(MSC_BULK_OUT, sub.data), sub.frame);
        expect([ours.status, theirs.status], `frame ${sub.frame}`).toEqual(['ok', 0]);
        if (sub.data.length === 31) { opcode = sub.data[15]!; alloc = le32(sub.data, 8); cbws++; }
        continue;
      }
      const ours = await settled(host.bulkIn(MSC_BULK_IN, sub.length), sub.frame);
      expect(statusOf(ours, sub.length), `frame ${sub.frame} (opcode ${opcode.toString(16)})`).toBe(theirs.status);
      const isCsw = theirs.data.length === 13 && le32(theirs.data, 0) === 0x53425355;
      if (isCsw) {
        const [t, o] = [theirs.data, ours.data];
        expect(le32(o, 4), `frame ${sub.frame}: CSW tag`).toBe(le32(t, 4));
        if (opcode === 0x1e) {
          expect([o[12], t[12]]).toEqual([0, 1]);
          differences.push('PREVENT ALLOW MEDIUM REMOVAL: passed (stick: failed)');
        } else {
          expect(o[12], `frame ${sub.frame}: CSW status`).toBe(t[12]);
        }
        if (opcode === 0x1a || opcode === 0x03) expect(le32(o, 8)).toBe(alloc - (opcode === 0x1a ? 44 : 18));
        else expect(le32(o, 8), `frame ${sub.frame}: residue`).toBe(le32(t, 8));
      } else if (ours.status === 'ok') {
        if (opcode === 0x1a || opcode === 0x03) {
          differences.push(`${opcode === 0x1a ? 'MODE SENSE(6)' : 'REQUEST SENSE'}: ${ours.actualLength} bytes (stick: ${theirs.length})`);
        } else {
          // usbmon keeps at most 61440 bytes of a URB's data (len_cap), so compare what it kept.
          expect(ours.actualLength, `frame ${sub.frame}: data length`).toBe(theirs.length);
          if (opcode === 0x28) {
            expect(bytesEqual(ours.data.subarray(0, theirs.data.length), theirs.data), `frame ${sub.frame}: READ(10) data`).toBe(true);
            reads++;
          }
          if (opcode === 0x25) expect(Array.from(ours.data)).toEqual(Array.from(theirs.data)); // READ CAPACITY: 0764ffff 00000200
          if (opcode === 0x12) expect(inquiryIds(ours.data)).toEqual(inquiryIds(theirs.data)); // the stick pads with NULs, SPC-4 says spaces
        }
      }
    }
    expect(cbws).toBe(224);
    expect(reads).toBe(185);
    expect(new Set(differences)).toEqual(new Set([
      'MODE SENSE(6): 44 bytes (stick: 68)', 'PREVENT ALLOW MEDIUM REMOVAL: passed (stick: failed)', 'REQUEST SENSE: 18 bytes (stick: 28)',
    ]));
    expect(dev.transportPhase).toBe('idle');
    // The GPT header the stick holds in its last block came back through our READ(10) too.
    expect(asciiText((dev.disk.store.read(0x0764ffff, 1) as Uint8Array).subarray(0, 8))).toBe('EFI PART');
  });
});
