// Virtual USB mass-storage device: Bulk-Only Transport 1.0 with the SCSI transparent command set
// (interface class 08h, subclass 06h, protocol 50h; bulk IN 0x81 and bulk OUT 0x02, 64 bytes).
//
// BOT (MSC BOT 1.0): a 31-byte CBW on bulk OUT (5.1), an optional data stage, a 13-byte CSW on bulk
// IN (5.2). The SCSI layer (scsi-disk.ts) says what the command needs (Dn, Di or Do bytes); this
// layer matches it with what the CBW says the host expects (Hn, Hi, Ho) following the thirteen
// cases of 6.7:
//   1 Hn=Dn, 6 Hi=Di, 12 Ho=Do: the normal cases, residue 0.
//   2 Hn<Di, 3 Hn<Do: no data stage, CSW phase error (02h).
//   4 Hi>Dn, 5 Hi>Di: send what there is; a data stage shorter than Hi ends with a STALL of bulk IN
//     (after a short packet, or at once when there is nothing to send), residue Hi - sent. This is
//     what the SanDisk Cruzer in /work/shared/usb-captures does.
//   7 Hi<Di: send Hi bytes, phase error.  8 Hi<>Do: STALL bulk IN, phase error.
//   9 Ho>Dn, 11 Ho>Do: accept and discard the extra bytes (the recommended choice), residue Ho - Do.
//   10 Ho<>Di: STALL bulk OUT, phase error.  13 Ho<Do: take Ho bytes, write nothing, phase error.
// A CBW that is not valid (6.2.1: not 31 bytes, wrong signature, or not right after a CSW) or not
// meaningful (bCBWCBLength outside 1..16) STALLs both bulk endpoints until Reset Recovery (6.6.1):
// CLEAR_FEATURE(ENDPOINT_HALT) succeeds but leaves them halted until BULK_ONLY_MASS_STORAGE_RESET
// (3.1), which itself keeps the halts (5.3.4), so the host then clears both. A CBW for a LUN other
// than 0 fails with ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED. GET_MAX_LUN answers 0 (3.2).

import type { SetupPacket } from '../usb-backend.js';
import { le32, putLe32 } from '../descriptors/bytes.js';
import { EP_TYPE } from '../descriptors/configuration.js';
import { CBW_LENGTH, CBW_SIGNATURE, CSW_LENGTH, CSW_SIGNATURE, CSW_STATUS, MSC_PROTOCOL_BOT, MSC_REQ, MSC_SUBCLASS_SCSI, USB_CLASS_MSC } from '../descriptors/msc.js';
import type { BlockStore } from './block-store.js';
import { createDefaultDisk } from './default-disk.js';
import { type ActiveEndpoint, type ControlResult, type InResult, type MaybePromise, type OutResult, VirtualUsbDevice, mapMaybe } from './device-model.js';
import { HINDSIGHT_VID, MANUFACTURER, MASS_STORAGE_PID } from './ids.js';
import { DEFAULT_MSC_SERIAL, SENSE, type ScsiDiskOptions, ScsiDisk } from './scsi-disk.js';

export const MSC_BULK_IN = 0x81;
export const MSC_BULK_OUT = 0x02;
const INTERFACE = 0;

type Phase =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy' }
  | { readonly kind: 'data-in'; readonly tag: number; readonly host: number; sent: number; devLeft: number; readonly phaseError: boolean;
      readonly read: ((offset: number, n: number) => MaybePromise<Uint8Array | null>) | null; status: number }
  | { readonly kind: 'data-out'; readonly tag: number; readonly host: number; hostLeft: number; readonly buf: Uint8Array; got: number;
      readonly phaseError: boolean; readonly receive: ((d: Uint8Array) => MaybePromise<boolean>) | null; readonly status: number }
  | { readonly kind: 'status'; readonly csw: Uint8Array };

export interface MassStorageOptions extends ScsiDiskOptions {
  /** The medium (default: the 1 MiB FAT12 image of default-disk.ts). */
  readonly store?: BlockStore;
  /** The attach spec reported in identity (default "virtual:msc"). */
  readonly spec?: string;
}

export class MassStorage extends VirtualUsbDevice {
  readonly disk: ScsiDisk;
  private phase: Phase = { kind: 'idle' };
  private needsReset = false;

