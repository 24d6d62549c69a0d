// A Bulk-Only Transport host for tests, doing what Linux usb-storage does (BOT 1.0 5.3): CBW, data
// stage, CSW; a STALLed data stage or CSW read is cleared with CLEAR_FEATURE(ENDPOINT_HALT) and the
// CSW read once more (5.3.3). Every step is logged so tests can check the exact sequence.

import { putLe32, le32 } from '../../descriptors/bytes.js';
import type { UsbCompletion } from '../../usb-backend.js';
import type { TestHost } from './test-host.js';

export interface Csw { readonly signature: number; readonly tag: number; readonly residue: number; readonly status: number }

export interface BotResult {
  readonly data: Uint8Array;
  readonly dataStatus: UsbCompletion['status'] | null;
  readonly csw: Csw | null;
  readonly log: string[];
}

export type DataStage = { readonly in: number } | { readonly out: Uint8Array } | null;

export function buildCbw(tag: number, length: number, dirIn: boolean, cdb: readonly number[] | Uint8Array, lun = 0): Uint8Array {
  const b = new Uint8Array(31);
  putLe32(b, 0, 0x43425355);
  putLe32(b, 4, tag);
  putLe32(b, 8, length);
  b[12] = dirIn ? 0x80 : 0;
  b[13] = lun;
  b[14] = cdb.length;
  b.set(cdb, 15);
  return b;
}

export const parseCsw = (b: Uint8Array): Csw => ({ signature: le32(b, 0), tag: le32(b, 4), residue: le32(b, 8), status: b[12]! });

export class BotHost {
  private tag = 0;
  constructor(readonly host: TestHost, readonly bulkIn = 0x81, readonly bulkOut = 0x02) {}

  /** One command; `stage` is what the CBW announces (and does). */
  async command(cdb: readonly number[], stage: DataStage = null, opts: { tag?: number; lun?: number; length?: number } = {}): Promise<BotResult> {
    const log: string[] = [];
    const tag = opts.tag ?? ++this.tag;
    const length = opts.length ?? (stage === null ? 0 : 'in' in stage ? stage.in : stage.out.length);
    const cbw = await this.host.bulkOut(this.bulkOut, buildCbw(tag, length, stage !== null && 'in' in stage, cdb, opts.lun));
    log.push(`CBW ${cbw.status}`);
    if (cbw.status !== 'ok') return { data: new Uint8Array(0), dataStatus: null, csw: null, log };
    let data = new Uint8Array(0) as Uint8Array;
    let dataStatus: UsbCompletion['status'] | null = null;
    if (stage !== null && length > 0) {
      const c = 'in' in stage ? await this.host.bulkIn(this.bulkIn, length) : await this.host.bulkOut(this.bulkOut, stage.out);
      dataStatus = c.status;
      data = c.data;
      log.push(`data ${c.status} ${c.actualLength}`);
      if (c.status === 'stall') {
        await this.host.clearHalt('in' in stage ? this.bulkIn : this.bulkOut);
        log.push('clear halt');
      }
    }
    const csw = await this.readCsw(log);
    return { data, dataStatus, csw, log };
  }

  async readCsw(log: string[] = []): Promise<Csw | null> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const c = await this.host.bulkIn(this.bulkIn, 13);
      log.push(`CSW ${c.status} ${c.actualLength}`);
      if (c.status === 'ok') return parseCsw(c.data);
      if (c.status !== 'stall') return null;
      await this.host.clearHalt(this.bulkIn);
      log.push('clear halt');
    }
    return null;
  }

  /** Reset Recovery (BOT 5.3.4): class reset, then clear both halts. */
  async resetRecovery(): Promise<UsbCompletion[]> {
    return [
      await this.host.control({ bmRequestType: 0x21, bRequest: 0xff, wValue: 0, wIndex: 0, wLength: 0 }),
      await this.host.clearHalt(this.bulkIn),
      await this.host.clearHalt(this.bulkOut),
    ];
  }
}
