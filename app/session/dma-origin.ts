// Where a DMA write came from. The write index says "DMA at icount T"; the pc then is wherever the
// CPU happened to be (usually asleep in the driver's wait loop), which is not what a driver
// developer wants. What they want is the transfer (the usb-transfer-end event at T, tied by id to
// the usb-request event) and the code that asked for it: the call stack at the request's
// position. The guilty line is the first frame (innermost first) where this request's call path
// differs from the previous request on the same endpoint: frames both share are the generic
// machinery every transfer goes through (the host controller driver, usb_control, a
// get_descriptor helper), and the first one that differs is the call that chose this buffer and
// this length. With nothing to compare with, it is the first frame outside frame 0's file.

import type { DmaOriginDto, FrameDto } from '../protocol/source-dto.js';
import type { TraceReader } from '../replay/trace/trace.js';
import {
  DERIVED_USB_REQUEST, DERIVED_USB_TRANSFER_END, decodeUsbRequest, decodeUsbTransferEnd, type UsbRequestEvent,
} from '../replay/trace/derived-codecs.js';
import { describeSetup } from '../usb/descriptors/setup-decoder.js';

/** The stack at a position (the session seeks there and back). */
export type StackAt = (icount: number) => readonly FrameDto[];

interface Request { readonly icount: number; readonly req: UsbRequestEvent }

/** Searches backwards in growing windows: requests are usually shortly before their completion. */
function findRequest(reader: TraceReader, before: number, match: (r: UsbRequestEvent) => boolean): Request | null {
  let to = before;
  for (let width = 1 << 20; to > 0; width *= 4) {
    const from = Math.max(0, to - width);
    const events = reader.derived(from, to, DERIVED_USB_REQUEST);
    for (let i = events.length - 1; i >= 0; i--) {
      const req = decodeUsbRequest(events[i]!.data);
      if (match(req)) return { icount: events[i]!.icount, req };
    }
    to = from;
  }
  return null;
}

/**
 * The transfer whose completion at `icount` wrote `newBytes` (hex) at the queried range, and
 * who asked for it; null when the recording has no transfer ending there (DMA by another device).
 */
export function dmaOrigin(reader: TraceReader, icount: number, newBytes: string, stackAt: StackAt): DmaOriginDto | null {
  const ends = reader.derived(icount, icount + 1, DERIVED_USB_TRANSFER_END).map((e) => decodeUsbTransferEnd(e.data));
  if (ends.length === 0) return null;
  let end = ends[0]!;
  if (ends.length > 1) {
    // Several transfers completed at once: the one whose IN data holds the bytes written.
    const completions = reader.inputs(icount, icount + 1).filter((e) => e.kind === 'usb-completion');
    const withData = ends.find((x) => completions.some((c) => idOf(c.data) === x.id && toHex(c.data.subarray(17)).includes(newBytes)));
    end = withData ?? end;
  }
  // A device that answers at once completes at the request's own position: search up to and including it.
  const found = findRequest(reader, icount + 1, (r) => r.id === end.id);
  if (!found) return null;
  const { req } = found;
  const requestedBy = stackAt(found.icount);
  const previous = findRequest(reader, found.icount, (r) => r.port === req.port && r.endpoint === req.endpoint && r.address === req.address);
  const guilty = guiltyFrame(requestedBy, previous ? stackAt(previous.icount) : null);
  return {
    transferId: req.id, port: req.port, endpoint: req.endpoint, kind: req.kind, dirIn: req.dirIn,
    request: req.setup ? describeSetup({ ...req.setup }) : `${req.kind} ${req.dirIn ? 'IN' : 'OUT'} endpoint ${req.endpoint}, ${req.length} bytes`,
    requestedLength: req.length, actualLength: end.actualLength, requestIcount: found.icount, requestedBy, guilty,
  };
}

/** See the file comment. Exported for tests. */
export function guiltyFrame(stack: readonly FrameDto[], previous: readonly FrameDto[] | null): number | null {
  if (stack.length === 0) return null;
  const key = (f: FrameDto | undefined): string => (f ? `${f.function}@${f.location?.file}:${f.location?.line}` : '');
  if (previous) {
    for (let i = 0; i < stack.length; i++) {
      if (key(stack[i]) !== key(previous[i])) return stack[i]!.location ? i : null;
    }
  }
  const file = stack[0]!.location?.file;
  const i = stack.findIndex((f) => f.location !== null && f.location.file !== file);
  return i >= 0 ? i : null;
}

function idOf(completion: Uint8Array): number {
  return completion.length >= 4 ? new DataView(completion.buffer, completion.byteOffset, 4).getUint32(0, true) : -1;
}

function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}
