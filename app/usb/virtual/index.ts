// Virtual devices by attach spec, as the CLI and the UI name them:
//   virtual:hid-keyboard   HID boot keyboard (1209:0001)
//   virtual:cdc-acm        CDC-ACM serial port with echo (1209:0002)
//   virtual:msc[:IMAGE]    mass storage, BOT + SCSI (1209:0003); IMAGE is opened by the host
// Reading an image file needs Node, so the caller opens IMAGE and passes it as `options.image`.

import type { BlockStore } from './block-store.js';
import { CdcAcm } from './cdc-acm.js';
import { HidKeyboard } from './hid-keyboard.js';
import { MassStorage } from './mass-storage.js';

export { BLOCK_SIZE, type BlockStore, MemoryBlockStore } from './block-store.js';
export { CdcAcm, type CdcAcmOptions } from './cdc-acm.js';
export { createDefaultDisk } from './default-disk.js';
export { VirtualUsbDevice, type DeviceState } from './device-model.js';
export { HidKeyboard, type HidKeyboardOptions } from './hid-keyboard.js';
export { KEY, MOD, UntypeableCharacterError } from './hid-keymap.js';
export { MassStorage, type MassStorageOptions } from './mass-storage.js';

export type VirtualDevice = HidKeyboard | CdcAcm | MassStorage;

export interface VirtualDeviceOptions {
  /** The medium for "virtual:msc:IMAGE" (or instead of the default disk for "virtual:msc"). */
  readonly image?: BlockStore;
}

export const VIRTUAL_DEVICE_SPECS = ['virtual:hid-keyboard', 'virtual:cdc-acm', 'virtual:msc[:IMAGE]'] as const;

export class VirtualDeviceSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtualDeviceSpecError';
  }
}

export function createVirtualDevice(spec: string, options: VirtualDeviceOptions = {}): VirtualDevice {
  const choices = `choose one of ${VIRTUAL_DEVICE_SPECS.join(', ')}`;
  if (!spec.startsWith('virtual:')) throw new VirtualDeviceSpecError(`"${spec}" is not a virtual device spec (it must start with "virtual:"); ${choices}`);
  const rest = spec.slice('virtual:'.length);
  const colon = rest.indexOf(':');
  const name = colon < 0 ? rest : rest.slice(0, colon);
  const arg = colon < 0 ? undefined : rest.slice(colon + 1); // an image path may itself contain ':'
  switch (name) {
    case 'hid-keyboard':
    case 'cdc-acm':
      if (arg !== undefined) throw new VirtualDeviceSpecError(`virtual:${name} takes no argument, got "${spec}"`);
      return name === 'hid-keyboard' ? new HidKeyboard() : new CdcAcm();
    case 'msc':
      if (arg === '') throw new VirtualDeviceSpecError(`"${spec}": the image name after "virtual:msc:" is empty`);
      if (arg !== undefined && !options.image) {
        throw new VirtualDeviceSpecError(`"${spec}" needs the image "${arg}" opened by the host and passed as options.image (a BlockStore)`);
      }
      return new MassStorage({ spec, ...(options.image ? { store: options.image } : {}) });
    default:
      throw new VirtualDeviceSpecError(`unknown virtual device "${spec}"; ${choices}`);
  }
}
