// What crosses the machine boundary for USB: the controller's transfer requests (outputs) and the
// host's completions and port events (inputs). The engine imports nothing outside itself, so these
// mirror the few types of app/usb/usb-backend.ts it needs (USB 2.0 chapters 5, 8, 9):
//   - UsbTransferRequest has every field of app/usb's UsbTransfer (kind, endpoint, dirIn, setup, data,
//     length), so a host can hand it to UsbDeviceBackend.submit() as it is;
//   - UsbTransferResult is app/usb's UsbCompletion, so a backend's completion can be passed back as
//     it is. A test (ohci-host.test.ts) checks both assignments, so the mirror cannot drift.

export type UsbPortSpeed = 'low' | 'full';

/** Transfer types this controller issues. Isochronous is not supported (see ohci.ts). */
export type UsbRequestKind = 'control' | 'bulk' | 'interrupt';

/** The 8-byte SETUP packet of a control transfer (USB 2.0, 9.3). */
export interface UsbSetup {
  readonly bmRequestType: number;
  readonly bRequest: number;
  readonly wValue: number;
  readonly wIndex: number;
  readonly wLength: number;
}

/** A transfer the guest's driver queued, for the device behind a root hub port. */
export interface UsbTransferRequest {
  /** Deterministic id (a counter in the controller's state): the same run issues the same ids. */
  readonly id: number;
  /** Root hub port, 1..2 (OHCI numbers ports from 1, like HcRhPortStatus[1]). */
  readonly port: number;
  /** The guest-visible USB address (ED.FunctionAddress). Virtual: it need not be the real device's. */
  readonly address: number;
  /** Endpoint number 0..15 (ED.EndpointNumber). */
  readonly endpoint: number;
  readonly kind: UsbRequestKind;
  /** Direction of the data stage: true for IN (device to host). */
  readonly dirIn: boolean;
  /** Control transfers only: the SETUP packet, as the guest wrote it. */
  readonly setup?: UsbSetup;
  /** OUT data (empty for IN). For control OUT: the data stage, gathered from all its TDs. */
  readonly data: Uint8Array;
  /**
   * Bytes the host asks for (IN) or sends (OUT). For control IN: min(wLength, room in the data
   * TDs) — a device with more to say sees the status stage early, as on a real bus.
   */
  readonly length: number;
}

/**
 * How a transfer ended (app/usb's UsbStatus). 'stall': the endpoint answered STALL; 'babble': the
 * device sent more than asked; 'timeout': no answer; 'nodev': the device is gone; 'error': anything
 * else (CRC, bit stuffing, unsupported transfer).
 */
export type UsbResultStatus = 'ok' | 'stall' | 'babble' | 'timeout' | 'nodev' | 'error';

export interface UsbTransferResult {
  readonly status: UsbResultStatus;
  /** IN data actually received; empty for OUT. */
  readonly data: Uint8Array;
  /** Bytes actually transferred (for OUT: accepted by the device). */
  readonly actualLength: number;
}

export const RESULT_STATUSES: readonly UsbResultStatus[] = ['ok', 'stall', 'babble', 'timeout', 'nodev', 'error'];

/** What the controller tells the host. Called synchronously; see OhciController.hooks. */
export interface OhciHostHooks {
  /** The guest started a transfer: hand it to the device; answer with completeTransfer(id, ...). */
  onTransferRequest(request: UsbTransferRequest): void;
  /** A transfer the host was given is no longer wanted (ED unlinked/skipped, port reset/detach, HC reset). */
  onTransferCancel(id: number): void;
  /** The guest reset the device on `port` (port reset, or the bus reset of HCFS = UsbReset). */
  onPortReset(port: number): void;
}

export function parseSetupBytes(b: Uint8Array): UsbSetup {
  return { bmRequestType: b[0]!, bRequest: b[1]!, wValue: b[2]! | (b[3]! << 8), wIndex: b[4]! | (b[5]! << 8), wLength: b[6]! | (b[7]! << 8) };
}

export function setupBytes(s: UsbSetup): Uint8Array {
  return Uint8Array.of(s.bmRequestType, s.bRequest, s.wValue & 0xff, s.wValue >>> 8, s.wIndex & 0xff, s.wIndex >>> 8, s.wLength & 0xff, s.wLength >>> 8);
}
