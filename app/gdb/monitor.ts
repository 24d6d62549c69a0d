// `monitor ...` commands (qRcmd): what gdb cannot ask in its own words.
//
//   icount                  the position (instructions retired) and pc
//   seek N|start|end        moves there (drops a diversion); gdb's caches do not know it moved:
//                           assets/gdb/hindsight.gdb (the connect line sources it) flushes them
//                           after each monitor command, else `maintenance flush register-cache`
//   prev-write EXPR         the last write to EXPR before the position: icount, pc, old and new
//   next-write EXPR         bytes, writer (cpu or dma). Prints only, does not move (use seek N).
//   info                    what the recording holds (length, end, snapshots, USB transfers)
//   help
//
// EXPR is ADDR:LEN, ADDR (4 bytes), SYMBOL (its st_size from the ELF symbol table) or SYMBOL:LEN;
// numbers are decimal or 0x-hex.

import { DERIVED_USB_REQUEST } from '../replay/trace/derived-codecs.js';
import { toHex } from './packet-codec.js';
import type { ReplayTarget } from './replay-target.js';

const HELP = `Hindsight monitor commands:
  monitor icount                the position (instructions retired) and pc
  monitor seek N|start|end      move to icount N (without hindsight.gdb sourced, then run
                                "maintenance flush register-cache" for gdb to see it)
  monitor prev-write EXPR       the last write to EXPR before here (prints; does not move)
  monitor next-write EXPR       the next write to EXPR from here (prints; does not move)
  monitor info                  what the recording holds
EXPR: ADDR:LEN, ADDR (4 bytes), SYMBOL or SYMBOL:LEN (numbers decimal or 0x-hex)
`;

/** gdb keeps the registers it read before a seek unless hindsight.gdb's hook flushes them. */
const SEEK_NOTE = 'hindsight: if gdb was not started with -x hindsight.gdb (the connect line does), run "maintenance flush register-cache" for it to see the move\n';

export class MonitorError extends Error {
  override name = 'MonitorError';
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;

function parseNumber(text: string): number | null {
  if (/^0x[0-9a-f]+$/i.test(text)) return parseInt(text.slice(2), 16);
  if (/^[0-9]+$/.test(text)) return Number(text);
  return null;
}

/** Resolves EXPR to a range. */
export function resolveRange(target: ReplayTarget, expr: string): { addr: number; len: number } {
  const [base, lenText, extra] = expr.split(':');
  if (!base || extra !== undefined) throw new MonitorError(`"${expr}" is not ADDR:LEN, ADDR, SYMBOL or SYMBOL:LEN`);
  let len: number | null = null;
  if (lenText !== undefined) {
    len = parseNumber(lenText);
    if (len === null || len < 1 || len > 1 << 20) throw new MonitorError(`length "${lenText}" is not a number in 1..1048576`);
  }
  let addr = parseNumber(base);
  if (addr === null) {
    const sym = target.machine.elf.symbols.get(base);
    if (!sym) throw new MonitorError(`no symbol "${base}" in the guest's ELF symbol table (give ADDR:LEN)`);
    if (len === null && sym.size === 0) throw new MonitorError(`symbol "${base}" has size 0; give ${base}:LEN`);
    addr = sym.value;
    len ??= sym.size;
  }
  if (addr > 0xffffffff) throw new MonitorError(`address ${base} is beyond 32 bits`);
  return { addr, len: len ?? 4 };
}

/** Runs one monitor command; returns its output. Throws MonitorError for a bad command. */
export function runMonitor(target: ReplayTarget, line: string): string {
  const [cmd, ...args] = line.trim().split(/\s+/);
  const where = (): string => `icount ${target.position}, pc ${hex(target.machine.hart.pc)}${target.diverted ? ' (diverted: gdb changed memory or registers)' : ''}`;
  switch (cmd) {
    case undefined:
    case '':
    case 'help':
      return HELP;
    case 'icount':
    case 'when':
      return `${where()}\n`;
    case 'seek': {
      const arg = args[0];
      const to = arg === 'end' ? target.end : arg === 'start' ? 0 : arg === undefined ? null : parseNumber(arg);
      if (to === null || args.length !== 1) throw new MonitorError('usage: monitor seek N|start|end');
      if (to > target.end) throw new MonitorError(`icount ${to} is past the end of the recording (${target.end})`);
      target.seek(to);
      return `${where()}\n${SEEK_NOTE}`;
    }
    case 'prev-write':
    case 'next-write': {
      if (args.length !== 1) throw new MonitorError(`usage: monitor ${cmd} ADDR:LEN|ADDR|SYMBOL[:LEN]`);
      if (target.diverted) throw new MonitorError(`${cmd} answers about the recording, and gdb changed memory or registers here; a reverse command or "monitor seek" goes back to it first`);
      const { addr, len } = resolveRange(target, args[0]!);
      if (!target.machine.bus.isRam(addr, len)) throw new MonitorError(`${hex(addr)}:${len} is not in RAM`);
      const at = target.position;
      const r = cmd === 'prev-write' ? target.writeIndex.previousWrite(addr, len, at) : target.writeIndex.nextWrite(addr, len, at);
      const what = `${args[0]} (${hex(addr)}:${len})`;
      if (!r.found) return `${cmd} ${what}: no write ${cmd === 'prev-write' ? 'before' : 'at or after'} icount ${at}\n`;
      return `${cmd} ${what}: icount ${r.icount}, pc ${hex(r.pc)}, old ${toHex(r.old)}, new ${toHex(r.new)}, writer ${r.writer}\n`;
    }
    case 'info': {
      const tl = target.timeline;
      const h = tl.reader.header;
      const end = tl.reader.end;
      const how = !end ? 'not finished (the recorder stopped without an end record)'
        : end.reason.kind === 'exit' ? `guest exit code ${end.reason.code}` : end.reason.kind;
      const usb = tl.reader.countDerived(DERIVED_USB_REQUEST);
      return `recording of ${h.guestImageName} (sha256 ${h.guestImageSha256.slice(0, 16)}...), ${tl.end} instructions, ended: ${how}\n` +
        `${tl.snapshots.length} snapshots, every ${h.snapshotInterval} instructions; ${usb} USB transfer${usb === 1 ? '' : 's'}\n${where()}\n`;
    }
    default:
      throw new MonitorError(`unknown monitor command "${cmd}" (try: monitor help)`);
  }
}
