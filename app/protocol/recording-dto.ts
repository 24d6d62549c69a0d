// DTOs of interactive recording (Record / Stop in the UI): the devices a recording can attach, and
// the recording while it runs. Plain JSON-able values only (see dto.ts).

import type { Icount } from './dto.js';

/**
 * A USB device the Record dialog offers, named by its spec: the same strings as the CLI's `--usb`
 * (virtual:hid-keyboard, virtual:cdc-acm, virtual:msc[:IMAGE], capture:FILE, host:VID:PID[:SERIAL]).
 */
export interface UsbDeviceChoice {
  readonly spec: string;
  readonly kind: 'virtual' | 'capture' | 'host';
  /** In words: "HID keyboard", "FTDI FT232R USB UART". */
  readonly label: string;
  /** More about it (bus and port of a real device, what a virtual one answers), or null. */
  readonly detail: string | null;
}

export interface UsbDeviceList {
  readonly virtual: readonly UsbDeviceChoice[];
  /** Real devices the host sees (through the `usb` package). */
  readonly host: readonly UsbDeviceChoice[];
  /** Why `host` is empty, in words (no USB bus on this machine, no permission, none connected), or null. */
  readonly hostUnavailable: string | null;
  /** Root hub ports of the emulated controller: at most this many devices per recording. */
  readonly ports: number;
}

/** A recording being made. */
export interface LiveRecordingDto {
  readonly guestImageName: string;
  /** The specs attached, in port order (port 1 first). */
  readonly devices: readonly string[];
  /** Instructions recorded so far (the timeline's growing end). */
  readonly icount: Icount;
  /** 'running': the guest runs; 'waiting': it sleeps (WFI) until input or a device answers; 'ended'. */
  readonly state: 'running' | 'waiting' | 'ended';
  /** Bytes the guest has sent to its serial console so far. */
  readonly consoleLength: number;
  /** The instruction limit asked for, or null. */
  readonly maxInsns: number | null;
  /** How it ended, in words, once `state` is 'ended' ("stopped by the user", "guest exit code 0 (sifive-test)"). */
  readonly endReason: string | null;
}

/** The live recording and its console output so far (for a UI that connects while it runs). */
export interface LiveRecordingView {
  readonly recording: LiveRecordingDto;
  /** Console bytes from the `consoleFrom` asked for, one char code 0..255 each (a binary string). */
  readonly console: string;
  readonly consoleFrom: number;
}
