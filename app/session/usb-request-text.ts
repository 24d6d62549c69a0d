// A USB transfer's request in words, for the transfer list and the USB lane's tooltips: the
// decoded SETUP packet for control transfers (app/usb/descriptors' decoder, with the interface
// classes the device's configuration descriptor named), mass-storage wrappers (CBW/CSW) on bulk
// endpoints, and otherwise the transfer itself ("bulk IN, 64 bytes").

import type { UsbTransferKind } from '../protocol/usb-dto.js';
import { describeCbw, describeCsw, describeSetup } from '../usb/descriptors/index.js';
import type { SetupPacket } from '../usb/usb-backend.js';

export interface TransferShape {
  readonly kind: UsbTransferKind;
  readonly dirIn: boolean;
  readonly length: number;
  readonly setup: SetupPacket | null;
}

/**
 * `data`: the OUT bytes (control OUT data stage, bulk/interrupt OUT) or the IN answer, when known;
 * `interfaceClass`: bInterfaceClass by interface number for the device, when its configuration
 * descriptor was seen. Never throws.
 */
export function describeTransfer(t: TransferShape, data: Uint8Array | null, interfaceClass?: (iface: number) => number | undefined): string {
  if (t.setup) {
    return describeSetup(t.setup, {
      ...(interfaceClass ? { interfaceClass } : {}),
      ...(data && !t.dirIn ? { data } : {}),
    });
  }
  if (data && t.kind === 'bulk') {
    // A 31-byte OUT that is a CBW, a 13-byte IN that is a CSW: the Bulk-Only Transport's wrappers.
    const wrapper = t.dirIn ? describeCsw(data) : describeCbw(data);
    if (wrapper) return wrapper;
  }
  return `${t.kind} ${t.dirIn ? 'IN' : 'OUT'}, ${t.length} byte${t.length === 1 ? '' : 's'}`;
}

/**
 * bInterfaceClass by bInterfaceNumber from a configuration descriptor set (or its first bytes):
 * walks the descriptors as far as they are whole. Alternate settings share their interface's class.
 */
export function interfaceClasses(config: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  for (let off = 0; off + 2 <= config.length;) {
    const len = config[off]!;
    if (len < 2 || off + len > config.length) break;
    if (config[off + 1] === 4 && len >= 9 && !out.has(config[off + 2]!)) out.set(config[off + 2]!, config[off + 5]!);
    off += len;
  }
  return out;
}
