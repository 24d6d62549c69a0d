// `hindsight query FILE.hsrec state --at ICOUNT|end [--mem ADDR:LEN] --json`
// `hindsight query FILE.hsrec prev-write|next-write ADDR:LEN|SYMBOL --at ICOUNT|end --json`

import { parseArgs } from 'node:util';
import { csrRead } from '../../engine/cpu/csr.js';
import { CSR } from '../../engine/cpu/csr-numbers.js';
import { parseElf } from '../../engine/loader/elf.js';
import { loadDebugInfo, type DebugInfo } from '../../debuginfo/index.js';
import type { Timeline } from '../../replay/timeline/timeline.js';
import { WriteIndex } from '../../replay/write-index/write-index.js';
import { CliError, parseCount, type Io } from '../io.js';
import { openRecording, openTimeline } from '../open-recording.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export async function queryCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { at: { type: 'string' }, mem: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const [file, what, target] = positionals;
  if (!file || !what) throw new CliError('usage: hindsight query FILE.hsrec state|prev-write|next-write ... --at ICOUNT|end --json');
  if (values.at === undefined) throw new CliError('query needs --at ICOUNT or --at end');
  const reader = openRecording(file);
  try {
    const tl = openTimeline(reader);
    const at = values.at === 'end' ? tl.end : parseCount('--at', values.at);
    if (at > tl.end) throw new CliError(`--at ${at} is past the end of the recording (${tl.end})`);
    let result: unknown;
    switch (what) {
      case 'state': {
        if (positionals.length > 2) throw new CliError(`query state takes no argument besides --at and --mem (got ${target})`);
        tl.seek(at);
        result = stateJson(tl, values.mem);
        break;
      }
      case 'prev-write':
      case 'next-write': {
        if (!target) throw new CliError(`query ${what} needs ADDR:LEN or a symbol name`);
        const debug = loadDebugInfo(reader.header.guestImage);
        const { addr, len } = resolveRange(reader.header.guestImage, debug, target);
        if (!tl.machine.bus.isRam(addr, len)) throw new CliError(`${target} (0x${addr.toString(16)}:${len}) is not in RAM`);
        const index = new WriteIndex(tl);
        const r = what === 'prev-write' ? index.previousWrite(addr, len, at) : index.nextWrite(addr, len, at);
        result = r.found
          ? { found: true, icount: r.icount, pc: r.pc, old: hex(r.old), new: hex(r.new), writer: r.writer, ...sourceOf(debug, r.pc, r.writer) }
          : { found: false };
        break;
      }
      default:
        throw new CliError(`unknown query "${what}" (state, prev-write, next-write)`);
    }
    io.stdout(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } finally {
    reader.close();
  }
}

function stateJson(tl: Timeline, mem: string | undefined): unknown {
  const h = tl.machine.hart;
  const csr: Record<string, number> = { priv: h.priv };
  for (const name of ['mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mip', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval',
    'sstatus', 'sie', 'sip', 'stvec', 'sscratch', 'sepc', 'scause', 'stval', 'satp', 'mcycle', 'minstret'] as const) {
    const saved = h.priv;
    h.priv = 3; // read as the machine sees it, whatever mode the hart is in
    const v = csrRead(h, CSR[name]);
    h.priv = saved;
    if (v !== null) csr[name] = v >>> 0;
  }
  const out: Record<string, unknown> = { icount: h.icount, pc: h.pc >>> 0, x: Array.from(h.x, (v) => v >>> 0), csr };
  if (mem !== undefined) {
    const { addr, len } = parseAddrLen(mem, '--mem');
    const bytes = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const v = tl.machine.bus.read(addr + i, 1);
      if (v < 0) throw new CliError(`--mem ${mem}: 0x${(addr + i).toString(16)} is not mapped memory`);
      bytes[i] = v;
    }
    out.mem = hex(bytes);
  }
  return out;
}

function parseAddrLen(text: string, what: string): { addr: number; len: number } {
  const m = /^(0x[0-9a-f_]+|\d+):(0x[0-9a-f_]+|\d+)$/i.exec(text);
  if (!m) throw new CliError(`${what}: "${text}" is not ADDR:LEN (e.g. 0x80001000:4)`);
  const addr = parseCount(what, m[1]!);
  const len = parseCount(what, m[2]!);
  if (addr > 0xffffffff || len < 1 || len > 1 << 20) throw new CliError(`${what}: "${text}" is out of range (length 1..1048576)`);
  return { addr, len };
}

/** Where the writing instruction is in the source, when the guest has debug info (not for DMA). */
function sourceOf(debug: DebugInfo, pc: number, writer: 'cpu' | 'dma'): { file?: string; line?: number; function?: string } {
  if (writer !== 'cpu') return {};
  const line = debug.lineFor(pc);
  const fn = debug.functionAt(pc) ?? null;
  // The innermost function the instruction belongs to, inlined or not (as gdb's frame 0 names it).
  const name = fn?.inlined.at(-1)?.name ?? fn?.name ?? debug.symbols.symbolAt(pc)?.symbol.name;
  return { ...(line ? { file: line.file, line: line.line } : {}), ...(name ? { function: name } : {}) };
}

/**
 * ADDR:LEN, a global or static variable from the debug info (also `function::static_name`), or a
 * symbol of the guest's ELF symbol table (its st_size is the length).
 */
function resolveRange(image: Uint8Array, debug: DebugInfo, target: string): { addr: number; len: number } {
  if (/^(0x[0-9a-f_]+|\d+):/i.test(target)) return parseAddrLen(target, 'range');
  const v = debug.findVariable(target);
  if (v && v.address !== undefined && v.size > 0) return { addr: v.address, len: v.size };
  const sym = parseElf(image).symbols.get(target);
  if (!sym) throw new CliError(`no symbol "${target}" in the guest's symbol table (give ADDR:LEN instead)`);
  if (sym.size === 0) throw new CliError(`symbol "${target}" has size 0 in the symbol table; give ADDR:LEN`);
  return { addr: sym.value, len: sym.size };
}
