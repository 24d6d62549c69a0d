// USB captures: read usbmon/USBPcap pcap(ng) files, pair their records into exchanges, replay a
// captured device to the guest, and export a recording's USB traffic as usbmon pcapng.
export { CaptureFormatError, LINKTYPE, USB_LINK_TYPES, readCapture } from './pcap-reader.js';
export type { CaptureFile, CaptureInterface, CapturePacket, ReadCaptureOptions } from './pcap-reader.js';
export { decodeUsbmon, URB_DIR_IN } from './usbmon.js';
export { decodeUsbpcap } from './usbpcap.js';
export { ERRNO, USBD_STATUS, statusFromErrno, statusFromUsbd } from './usb-event.js';
export type { IsoPacket, UsbEvent, UsbEventKind } from './usb-event.js';
export { dedupeInterfaces, dropDuplicateSynthesized, pairExchanges } from './exchanges.js';
export type { PairingResult, UsbExchange } from './exchanges.js';
export { attributeAddressZero, deviceExchanges, listCaptureDevices, parseUsbCapture } from './usb-capture.js';
export type { CaptureDeviceInfo, UsbCapture, UsbCaptureStats } from './usb-capture.js';
export { CaptureDevice, createCaptureDevice } from './capture-device.js';
export type { CaptureDeviceOptions, CaptureDivergence } from './capture-device.js';
export { errnoFromStatus, writeUsbmonPcapng } from './pcapng-writer.js';
export type { PcapngWriterOptions, WritableExchange } from './pcapng-writer.js';
