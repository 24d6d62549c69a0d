// The common shape of one captured USB record, whatever recorded it (Linux usbmon or Windows USBPcap),
// and the mapping of each platform's status codes onto the port's UsbStatus.

import type { SetupPacket, TransferKind, UsbStatus } from '../usb-backend.js';

export type UsbEventKind = 'submit' | 'complete' | 'error';

/** One isochronous packet descriptor (usbmon mon_bin_isodesc, USBPcap USBPCAP_BUFFER_ISO_PACKET). */
export interface IsoPacket {
  readonly status: number;
  readonly offset: number;
  readonly length: number;
}

export interface UsbEvent {
  /** Which capture format the record came from; it decides how `status` is read. */
  readonly source: 'usbmon' | 'usbpcap';
  /** Capture timestamp, nanoseconds since the Unix epoch. */
  readonly time: bigint;
  readonly bus: number;
  readonly device: number;
  /** Endpoint address: number in bits 0..3, bit 7 set for IN (for control: the data stage's direction). */
  readonly endpoint: number;
  /** 'none': a USBPcap IRP that carries no USB transfer (ABORT_PIPE, RESET_PIPE...: transfer 0xFE/0xFF). */
  readonly transferType: TransferKind | 'none';
  /** 'submit': the host hands the transfer to the controller; 'complete': it came back; 'error': usbmon 'E' (the submission failed). */
  readonly kind: UsbEventKind;
  /** usbmon URB tag (kernel address) or USBPcap IRP pointer: the same for a submission and its completion. */
  readonly id: bigint;
  readonly setup?: SetupPacket;
  /** Raw status: a negative errno for usbmon (-115 EINPROGRESS on submissions), a USBD_STATUS for USBPcap. */
  readonly status: number;
  /** usbmon: the URB length (requested on submissions, actual on completions). USBPcap: the payload length (setup excluded). */
  readonly length: number;
  /** Captured transfer data, setup packet excluded: OUT data on submissions, IN data on completions. */
  readonly data: Uint8Array;
  /** Index of the packet in the capture file, and of its interface. */
  readonly packetIndex: number;
  readonly interfaceId: number;
  /** USBPcap control transfers: which stage this record is (USBPcap captureformat, "Control transfer"). */
  readonly stage?: 'setup' | 'data' | 'status' | 'complete';
  /** USBPcap: the record was synthesized by USBPcap at capture start (IRP ID 0), it was never on the bus. */
  readonly synthesized?: boolean;
  readonly iso?: { readonly startFrame: number; readonly errorCount: number; readonly packets: readonly IsoPacket[] };
  /** usbmon 64-byte header only: URB transfer_flags and polling interval. */
  readonly xferFlags?: number;
  readonly interval?: number;
}

// Linux errno values (include/uapi/asm-generic/errno*.h) as usbmon reports them, negated.
// Documentation/driver-api/usb/error-codes.rst says what each means for a URB.
export const ERRNO = {
  ENOENT: 2, ENODEV: 19, EXDEV: 18, EPIPE: 32, ETIME: 62, ENOSR: 63, ECOMM: 70, EPROTO: 71, EOVERFLOW: 75, EILSEQ: 84,
  ECONNRESET: 104, ESHUTDOWN: 108, ETIMEDOUT: 110, EINPROGRESS: 115, EREMOTEIO: 121,
} as const;

/** usbmon URB status (0 or -errno) → UsbStatus, and whether the host cancelled the URB (unlink). */
export function statusFromErrno(status: number): { status: UsbStatus; cancelled: boolean } {
  switch (-status) {
    case 0:
    // -EREMOTEIO: a short packet on a URB_SHORT_NOT_OK transfer. The device answered (the data is in
    // the record); refusing short transfers is the host's policy, which the guest's HC applies itself.
    case ERRNO.EREMOTEIO:
      return { status: 'ok', cancelled: false };
    case ERRNO.EPIPE: return { status: 'stall', cancelled: false };
    case ERRNO.EOVERFLOW: return { status: 'babble', cancelled: false };
    case ERRNO.ETIME: case ERRNO.ETIMEDOUT: return { status: 'timeout', cancelled: false };
    case ERRNO.ENODEV: case ERRNO.ESHUTDOWN: return { status: 'nodev', cancelled: false };
    // Unlinked by the host (usb_unlink_urb / usb_kill_urb): no device answer at all.
    case ERRNO.ENOENT: case ERRNO.ECONNRESET: return { status: 'error', cancelled: true };
    default: return { status: 'error', cancelled: false }; // -EPROTO, -EILSEQ, -ECOMM, -ENOSR, -EXDEV...
  }
}

// USBD_STATUS values (Windows usb.h), as USBPcap records them.
export const USBD_STATUS = {
  SUCCESS: 0x00000000, PENDING: 0x40000000, STALL_PID: 0xc0000004, DEV_NOT_RESPONDING: 0xc0000005,
  DATA_OVERRUN: 0xc0000008, DATA_UNDERRUN: 0xc0000009, BABBLE_DETECTED: 0xc0000012, ENDPOINT_HALTED: 0xc0000030,
  ERROR_SHORT_TRANSFER: 0x80000900, TIMEOUT: 0xc0006000, DEVICE_GONE: 0xc0007000, CANCELED: 0xc0010000,
} as const;

/** USBPcap USBD_STATUS → UsbStatus, and whether the host cancelled the IRP. */
export function statusFromUsbd(status: number): { status: UsbStatus; cancelled: boolean } {
  switch (status >>> 0) {
    case USBD_STATUS.SUCCESS:
    // Short-packet errors: the device answered; see EREMOTEIO above.
    case USBD_STATUS.DATA_UNDERRUN: case USBD_STATUS.ERROR_SHORT_TRANSFER:
      return { status: 'ok', cancelled: false };
    case USBD_STATUS.STALL_PID: case USBD_STATUS.ENDPOINT_HALTED: return { status: 'stall', cancelled: false };
    case USBD_STATUS.DATA_OVERRUN: case USBD_STATUS.BABBLE_DETECTED: return { status: 'babble', cancelled: false };
    case USBD_STATUS.DEV_NOT_RESPONDING: case USBD_STATUS.TIMEOUT: return { status: 'timeout', cancelled: false };
    case USBD_STATUS.DEVICE_GONE: return { status: 'nodev', cancelled: false };
    case USBD_STATUS.CANCELED: return { status: 'error', cancelled: true };
    default: return { status: 'error', cancelled: false };
  }
}

export const TRANSFER_TYPES: readonly TransferKind[] = ['isochronous', 'interrupt', 'control', 'bulk'];
