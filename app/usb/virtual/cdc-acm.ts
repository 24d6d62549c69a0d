// Virtual CDC-ACM serial port (CDC 1.2 + PSTN 1.2 "Abstract Control Model"), an echo loopback.
//
// Descriptors (CDC 1.2, 5.1 and 5.2; PSTN 1.2, 5.3): device class 02h; interface 0 = communication
// class 02h / ACM 02h / AT commands 01h with header, call-management, ACM and union functional
// descriptors and the notification endpoint 0x83 (interrupt IN); interface 1 = data class 0Ah with
// bulk OUT 0x02 and bulk IN 0x81.
//
// Requests (PSTN 1.2, 6.3): SET_LINE_CODING, GET_LINE_CODING (default 9600 8N1, what the AnyTone
// D878UV answers in the capture under /work/shared/usb-captures), SET_CONTROL_LINE_STATE and
// SEND_BREAK; the ACM descriptor advertises exactly these (bmCapabilities 06h). Notifications
// (6.5.4): SERIAL_STATE whenever the modelled modem lines change: the far end "answers" DTR with
// DCD and DSR (a null-modem loopback), and a break sent by the host comes back as a received break.
//
// Data: bytes written to bulk OUT come back on bulk IN. An IN transfer takes what is buffered, up to
// its length (a short transfer if less is waiting); with nothing buffered it stays pending. The echo
// buffer holds 4 KiB: further OUT transfers wait (NAK) until IN transfers drain it, as a UART FIFO
// would push back, except that a single transfer larger than the buffer is taken when it is empty.

import type { SetupPacket } from '../usb-backend.js';
import { EP_TYPE } from '../descriptors/configuration.js';
import {
  ACM_CAP, CDC_NOTIFY, CDC_PROTOCOL_AT_V250, CDC_REQ, CDC_SUBCLASS_ACM, LINE_CODING_LENGTH, type LineCoding, SERIAL_STATE,
  USB_CLASS_CDC, USB_CLASS_CDC_DATA, cdcAcmDescriptor, cdcCallManagementDescriptor, cdcHeaderDescriptor, cdcUnionDescriptor,
  decodeLineCoding, encodeLineCoding, lineCodingProblem,
} from '../descriptors/cdc.js';
import { ByteQueue } from './byte-queue.js';
import { type ActiveEndpoint, type ControlResult, type InResult, type OutResult, VirtualUsbDevice } from './device-model.js';
import { CDC_ACM_PID, HINDSIGHT_VID, MANUFACTURER } from './ids.js';

export const CDC_NOTIFY_ENDPOINT = 0x83;
export const CDC_BULK_IN = 0x81;
export const CDC_BULK_OUT = 0x02;
export const CDC_BUFFER_BYTES = 4096;
const COMM_INTERFACE = 0;
const DATA_INTERFACE = 1;

export const DEFAULT_LINE_CODING: LineCoding = { dwDTERate: 9600, bCharFormat: 0, bParityType: 0, bDataBits: 8 };

export interface CdcAcmOptions {
  /** Echo host data back (default true). Without echo, only inject() produces IN data. */
  readonly echo?: boolean;
  readonly serial?: string;
}

export class CdcAcm extends VirtualUsbDevice {
  /** Every chunk the host writes to bulk OUT (the "serial line" as seen by the far end). */
  onHostData: ((bytes: Uint8Array) => void) | null = null;
  private readonly echo: boolean;
  private readonly rx = new ByteQueue(); // bytes waiting for bulk IN
  private readonly notifications: Uint8Array[] = [];
  private coding: LineCoding = DEFAULT_LINE_CODING;
  private lines = 0; // bit 0 DTR, bit 1 RTS (PSTN 6.3.12)
  private serialState = 0;
  private breakCount = 0;

