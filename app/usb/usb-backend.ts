// The USB port: how the emulated host controller's transfers reach a device outside the machine,
// whatever that device is (a virtual device model, a device replayed from a capture, or a real
// device through the `usb` package). USB 2.0 spec chapters 5, 8 and 9.
//
// Determinism: a backend is "outside world". While recording, every completion the guest observes
// is written down as an input event; while replaying, no backend exists and completions come from
// the recording. So a backend may be as asynchronous and timing-dependent as a real device.
//
// Isochronous transfers are not supported yet (none of the target drivers need them); a backend
// answers them with status 'error'.

export type UsbSpeed = 'low' | 'full' | 'high';

export type TransferKind = 'control' | 'bulk' | 'interrupt' | 'isochronous';

/** The 8-byte SETUP packet of a control transfer (USB 2.0, 9.3). */
export interface SetupPacket {
  readonly bmRequestType: number;
  readonly bRequest: number;
  readonly wValue: number;
  readonly wIndex: number;
  readonly wLength: number;
}

/** A transfer from the host to one endpoint of the device. */
export interface UsbTransfer {
  readonly kind: TransferKind;
  /** Endpoint number, 0..15 (0 is the default control pipe). */
  readonly endpoint: number;
  /** Direction of the data stage: true for IN (device to host). */
  readonly dirIn: boolean;
  /** Control transfers only. */
  readonly setup?: SetupPacket;
  /** OUT data (empty for IN). */
  readonly data: Uint8Array;
  /** Bytes the host asks for (IN) or sends (OUT). */
  readonly length: number;
}

/**
 * How a transfer ended. 'stall': the endpoint answered STALL (halted, or a request the device does
 * not support); 'babble': the device sent more than asked; 'timeout': no answer; 'nodev': the
 * device is gone (disconnected); 'error': anything else (CRC, bit stuffing, unsupported transfer).
 */
export type UsbStatus = 'ok' | 'stall' | 'babble' | 'timeout' | 'nodev' | 'error';

export interface UsbCompletion {
  readonly status: UsbStatus;
  /** IN data actually received (its length is the actual length); empty for OUT. */
  readonly data: Uint8Array;
  /** Bytes actually transferred (for OUT: accepted by the device). */
  readonly actualLength: number;
}

/** What the host controller's root hub reports about the attached device. */
export interface UsbDeviceIdentity {
  /** How this device was attached, e.g. "virtual:hid-keyboard", "capture:file.pcapng", "host:1234:5678". */
  readonly spec: string;
  readonly speed: UsbSpeed;
  readonly vendorId: number;
  readonly productId: number;
}

/** One attached device, as seen from the host controller. */
export interface UsbDeviceBackend {
  readonly identity: UsbDeviceIdentity;
  /**
   * Performs a transfer. Resolves when the device has answered; an interrupt IN transfer stays
   * pending until the device has data (a key press, a serial byte), as on a real bus. Never rejects:
   * failures are completions with a status.
   */
  submit(t: UsbTransfer): Promise<UsbCompletion>;
  /** Port reset (the device returns to the Default state, address 0, unconfigured). */
  reset(): Promise<void>;
  /** Abandons every pending transfer (each resolves with status 'nodev' or is dropped). */
  cancelAll(): void;
  /**
   * Abandons one pending transfer (the guest's driver took it off the schedule): it resolves with
   * 'nodev' and must not consume data meant for the next transfer (a key report, serial bytes).
   * `t` is the object given to submit(). Backends that cannot cancel one transfer leave this out.
   */
  cancel?(t: UsbTransfer): void;
  close(): Promise<void>;
  /** Set by the host: called when the device goes away (unplugged). */
  onDisconnect: (() => void) | null;
}

/** Standard request codes (USB 2.0, table 9-4). */
export const REQ = {
  GET_STATUS: 0, CLEAR_FEATURE: 1, SET_FEATURE: 3, SET_ADDRESS: 5, GET_DESCRIPTOR: 6, SET_DESCRIPTOR: 7,
  GET_CONFIGURATION: 8, SET_CONFIGURATION: 9, GET_INTERFACE: 10, SET_INTERFACE: 11, SYNCH_FRAME: 12,
} as const;

/** Descriptor types (USB 2.0, table 9-5; HID 1.11, 7.1). */
export const DESC = {
  DEVICE: 1, CONFIGURATION: 2, STRING: 3, INTERFACE: 4, ENDPOINT: 5, DEVICE_QUALIFIER: 6,
  HID: 0x21, HID_REPORT: 0x22,
} as const;

/** Feature selectors (USB 2.0, table 9-6). */
export const FEATURE = { ENDPOINT_HALT: 0, DEVICE_REMOTE_WAKEUP: 1 } as const;

export const requestDirIn = (s: SetupPacket): boolean => (s.bmRequestType & 0x80) !== 0;
export const requestType = (s: SetupPacket): 'standard' | 'class' | 'vendor' | 'reserved' =>
  (['standard', 'class', 'vendor', 'reserved'] as const)[(s.bmRequestType >> 5) & 3]!;
export const requestRecipient = (s: SetupPacket): 'device' | 'interface' | 'endpoint' | 'other' =>
  (['device', 'interface', 'endpoint', 'other'] as const)[Math.min(s.bmRequestType & 31, 3)]!;

/** Reads a SETUP packet from its 8 wire bytes (little-endian). */
export function parseSetup(b: Uint8Array): SetupPacket {
  if (b.length < 8) throw new RangeError(`a SETUP packet is 8 bytes, got ${b.length}`);
  return { bmRequestType: b[0]!, bRequest: b[1]!, wValue: b[2]! | (b[3]! << 8), wIndex: b[4]! | (b[5]! << 8), wLength: b[6]! | (b[7]! << 8) };
}

export function encodeSetup(s: SetupPacket): Uint8Array {
  return Uint8Array.of(s.bmRequestType, s.bRequest, s.wValue & 0xff, s.wValue >> 8, s.wIndex & 0xff, s.wIndex >> 8, s.wLength & 0xff, s.wLength >> 8);
}