  constructor(opts: MassStorageOptions = {}) {
    super({
      spec: opts.spec ?? 'virtual:msc',
      device: {
        bcdUSB: 0x0200, bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 64,
        idVendor: HINDSIGHT_VID, idProduct: MASS_STORAGE_PID, bcdDevice: 0x0100,
        iManufacturer: 1, iProduct: 2, iSerialNumber: 3, bNumConfigurations: 1,
      },
      configuration: {
        bConfigurationValue: 1, bmAttributes: 0, bMaxPower: 50,
        interfaces: [{
          bInterfaceNumber: INTERFACE, bInterfaceClass: USB_CLASS_MSC, bInterfaceSubClass: MSC_SUBCLASS_SCSI, bInterfaceProtocol: MSC_PROTOCOL_BOT,
          endpoints: [
            { bEndpointAddress: MSC_BULK_IN, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
            { bEndpointAddress: MSC_BULK_OUT, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
          ],
        }],
      },
      // BOT 1.0 4.1.1: the serial number string is mandatory, 12+ hex digits.
      strings: [MANUFACTURER, 'Hindsight Virtual Disk', opts.serial ?? DEFAULT_MSC_SERIAL],
    });
    this.disk = new ScsiDisk(opts.store ?? createDefaultDisk(), opts);
  }

  /** Where the BOT state machine is (for the UI and tests). */
  get transportPhase(): Phase['kind'] | 'needs-reset' { return this.needsReset ? 'needs-reset' : this.phase.kind; }

  // ---- bulk OUT: CBWs and data-out stages -----------------------------------------------------------

  protected override dataOut(_ep: ActiveEndpoint, data: Uint8Array): MaybePromise<OutResult> {
    const p = this.phase;
    if (p.kind === 'busy') return null; // NAK while the previous command finishes
    if (p.kind === 'data-out') return this.dataOutStage(p, data);
    if (p.kind !== 'idle') return this.invalidCbw(); // a CBW not right after a CSW (6.2.1)
    return this.command(data);
  }

  private invalidCbw(): OutResult {
    this.needsReset = true;
    this.phase = { kind: 'idle' };
    this.setHalt(MSC_BULK_IN);
    return 'stall'; // and bulk OUT (the base halts it)
  }

  private command(cbw: Uint8Array): MaybePromise<OutResult> {
    if (cbw.length !== CBW_LENGTH || le32(cbw, 0) !== CBW_SIGNATURE) return this.invalidCbw();
    const cbLength = cbw[14]! & 0x1f;
    if (cbLength < 1 || cbLength > 16) return this.invalidCbw();
    const tag = le32(cbw, 4);
    const host = le32(cbw, 8);
    const hostDir = host === 0 ? 'none' : cbw[12]! & 0x80 ? 'in' : 'out';
    const cdb = new Uint8Array(16);
    cdb.set(cbw.subarray(15, 15 + cbLength));
    const plan = (cbw[13]! & 0x0f) !== 0
      ? { kind: 'none' as const, run: () => this.disk.fail(SENSE.LOGICAL_UNIT_NOT_SUPPORTED) }
      : this.disk.plan(cdb);
    const csw = (status: number, residue: number): OutResult => this.toStatus(tag, status, residue, cbw.length);

    if (plan.kind === 'none') {
      this.phase = { kind: 'busy' };
      return mapMaybe(plan.run(), (good): OutResult => {
        const status = good ? CSW_STATUS.PASSED : CSW_STATUS.FAILED;
        if (hostDir === 'none') return csw(status, 0); // case 1
        if (hostDir === 'in') { // case 4
          this.phase = { kind: 'data-in', tag, host, sent: 0, devLeft: 0, phaseError: false, read: null, status };
          this.kick(MSC_BULK_IN);
        } else { // case 9
          this.phase = { kind: 'data-out', tag, host, hostLeft: host, buf: new Uint8Array(0), got: 0, phaseError: false, receive: null, status };
        }
        return cbw.length;
      });
    }
    const dev = plan.length;
    if (hostDir === 'none') return csw(dev === 0 ? CSW_STATUS.PASSED : CSW_STATUS.PHASE_ERROR, 0); // cases 1, 2, 3
    if (plan.kind === 'in') {
      if (hostDir === 'out') { // case 10
        this.setHalt(MSC_BULK_OUT);
        return csw(CSW_STATUS.PHASE_ERROR, host);
      }
      // cases 5, 6, 7
      this.phase = { kind: 'data-in', tag, host, sent: 0, devLeft: Math.min(dev, host), phaseError: dev > host, read: plan.read, status: CSW_STATUS.PASSED };
      this.kick(MSC_BULK_IN);
      return cbw.length;
    }
    if (hostDir === 'in') { // case 8
      this.setHalt(MSC_BULK_IN);
      return csw(CSW_STATUS.PHASE_ERROR, host);
    }
    // cases 11, 12, 13
    const phaseError = host < dev;
    this.phase = { kind: 'data-out', tag, host, hostLeft: host, buf: new Uint8Array(phaseError ? 0 : dev), got: 0, phaseError, receive: phaseError ? null : plan.receive, status: CSW_STATUS.PASSED };
    return cbw.length;
  }

  private dataOutStage(p: Extract<Phase, { kind: 'data-out' }>, data: Uint8Array): MaybePromise<OutResult> {
    const take = Math.min(data.length, p.hostLeft);
    const keep = Math.min(take, p.buf.length - p.got);
    p.buf.set(data.subarray(0, keep), p.got);
    p.got += keep;
    p.hostLeft -= take;
    if (p.hostLeft > 0) return take;
    const residue = p.host - p.buf.length;
    if (p.phaseError) return this.toStatus(p.tag, CSW_STATUS.PHASE_ERROR, residue, take);
    if (!p.receive) return this.toStatus(p.tag, p.status, residue, take);
    this.phase = { kind: 'busy' };
    return mapMaybe(p.receive(p.buf), (good) => this.toStatus(p.tag, good ? CSW_STATUS.PASSED : CSW_STATUS.FAILED, residue, take));
  }

  // ---- bulk IN: data-in stages and CSWs ---------------------------------------------------------------

  protected override dataIn(_ep: ActiveEndpoint, length: number): MaybePromise<InResult> {
    const p = this.phase;
    if (p.kind === 'status') {
      this.phase = { kind: 'idle' };
      return p.csw;
    }
    if (p.kind !== 'data-in') return null; // nothing to send: NAK
    if (p.devLeft === 0 || !p.read) { // cases 4 and 5: the host wants more than there is
      this.toStatus(p.tag, p.status, p.host - p.sent, 0);
      return 'stall';
    }
    const n = Math.min(length, p.devLeft);
    return mapMaybe(p.read(p.sent, n), (chunk): InResult => {
      if (!chunk) { // the medium failed: end the data stage with a STALL (BOT 6.6.2 style)
        this.toStatus(p.tag, CSW_STATUS.FAILED, p.host - p.sent, 0);
        return 'stall';
      }
      p.sent += n;
      p.devLeft -= n;
      if (p.devLeft === 0) {
        const hostLeft = p.host - p.sent;
        if (hostLeft === 0) this.toStatus(p.tag, p.phaseError ? CSW_STATUS.PHASE_ERROR : p.status, 0, 0);
        else if (n < length) { // short packet ends the stage; STALL the next IN (case 5)
          this.toStatus(p.tag, p.status, hostLeft, 0);
          this.setHalt(MSC_BULK_IN);
        }
      }
      return chunk.slice();
    });
  }

  /** Enters the status stage with a CSW (BOT 5.2); returns `accepted` for the OUT transfer in hand. */
  private toStatus(tag: number, status: number, residue: number, accepted: number): number {
    const csw = new Uint8Array(CSW_LENGTH);
    putLe32(csw, 0, CSW_SIGNATURE);
    putLe32(csw, 4, tag);
    putLe32(csw, 8, residue);
    csw[12] = status;
    this.phase = { kind: 'status', csw };
    this.kick(MSC_BULK_IN);
    return accepted;
  }

  // ---- control --------------------------------------------------------------------------------------

  protected override classRequest(s: SetupPacket): ControlResult {
    if (s.bmRequestType === 0xa1 && s.bRequest === MSC_REQ.GET_MAX_LUN && s.wValue === 0 && s.wIndex === INTERFACE && s.wLength === 1 && this.interfaceClass(INTERFACE) === USB_CLASS_MSC) {
      return Uint8Array.of(0); // one logical unit
    }
    if (s.bmRequestType === 0x21 && s.bRequest === MSC_REQ.BULK_ONLY_RESET && s.wValue === 0 && s.wIndex === INTERFACE && s.wLength === 0 && this.interfaceClass(INTERFACE) === USB_CLASS_MSC) {
      this.phase = { kind: 'idle' };
      this.needsReset = false;
      return new Uint8Array(0);
    }
    return 'stall';
  }

  protected override mayClearHalt(): boolean { return !this.needsReset; }

  protected override onConfigured(): void {
    this.phase = { kind: 'idle' };
    this.needsReset = false;
  }

  protected override onReset(): void {
    this.onConfigured();
    this.disk.reset();
  }
}
