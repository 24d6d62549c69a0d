// The USB devices the Record dialog offers: the virtual device models the core has, and the real
// devices the host sees (listed by the host, through native-bridge/usb; the session does not know how).

import type { UsbDeviceChoice, UsbDeviceList } from '../protocol/recording-dto.js';

/** What the host's listing gives: its real devices, or why there are none. */
export type HostUsbList =
  | { readonly ok: true; readonly devices: readonly UsbDeviceChoice[] }
  | { readonly ok: false; readonly message: string };

/** The virtual devices (app/usb/virtual), by the spec the CLI's --usb takes. */
export const VIRTUAL_USB_CHOICES: readonly UsbDeviceChoice[] = [
  { spec: 'virtual:hid-keyboard', kind: 'virtual', label: 'HID keyboard', detail: 'boot keyboard; an interrupt IN transfer waits until a key is typed' },
  { spec: 'virtual:cdc-acm', kind: 'virtual', label: 'CDC-ACM serial port', detail: 'a loopback: what the guest sends comes back' },
  { spec: 'virtual:msc', kind: 'virtual', label: 'Mass storage (USB stick)', detail: '1 MiB FAT12 disk with README.TXT (bulk-only transport, SCSI)' },
];

export function usbDeviceList(host: HostUsbList, ports: number): UsbDeviceList {
  return {
    virtual: VIRTUAL_USB_CHOICES,
    host: host.ok ? host.devices : [],
    hostUnavailable: host.ok ? null : host.message,
    ports,
  };
}
