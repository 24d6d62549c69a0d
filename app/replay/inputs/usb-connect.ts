// A USB device plugged into or unplugged from a root hub port.
// Encoding: [port u8][attach u8 (1 attach, 0 detach)][speed u8 (0 full, 1 low)].

import type { UsbPortSpeed } from '../../engine/devices/ohci/usb-types.js';
import { TraceFormatError } from '../trace/trace.js';
import type { InputSource } from './input-source.js';

export interface UsbConnectInput {
  readonly port: number;
  readonly attach: boolean;
  readonly speed: UsbPortSpeed;
}

export const usbConnect: InputSource<UsbConnectInput> = {
  kind: 'usb-connect',
  encode: (v) => Uint8Array.of(v.port, v.attach ? 1 : 0, v.speed === 'low' ? 1 : 0),
  decode(d) {
    if (d.length !== 3 || d[1]! > 1 || d[2]! > 1) throw new TraceFormatError(`usb-connect event is malformed (${d.length} bytes)`);
    return { port: d[0]!, attach: d[1] === 1, speed: d[2] === 1 ? 'low' : 'full' };
  },
  canApply(m, v) {
    if (v.port < 1 || v.port > m.usb.portCount) return false;
    return v.attach ? !m.usb.port(v.port).attached : m.usb.port(v.port).attached;
  },
  apply(m, v) {
    if (v.attach) m.usb.attach(v.port, v.speed);
    else m.usb.detach(v.port);
  },
  describe: (v) => `usb ${v.attach ? `attach (${v.speed} speed)` : 'detach'} on port ${v.port}`,
};