  constructor(opts: CdcAcmOptions = {}) {
    super({
      spec: 'virtual:cdc-acm',
      device: {
        bcdUSB: 0x0200, bDeviceClass: USB_CLASS_CDC, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 64,
        idVendor: HINDSIGHT_VID, idProduct: CDC_ACM_PID, bcdDevice: 0x0100,
        iManufacturer: 1, iProduct: 2, iSerialNumber: 3, bNumConfigurations: 1,
      },
      configuration: {
        bConfigurationValue: 1, bmAttributes: 0 /* bus-powered, no remote wakeup */, bMaxPower: 50,
        interfaces: [
          {
            bInterfaceNumber: COMM_INTERFACE, bInterfaceClass: USB_CLASS_CDC, bInterfaceSubClass: CDC_SUBCLASS_ACM, bInterfaceProtocol: CDC_PROTOCOL_AT_V250,
            extra: [
              cdcHeaderDescriptor(0x0110),
              cdcCallManagementDescriptor(0x00, DATA_INTERFACE), // the host does call management itself
              cdcAcmDescriptor(ACM_CAP.LINE_CODING | ACM_CAP.SEND_BREAK),
              cdcUnionDescriptor(COMM_INTERFACE, [DATA_INTERFACE]),
            ],
            endpoints: [{ bEndpointAddress: CDC_NOTIFY_ENDPOINT, bmAttributes: EP_TYPE.INTERRUPT, wMaxPacketSize: 16, bInterval: 16 }],
          },
          {
            bInterfaceNumber: DATA_INTERFACE, bInterfaceClass: USB_CLASS_CDC_DATA, bInterfaceSubClass: 0, bInterfaceProtocol: 0,
            endpoints: [
              { bEndpointAddress: CDC_BULK_OUT, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
              { bEndpointAddress: CDC_BULK_IN, bmAttributes: EP_TYPE.BULK, wMaxPacketSize: 64, bInterval: 0 },
            ],
          },
        ],
      },
      strings: [MANUFACTURER, 'Hindsight Virtual Serial', opts.serial ?? 'HSACM0001'],
    });
    this.echo = opts.echo ?? true;
  }

  get lineCoding(): LineCoding { return this.coding; }
  /** DTR (bit 0) and RTS (bit 1) as last set by the host. */
  get controlLines(): number { return this.lines; }
  /** Number of SEND_BREAK requests seen (for the UI and tests). */
  get breaks(): number { return this.breakCount; }
  /** Bytes waiting for bulk IN transfers. */
  get buffered(): number { return this.rx.length; }

  /** The far end sends `bytes` to the host (they arrive on bulk IN). */
  inject(bytes: Uint8Array): void {
    this.rx.push(bytes);
    this.kick(CDC_BULK_IN);
  }

  protected override dataIn(ep: ActiveEndpoint, length: number): InResult {
    if (ep.address === CDC_NOTIFY_ENDPOINT) return this.notifications.shift() ?? null;
    if (this.rx.length === 0) return null;
    const out = this.rx.take(length);
    this.kick(CDC_BULK_OUT); // space for a waiting OUT transfer
    return out;
  }

  protected override dataOut(_ep: ActiveEndpoint, data: Uint8Array): OutResult {
    if (this.echo && this.rx.length > 0 && this.rx.length + data.length > CDC_BUFFER_BYTES) return null; // NAK until drained
    this.onHostData?.(data.slice());
    if (this.echo) {
      this.rx.push(data);
      this.kick(CDC_BULK_IN);
    }
    return data.length;
  }

  protected override classRequest(s: SetupPacket, data: Uint8Array): ControlResult {
    // Management requests go to the communication interface (PSTN 6.3); the data interface has none.
    if ((s.bmRequestType & 0x1f) !== 1 || (s.wIndex & 0xff) !== COMM_INTERFACE || this.interfaceClass(COMM_INTERFACE) !== USB_CLASS_CDC) return 'stall';
    const dirIn = (s.bmRequestType & 0x80) !== 0;
    switch (s.bRequest) {
      case CDC_REQ.SET_LINE_CODING: {
        if (dirIn || data.length < LINE_CODING_LENGTH) return 'stall';
        const c = decodeLineCoding(data);
        if (lineCodingProblem(c)) return 'stall';
        this.coding = c;
        return data;
      }
      case CDC_REQ.GET_LINE_CODING:
        return dirIn ? encodeLineCoding(this.coding) : 'stall';
      case CDC_REQ.SET_CONTROL_LINE_STATE: {
        if (dirIn) return 'stall';
        this.lines = s.wValue & 3;
        // Null-modem loopback: the far end sees our DTR as its DSR/DCD and answers in kind.
        this.setSerialState((this.serialState & ~(SERIAL_STATE.DCD | SERIAL_STATE.DSR)) | (this.lines & 1 ? SERIAL_STATE.DCD | SERIAL_STATE.DSR : 0));
        return data;
      }
      case CDC_REQ.SEND_BREAK:
        if (dirIn) return 'stall';
        if (s.wValue !== 0) {
          this.breakCount++;
          this.notify(this.serialState | SERIAL_STATE.BREAK); // bBreak is a one-shot (irregular) bit, PSTN 6.5.4
        }
        return data;
      default:
        return 'stall';
    }
  }

  private setSerialState(v: number): void {
    if (v === this.serialState) return;
    this.serialState = v;
    this.notify(v);
  }

  /** SERIAL_STATE notification (PSTN 6.5.4, table 31): 8-byte header + 2-byte UART state bitmap. */
  private notify(state: number): void {
    this.notifications.push(Uint8Array.of(0xa1, CDC_NOTIFY.SERIAL_STATE, 0, 0, COMM_INTERFACE, 0, 2, 0, state & 0xff, state >> 8));
    this.kick(CDC_NOTIFY_ENDPOINT);
  }

  protected override onConfigured(): void {
    this.rx.clear();
    this.notifications.length = 0;
    this.lines = 0;
    this.serialState = 0;
  }

  protected override onReset(): void {
    this.onConfigured();
    this.coding = DEFAULT_LINE_CODING;
  }
}
