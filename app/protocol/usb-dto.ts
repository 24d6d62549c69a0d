// DTOs of the recording's USB transfers: the USB panel's transfer list and the timeline's USB lane.
// Plain JSON-able values only (see dto.ts). Built from the recording's usb-request and
// usb-transfer-end derived events and the usb-completion inputs, without replaying.

import type { Icount } from './dto.js';

/**
 * How a transfer ended. The first six are the device's answer as the controller saw it: 'stall'
 * the endpoint answered STALL; 'babble' it sent more than asked; 'timeout' no answer on the bus
 * (what a NAKing-forever device becomes for a backend that gives up); 'nodev' the device is gone;
 * 'error' CRC, bit stuffing, an unsupported transfer. The last two mean no answer was recorded:
 * 'cancelled' the transfer was withdrawn before an answer was given to the guest (the driver
 * unlinked or skipped its ED, reset the port or the controller, or the device was unplugged);
 * 'pending' it was still waiting when the recording ends (an interrupt IN nobody pressed a key for).
 */
export type UsbTransferStatus = 'ok' | 'stall' | 'babble' | 'timeout' | 'nodev' | 'error' | 'cancelled' | 'pending';

export type UsbTransferKind = 'control' | 'bulk' | 'interrupt';

/** One endpoint that has transfers in the recording (a filter choice). */
export interface UsbEndpointDto {
  /** The filter key: "PORT:ADDRESS:EP" with EP the endpoint address byte ("1:1:0x81"); control endpoints are "…:0x00" for both directions. */
  readonly key: string;
  /** Root hub port (1-based). Transfers are keyed by port and endpoint, never by VID:PID. */
  readonly port: number;
  /** The guest-visible USB address (0 before SET_ADDRESS). */
  readonly address: number;
  /** bEndpointAddress: number | 0x80 for IN (control endpoints: the number alone). */
  readonly endpointAddress: number;
  readonly kind: UsbTransferKind;
  readonly transfers: number;
}

/** Bytes of a transfer's data stage, bounded. */
export interface UsbDataDto {
  /**
   * Whose bytes: 'in' the device's answer (from the recorded completion), 'out' what the guest
   * sent (the recording keeps the OUT bytes themselves, not only their hash), 'none' no data
   * stage or no answer.
   */
  readonly direction: 'in' | 'out' | 'none';
  /** The first bytes, hex without spaces (at most the `dataBytes` asked for). */
  readonly hex: string;
  /** How many bytes there are in all. */
  readonly length: number;
  /** `hex` holds fewer bytes than `length`. */
  readonly truncated: boolean;
}

export interface UsbTransferDto {
  /** Position in the recording's transfer list (0-based, in the order the guest issued them). */
  readonly number: number;
  /** The controller's transfer id (what usb-request, usb-transfer-end and usb-completion share). */
  readonly id: number;
  /** Position at which the controller handed the request to the device (seek here to see it issued). */
  readonly icount: Icount;
  /** Position at which the guest's controller saw the outcome, or null when it never did (cancelled, pending). */
  readonly endIcount: Icount | null;
  /** Guest time of the request, in ticks (1 ns each; moves on while the hart sleeps in WFI). */
  readonly ticks: number;
  readonly port: number;
  readonly address: number;
  /** Endpoint number 0..15. */
  readonly endpoint: number;
  /** Direction of the data stage (for control transfers: of the SETUP's data stage). */
  readonly dirIn: boolean;
  readonly kind: UsbTransferKind;
  /** The UsbEndpointDto key this transfer belongs to. */
  readonly endpointKey: string;
  /** Control transfers: the 8-byte SETUP packet, hex; otherwise null. */
  readonly setup: string | null;
  /**
   * The request in words: a decoded SETUP ("GET_DESCRIPTOR(CONFIGURATION, 0, 9)", "SET_ADDRESS(1)",
   * "HID SET_IDLE(…)"), a mass-storage wrapper ("CBW 5: READ(10) LBA 0, 1 blocks, 512 bytes IN",
   * "CSW 5: passed, residue 0"), or the transfer itself ("bulk IN, 64 bytes").
   */
  readonly request: string;
  readonly status: UsbTransferStatus;
  /** Bytes the guest asked for (IN) or sent (OUT). */
  readonly length: number;
  /** Bytes actually transferred, or null when there was no answer. */
  readonly actualLength: number | null;
  readonly data: UsbDataDto;
}

/** Which transfers a list shows. Everything given must hold. */
export interface UsbTransferFilter {
  /** Only this endpoint (a UsbEndpointDto key). */
  readonly endpoint?: string;
  /** Only transfers that ended in one of these. */
  readonly status?: readonly UsbTransferStatus[];
  /** Only transfers issued at or after this position. */
  readonly from?: Icount;
  /** Only transfers issued before this position. */
  readonly to?: Icount;
}

/** A page of the (filtered) transfer list. Rows are numbered within the filtered list. */
export interface UsbTransferPage {
  /** Transfers in the whole recording. */
  readonly recorded: number;
  /** Transfers the filter lets through (rows 0..total-1). */
  readonly total: number;
  /** Row of `transfers[0]`. */
  readonly start: number;
  readonly transfers: readonly UsbTransferDto[];
  /** Every endpoint of the recording with transfers (for the filter), by port, address, endpoint. */
  readonly endpoints: readonly UsbEndpointDto[];
  /**
   * Asked with `at`: the row of the transfer current at that position — the last one issued at or
   * before it (it may still be in flight there) — and its number; null when none is.
   */
  readonly at: { readonly row: number; readonly number: number } | null;
  /** Asked with `locate`: the row showing that transfer number, or null when the filter hides it. */
  readonly located: number | null;
}

/** A transfer on the timeline's USB lane. */
export interface UsbTransferMarker {
  readonly number: number;
  readonly icount: Icount;
  readonly endIcount: Icount | null;
  readonly status: UsbTransferStatus;
  /** One line for a tooltip ("port 1 ep 0x00: GET_DESCRIPTOR(DEVICE, 0, 18) → ok, 18 bytes"). */
  readonly title: string;
}
