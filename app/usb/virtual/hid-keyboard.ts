// Virtual HID boot keyboard (HID 1.11: interface class 3, subclass 1 boot, protocol 1 keyboard).
//
// Descriptors: one interface with the HID descriptor (6.2.1) and interrupt IN endpoint 0x81, max
// packet 8, polled every 10 ms; the report descriptor is HID 1.11 E.6, so the report format is the
// same under the boot and the report protocol (8 bytes: modifiers, reserved, 6 key codes; B.1).
// Class requests (7.2): GET_REPORT (input: the last report sent; output: the LEDs), SET_REPORT
// (output report = LED bits, B.1), GET_IDLE/SET_IDLE, GET_PROTOCOL/SET_PROTOCOL.
//
// Keystrokes come from the UI or a script (typeText, pressKey, setKeys): each becomes a press report
// and a release report in a queue; one queued report answers one interrupt IN transfer, and an IN
// transfer with nothing queued stays pending (the NAKs of a real idle keyboard). Idle rate: stored and
// reported, but reports are only sent on change, as with an idle rate of 0 (what hosts set with
// SET_IDLE during enumeration); repeating a report every idle period would need a clock this model
// does not have.

import type { SetupPacket } from '../usb-backend.js';
import { DESC } from '../usb-backend.js';
import { BOOT_KEYBOARD_REPORT_DESCRIPTOR, HID_PROTOCOL, HID_REPORT_TYPE, HID_REQ, HID_SUBCLASS_BOOT, USB_CLASS_HID, buildHidDescriptor } from '../descriptors/hid.js';
import { CONFIG_ATTR, EP_TYPE } from '../descriptors/configuration.js';
import { type ActiveEndpoint, type ControlResult, type InResult, VirtualUsbDevice } from './device-model.js';
import { type KeyStroke, MAX_BOOT_USAGE, keystrokesFor } from './hid-keymap.js';
import { HID_KEYBOARD_PID, HINDSIGHT_VID, MANUFACTURER } from './ids.js';

export const KEYBOARD_ENDPOINT = 0x81;
export const KEYBOARD_REPORT_LENGTH = 8;

const HID_DESCRIPTOR = buildHidDescriptor({ bcdHID: 0x0111, bCountryCode: 0, descriptors: [{ type: DESC.HID_REPORT, length: BOOT_KEYBOARD_REPORT_DESCRIPTOR.length }] });
/** HID 1.11 7.2.4: the recommended default idle rate of a keyboard is 500 ms (125 × 4 ms). */
const DEFAULT_IDLE = 125;
const PROTOCOL_BOOT = 0;
const PROTOCOL_REPORT = 1;

export interface HidKeyboardOptions {
  readonly serial?: string;
}

export class HidKeyboard extends VirtualUsbDevice {
  /** Called when the host writes the LED output report (bit 0 Num Lock, 1 Caps Lock, 2 Scroll Lock, 3 Compose, 4 Kana). */
  onLedsChanged: ((leds: number) => void) | null = null;
  private ledBits = 0;
  private protocolValue = PROTOCOL_REPORT;
  private readonly idle = new Map<number, number>();
  private readonly queue: Uint8Array[] = [];
  private last: Uint8Array = new Uint8Array(KEYBOARD_REPORT_LENGTH);

  constructor(opts: HidKeyboardOptions = {}) {
    super({
      spec: 'virtual:hid-keyboard',
      device: {
        bcdUSB: 0x0200, bDeviceClass: 0, bDeviceSubClass: 0, bDeviceProtocol: 0, bMaxPacketSize0: 8,
        idVendor: HINDSIGHT_VID, idProduct: HID_KEYBOARD_PID, bcdDevice: 0x0100,
        iManufacturer: 1, iProduct: 2, iSerialNumber: 3, bNumConfigurations: 1,
      },
      configuration: {
        bConfigurationValue: 1, bmAttributes: CONFIG_ATTR.REMOTE_WAKEUP, bMaxPower: 50,
        interfaces: [{
          bInterfaceNumber: 0, bInterfaceClass: USB_CLASS_HID, bInterfaceSubClass: HID_SUBCLASS_BOOT, bInterfaceProtocol: HID_PROTOCOL.KEYBOARD,
          extra: [HID_DESCRIPTOR],
          endpoints: [{ bEndpointAddress: KEYBOARD_ENDPOINT, bmAttributes: EP_TYPE.INTERRUPT, wMaxPacketSize: KEYBOARD_REPORT_LENGTH, bInterval: 10 }],
        }],
      },
      strings: [MANUFACTURER, 'Hindsight Virtual Keyboard', opts.serial ?? 'HSKBD0001'],
    });
  }

  /** LED output report bits last written by the host. */
  get leds(): number { return this.ledBits; }
  /** 0 boot, 1 report (HID 1.11 7.2.5). */
  get protocol(): number { return this.protocolValue; }
  /** Reports waiting for interrupt IN transfers. */
  get queuedReports(): number { return this.queue.length; }

