// Text for the USB panel: endpoint labels, lengths, data previews and the hex dump's lines.

import type { UsbEndpointDto, UsbTransferDto, UsbTransferStatus } from '../../../app/protocol/index.js';

export const STATUS_TEXT: Record<UsbTransferStatus, string> = {
  ok: 'ok', stall: 'STALL', babble: 'babble', timeout: 'timeout', nodev: 'no device', error: 'error',
  cancelled: 'cancelled', pending: 'pending at end',
};

export const STATUS_HELP: Record<UsbTransferStatus, string> = {
  ok: 'the device answered',
  stall: 'the endpoint answered STALL',
  babble: 'the device sent more than asked',
  timeout: 'no answer on the bus',
  nodev: 'the device is gone',
  error: 'a bus error (CRC, bit stuffing) or an unsupported transfer',
  cancelled: 'withdrawn before an answer reached the guest (ED unlinked or skipped, port or controller reset, device unplugged)',
  pending: 'still waiting when the recording ends',
};

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** "0x81 bulk IN" / "0x00 control OUT"; without the direction for the table's narrow column (0x81 says IN). */
export function endpointText(t: Pick<UsbTransferDto, 'endpoint' | 'dirIn' | 'kind'>, withDirection = true): string {
  const ep = t.kind === 'control' ? t.endpoint : t.endpoint | (t.dirIn ? 0x80 : 0);
  return `0x${hex2(ep)} ${t.kind}${withDirection ? ` ${t.dirIn ? 'IN' : 'OUT'}` : ''}`;
}

/** A filter choice: "port 1 · addr 1 · 0x81 bulk (23)". */
export function endpointChoice(e: UsbEndpointDto): string {
  return `port ${e.port} · addr ${e.address} · 0x${hex2(e.endpointAddress)} ${e.kind} (${e.transfers})`;
}

/** "18 / 18" (actual / asked), or "— / 255" with no answer. */
export function lengthText(t: UsbTransferDto): string {
  return `${t.actualLength ?? '—'} / ${t.length}`;
}

/** The first bytes as "12 01 00 02 …" (at most `n`). */
export function previewText(t: UsbTransferDto, n = 12): string {
  if (t.data.direction === 'none') return '';
  const bytes = t.data.hex.match(/../g) ?? [];
  return bytes.slice(0, n).join(' ') + (t.data.length > n ? ' …' : '');
}

/** Hex dump lines: offset, 16 bytes, ASCII. */
export function hexDump(hex: string): { offset: string; bytes: string; ascii: string }[] {
  const out = [];
  for (let off = 0; off * 2 < hex.length; off += 16) {
    const bytes = hex.slice(off * 2, (off + 16) * 2).match(/../g) ?? [];
    const ascii = bytes.map((b) => { const c = parseInt(b, 16); return c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.'; }).join('');
    out.push({ offset: off.toString(16).padStart(4, '0'), bytes: bytes.join(' '), ascii });
  }
  return out;
}
