// Disassembly around an address (the pc), from the machine's memory at the current position, with
// the guest's symbols. RISC-V C instructions make code variable-length, so a listing cannot simply
// start N instructions back: it starts at the enclosing function when that is near (the lines then
// are exactly objdump's), else at the nearest start from which decoding lands on the address.

import type { DisasmLineDto, DisassemblyDto } from '../protocol/dto.js';
import { disassembleRange, insnLength } from '../debuginfo/disasm/disassemble.js';
import type { PhysicalBus } from '../engine/bus/bus.js';
import type { GuestSymbols } from './guest-symbols.js';

const MAX_FUNCTION_PREFIX = 16 * 1024;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;

/** Code bytes (RAM or ROM) from `addr`, stopping at the first byte that is neither. */
export function readCode(bus: PhysicalBus, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let n = 0;
  for (; n < len; n++) {
    const a = (addr + n) >>> 0;
    if (!bus.isRam(a) && bus.romOffset(a, 1) < 0) break;
    out[n] = bus.read(a, 1);
  }
  return out.subarray(0, n);
}

/** Instruction starts when decoding linearly from `start` up to (and including, if it lands) `end`. */
function starts(bus: PhysicalBus, start: number, end: number): number[] {
  const out: number[] = [];
  let a = start;
  while (a <= end) {
    out.push(a);
    const h = bus.fetch16(a >>> 0);
    if (h < 0) break;
    a += insnLength(h);
  }
  return out;
}

export function disassembleAround(bus: PhysicalBus, symbols: GuestSymbols, around: number, before: number, after: number): DisassemblyDto {
  const pc = around >>> 0;
  if (bus.fetch16(pc) < 0) return { around: pc, lines: [], note: `${hex(pc)} is not RAM or ROM: nothing to disassemble` };
  // Where to start decoding so that decoding lands on pc.
  let start = pc;
  const fn = symbols.containing(pc, 'function');
  if (fn && pc - fn.addr <= MAX_FUNCTION_PREFIX) {
    const s = starts(bus, fn.addr, pc);
    if (s[s.length - 1] === pc) start = s[Math.max(0, s.length - 1 - before)]!;
  }
  if (start === pc && before > 0) {
    // Try the farthest start (4 bytes per instruction back, then closer) whose decoding lands on pc.
    for (let back = before * 4; back >= 2; back -= 2) {
      const from = (pc - back) >>> 0;
      if (bus.fetch16(from) < 0) continue;
      const s = starts(bus, from, pc);
      if (s[s.length - 1] === pc) {
        start = s[Math.max(0, s.length - 1 - before)]!;
        break;
      }
    }
  }
  // Enough bytes for `after` instructions of the longest usual length past pc.
  const bytes = readCode(bus, start, pc - start + (after + 1) * 4);
  const lines = disassembleRange(bytes, start, { symbolize: symbols.symbolize, ...(symbols.gp !== undefined ? { gp: symbols.gp } : {}) });
  const at = lines.findIndex((l) => l.address === pc);
  const kept = lines.slice(Math.max(0, at - before), at + after + 1).filter((l) => l.address + l.len <= start + bytes.length);
  const out: DisasmLineDto[] = kept.map((l) => ({ address: l.address, hex: l.hex, text: l.text, label: symbols.labelAt(l.address) }));
  const note = bytes.length < pc - start + (after + 1) * 4 ? `memory ends at ${hex(start + bytes.length)}` : null;
  return { around: pc, lines: out, note };
}
