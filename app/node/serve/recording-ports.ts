// Interactive recording's ports on Node (app/session/live-recording.ts): USB devices opened from
// the CLI's --usb specs (virtual, capture files, real devices through native-bridge/usb), the real
// devices listed through the `usb` package, the bundled firmware, and setImmediate to yield on.

import type { UsbDeviceChoice } from '../../protocol/recording-dto.js';
import { SessionError } from '../../session/errors.js';
import type { RecordingPorts } from '../../session/live-recording.js';
import type { HostUsbList } from '../../session/usb-choices.js';
import { listHostDevices, type HostDeviceInfo } from '../../../native-bridge/usb/host-list.js';
import { defaultFirmware } from '../io.js';
import { createUsbBackend, UsbSpecError } from '../usb-specs.js';

export function nodeRecordingPorts(): RecordingPorts {
  return {
    defaultGuest: defaultFirmware(),
    async openUsbDevice(spec) {
      try {
        return await createUsbBackend(spec);
      } catch (e) {
        if (e instanceof UsbSpecError) throw new SessionError('device', `USB device ${e.spec}: ${e.reason}`);
        throw e;
      }
    },
    async listHostUsbDevices(): Promise<HostUsbList> {
      const r = await listHostDevices();
      return r.ok ? { ok: true, devices: r.devices.map(hostChoice) } : { ok: false, message: r.message };
    },
    nextTurn: () => new Promise((resolve) => setImmediate(resolve)),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

function hostChoice(d: HostDeviceInfo): UsbDeviceChoice {
  const hex4 = (n: number): string => n.toString(16).padStart(4, '0');
  const name = [d.manufacturer, d.product].filter(Boolean).join(' ');
  const where = [d.bus !== null ? `bus ${d.bus}` : '', d.ports.length ? `port ${d.ports.join('.')}` : '', d.speed ? `${d.speed} speed` : ''].filter(Boolean).join(', ');
  return {
    spec: d.spec, kind: 'host',
    label: `${hex4(d.vendorId)}:${hex4(d.productId)} ${name || '(no name)'}`,
    detail: [d.serial ? `serial ${d.serial}` : '', where].filter(Boolean).join(' · ') || null,
  };
}
