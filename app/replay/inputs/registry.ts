// Every input source, by kind. A recording with an unknown kind was made by a newer Hindsight.

import { TraceFormatError } from '../trace/trace.js';
import type { InputSource } from './input-source.js';
import { uartRx } from './uart-rx.js';
import { usbCompletion } from './usb-completion.js';
import { usbConnect } from './usb-connect.js';

const SOURCES: readonly InputSource<unknown>[] = [
  uartRx as InputSource<unknown>,
  usbCompletion as InputSource<unknown>,
  usbConnect as InputSource<unknown>,
];

const BY_KIND = new Map(SOURCES.map((s) => [s.kind, s]));

export function inputSource(kind: string): InputSource<unknown> {
  const s = BY_KIND.get(kind);
  if (!s) throw new TraceFormatError(`unknown input kind "${kind}" (recorded by a newer Hindsight?)`);
  return s;
}