  /** Types `text` (US layout): a press and a release report per character. Returns the keystroke count. */
  typeText(text: string): number {
    const strokes = keystrokesFor(text); // throws before queueing anything
    for (const k of strokes) this.stroke(k);
    this.kick(KEYBOARD_ENDPOINT);
    return strokes.length;
  }

  /** Presses and releases one key (a usage of page 0x07, or 0 for modifiers alone) with modifier bits. */
  pressKey(usage: number, modifiers = 0): void {
    checkUsage(usage);
    checkModifiers(modifiers);
    this.stroke({ usage, modifiers });
    this.kick(KEYBOARD_ENDPOINT);
  }

  /** Queues one report with keys held down (up to 6; more is the boot keyboard's ErrorRollOver, 0x01). */
  setKeys(modifiers: number, usages: readonly number[]): void {
    checkModifiers(modifiers);
    usages.forEach(checkUsage);
    const r = new Uint8Array(KEYBOARD_REPORT_LENGTH);
    r[0] = modifiers;
    if (usages.length > 6) r.fill(0x01, 2); // HID Usage Tables 10: ErrorRollOver in every slot
    else r.set(usages, 2);
    this.queue.push(r);
    this.kick(KEYBOARD_ENDPOINT);
  }

  /** Drops reports not yet delivered. */
  clearQueue(): void { this.queue.length = 0; }

  private stroke(k: KeyStroke): void {
    const press = new Uint8Array(KEYBOARD_REPORT_LENGTH);
    press[0] = k.modifiers;
    press[2] = k.usage;
    this.queue.push(press, new Uint8Array(KEYBOARD_REPORT_LENGTH));
  }

  protected override dataIn(_ep: ActiveEndpoint, _length: number): InResult {
    const r = this.queue.shift();
    if (!r) return null;
    this.last = r;
    return r;
  }

  protected override interfaceDescriptor(type: number, index: number, iface: number): Uint8Array | undefined {
    if (iface !== 0 || index !== 0) return undefined;
    if (type === DESC.HID_REPORT) return BOOT_KEYBOARD_REPORT_DESCRIPTOR;
    if (type === DESC.HID) return HID_DESCRIPTOR;
    return undefined;
  }

  protected override classRequest(s: SetupPacket, data: Uint8Array): ControlResult {
    if ((s.bmRequestType & 0x1f) !== 1 || this.interfaceClass(s.wIndex & 0xff) !== USB_CLASS_HID) return 'stall';
    const reportType = s.wValue >> 8;
    const reportId = s.wValue & 0xff;
    const dirIn = (s.bmRequestType & 0x80) !== 0;
    switch (s.bRequest) {
      case HID_REQ.GET_REPORT:
        if (!dirIn || reportId !== 0) return 'stall';
        if (reportType === HID_REPORT_TYPE.INPUT) return this.last.slice();
        if (reportType === HID_REPORT_TYPE.OUTPUT) return Uint8Array.of(this.ledBits);
        return 'stall'; // no feature reports
      case HID_REQ.SET_REPORT:
        if (dirIn || reportId !== 0 || reportType !== HID_REPORT_TYPE.OUTPUT || data.length < 1) return 'stall';
        this.setLeds(data[0]! & 0x1f);
        return data;
      case HID_REQ.GET_IDLE:
        return dirIn && s.wLength >= 1 ? Uint8Array.of(this.idle.get(reportId) ?? this.idle.get(0) ?? DEFAULT_IDLE) : 'stall';
      case HID_REQ.SET_IDLE:
        if (dirIn) return 'stall';
        if (reportId === 0) this.idle.clear(); // 7.2.4: report ID 0 applies to all reports
        this.idle.set(reportId, s.wValue >> 8);
        return data;
      case HID_REQ.GET_PROTOCOL:
        return dirIn && s.wLength >= 1 ? Uint8Array.of(this.protocolValue) : 'stall';
      case HID_REQ.SET_PROTOCOL:
        if (dirIn || (s.wValue !== PROTOCOL_BOOT && s.wValue !== PROTOCOL_REPORT)) return 'stall';
        this.protocolValue = s.wValue;
        return data;
      default:
        return 'stall';
    }
  }

  private setLeds(v: number): void {
    const changed = v !== this.ledBits;
    this.ledBits = v;
    if (changed) this.onLedsChanged?.(v);
  }

  protected override onConfigured(): void {
    // 7.2.6: the protocol returns to report protocol when the device is (re)initialised.
    this.protocolValue = PROTOCOL_REPORT;
    this.idle.clear();
  }

  protected override onReset(): void {
    this.onConfigured();
    this.setLeds(0);
    this.last = new Uint8Array(KEYBOARD_REPORT_LENGTH);
  }
}

function checkUsage(usage: number): void {
  if (!Number.isInteger(usage) || usage < 0 || usage > MAX_BOOT_USAGE) {
    throw new RangeError(`key usage ${usage} is outside the boot keyboard's range 0..${MAX_BOOT_USAGE} (HID Usage Tables, page 0x07); use modifier bits for 0xE0..0xE7`);
  }
}

function checkModifiers(m: number): void {
  if (!Number.isInteger(m) || m < 0 || m > 0xff) throw new RangeError(`modifiers must be a bit mask 0..0xff, got ${m}`);
}
