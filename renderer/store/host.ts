// The store's handle on the host bridge (set once at connect). Only store actions use it.

import type { HostBridge } from '../bridge/index.js';

let current: HostBridge | null = null;

export function setHost(b: HostBridge): void {
  current = b;
}

export function host(): HostBridge {
  if (!current) throw new Error('not connected to a host');
  return current;
}
