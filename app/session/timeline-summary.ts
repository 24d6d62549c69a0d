// What the timeline draws, from the recording's derived events and snapshot list (no replay).

import type { TimelineSummary, TrapMarker, UartMarker } from '../protocol/dto.js';
import { DERIVED_TRAP, DERIVED_UART_TX, decodeTrap, decodeUartTx } from '../replay/trace/derived-codecs.js';
import type { TraceReader } from '../replay/trace/trace.js';
import { causeName, isInterrupt, privName } from './trap-causes.js';
import type { UsbTransfers } from './usb-transfers.js';

export const DEFAULT_MARKER_LIMIT = 20_000;

export function timelineSummary(reader: TraceReader, end: number, snapshots: readonly number[], limit: number | undefined, usbTransfers: UsbTransfers): TimelineSummary {
  limit ??= DEFAULT_MARKER_LIMIT;
  const traps: TrapMarker[] = [];
  const interrupts: TrapMarker[] = [];
  let trapsCut = false, interruptsCut = false;
  for (const e of reader.derived(0, end + 1, DERIVED_TRAP)) {
    const t = decodeTrap(e.data);
    const irq = isInterrupt(t.mcause);
    const lane = irq ? interrupts : traps;
    if (lane.length >= limit) {
      if (irq) interruptsCut = true; else trapsCut = true;
      continue;
    }
    lane.push({ icount: e.icount, mcause: t.mcause >>> 0, interrupt: irq, cause: causeName(t.mcause), epc: t.epc >>> 0, tval: t.tval >>> 0, fromPriv: privName(t.fromPriv) });
  }
  const uart: UartMarker[] = [];
  let uartCut = false;
  for (const e of reader.derived(0, end + 1, DERIVED_UART_TX)) {
    if (uart.length >= limit) { uartCut = true; break; }
    const c = decodeUartTx(e.icount, e.data);
    let preview = '';
    for (const b of c.bytes.subarray(0, 48)) preview += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 10 ? '⏎' : '.';
    uart.push({ icount: e.icount, lastIcount: c.icounts[c.icounts.length - 1] ?? e.icount, bytes: c.bytes.length, preview });
  }
  // The USB lane comes from the session's transfer index (built once, shared with the USB panel).
  const usb = usbTransfers.markers(limit);
  return {
    end, snapshots, traps, interrupts, uart, usb: usb.markers,
    truncated: { traps: trapsCut, interrupts: interruptsCut, uart: uartCut, usb: usb.truncated }, limit,
  };
}
