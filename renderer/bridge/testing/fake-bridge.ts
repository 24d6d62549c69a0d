// A HostBridge for store tests: the test decides how each call is answered (at once, later, with
// an error); events reach the store only through `on` when the test passes one. The rest of the
// bridge (status, host name, close) does nothing.

import type { ServiceName } from '../../../app/protocol/index.js';
import type { HostBridge } from '../bridge.js';

/** `params` is loosely typed on purpose: each test reads the few fields its fake looks at. */
export type FakeCall = (method: ServiceName, params: never) => Promise<unknown>;

export function fakeBridge(call: FakeCall, on: (event: string, listener: (data: unknown) => void) => () => void = () => () => {}): HostBridge {
  return { call, on, onStatus: () => () => {}, hostName: 'fake', close() {} } as unknown as HostBridge;
}
