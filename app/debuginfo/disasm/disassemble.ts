// RV32IMAC (+ Zicsr, Zifencei, privileged) disassembler whose text is exactly what GNU objdump
// (Debian binutils 2.40, `objdump -d`, default options) prints after the raw bytes of each line:
// aliases and ABI register names, a tab between mnemonic and operands, no spaces after commas,
// branch targets as `80000010 <main+0x10>`, and objdump's address comments (`# 80002680 <sym>`)
// for auipc/lui pairs and gp-, tp- and zero-relative operands.
//
// Decoding is the engine's (app/engine/isa/decode.ts over the one instruction table); forms.ts
// holds objdump's spelling choices and objdump-extras.ts the few encodings objdump names that the
// hart rejects. disasm-objdump.test.ts compares every line with the real objdump.
//
// Scope: the ISA is objdump's view of an rv32imac_zicsr_zifencei ELF (the hart's), whatever the
// file's Tag_RISCV_arch says; so F/D/V... instructions print as `.4byte`, as they do for such an
// ELF. Listing-level choices stay with the caller: objdump's `...` for runs of zero bytes, its
// symbol headers, and its dumping of STT_OBJECT symbols in code sections as raw data.

import { decode16, decode32 } from '../../engine/isa/decode.js';
import { ABI_NAMES, type InsnSpec } from '../../engine/isa/instructions.js';
import { csrOperand, type PrivSpec } from './csr-names.js';
import { extra16, extra32 } from './objdump-extras.js';
import { canonicalForm, FORMS_16, FORMS_32, pickForm, type Fields, type Form } from './forms.js';

export type { PrivSpec } from './csr-names.js';

export interface DisasmOptions {
  /**
   * Names an address for the `<...>` that follows branch targets and address comments; return
   * what objdump puts between the brackets (`main`, `main+0x10`, `.text+0x4`), or null to print
   * the bare address. Without it, addresses print as `0x80000010`, as objdump does for a file
   * without symbols.
   */
  readonly symbolize?: (address: number) => string | null;
  /** Value of `__global_pointer$`; objdump resolves gp-relative operands only when it is known. */
  readonly gp?: number;
  /**
   * Privileged-spec version for CSR names (the ELF's Tag_RISCV_priv_spec attributes). Default 1.11,
   * what binutils 2.40's assembler records by default; objdump uses 1.12 for files without it.
   */
  readonly privSpec?: PrivSpec;
}

/** A `$x` (code) or `$d` (data) mapping symbol: how objdump tells code from data in a section. */
export interface MappingSymbol {
  readonly address: number;
  readonly kind: 'code' | 'data';
}

export interface RangeOptions extends DisasmOptions {
  /** Mapping symbols of the section; without any, everything is code. */
  readonly mapping?: readonly MappingSymbol[];
}

export interface DisasmInsn {
  /** What objdump prints after the raw bytes: mnemonic, tab, operands, optional ` # ` comment. */
  readonly text: string;
  /** Length in bytes (objdump's notion: 2, 4, or 6..22 for the longer-instruction encodings). */
  readonly len: number;
  /** The instruction bits (little-endian; the first four bytes when longer than four). */
  readonly raw: number;
  /** objdump's raw-bytes column: the bytes as little-endian chunks of 2 or 4, space-separated. */
  readonly hex: string;
}

export interface DisasmLine extends DisasmInsn {
  readonly address: number;
}

/** Instruction length from its first halfword, as binutils' riscv_insn_length computes it. */
export function insnLength(first: number): number {
  if ((first & 3) !== 3) return 2;
  if ((first & 0x1f) !== 0x1f) return 4;
  if ((first & 0x3f) === 0x1f) return 6;
  if ((first & 0x7f) === 0x3f) return 8;
  if ((first & 0x7f) === 0x7f && (first & 0x7000) !== 0x7000) return 10 + ((first >>> 11) & 0xe);
  return 2;
}

/** Disassembles the one instruction at the start of `bytes`, which sits at `address`. */
export function disassemble(bytes: Uint8Array, address: number, options: DisasmOptions = {}): DisasmInsn {
  if (bytes.length === 0) throw new RangeError(`disassemble: no bytes at 0x${hex(address >>> 0)}`);
  const { address: _, ...insn } = new Disassembler(options).code(bytes, 0, address >>> 0);
  return insn;
}

/**
 * Disassembles `bytes` (a section or part of one starting at `address`) from start to end, as
 * objdump walks a section: the address comments use what earlier auipc/lui instructions set up,
 * and bytes under a `$d` mapping symbol print as `.word`/`.short`/`.byte` data.
 */
export function disassembleRange(bytes: Uint8Array, address: number, options: RangeOptions = {}): DisasmLine[] {
  const d = new Disassembler(options);
  const start = address >>> 0;
  const marks = [...(options.mapping ?? [])]
    .map((m) => ({ address: m.address >>> 0, kind: m.kind }))
    .sort((a, b) => a.address - b.address);
  const out: DisasmLine[] = [];
  let mi = 0; // marks[0..mi) are at or before the current address
  let kind: 'code' | 'data' = 'code';
  for (let off = 0; off < bytes.length;) {
    const pc = (start + off) >>> 0;
    while (mi < marks.length && marks[mi]!.address <= pc) kind = marks[mi++]!.kind;
    let line: DisasmLine;
    if (kind === 'data') {
      const next = mi < marks.length ? marks[mi]!.address - pc : Infinity;
      line = data(bytes, off, pc, Math.min(4, next, bytes.length - off));
    } else {
      line = d.code(bytes, off, pc);
    }
    out.push(line);
    off += line.len;
  }
  return out;
}

// ---- data -----------------------------------------------------------------------------------------

const DATA_DIRECTIVE: Record<number, string> = { 1: '.byte', 2: '.short', 4: '.word' };

/** A chunk of a `$d` region, as binutils' riscv_disassemble_data prints it (3 bytes print as 2). */
function data(bytes: Uint8Array, off: number, address: number, n: number): DisasmLine {
  const len = n === 3 ? 2 : n;
  const raw = readLE(bytes, off, len);
  const digits = hex(raw).padStart(2 * len, '0');
  return { address, text: `${DATA_DIRECTIVE[len]!}\t0x${digits}`, len, raw, hex: digits };
}

// ---- code -----------------------------------------------------------------------------------------

const PRED_SUCC = ['unknown', 'w', 'r', 'rw', 'o', 'ow', 'or', 'orw', 'i', 'iw', 'ir', 'irw', 'io', 'iow', 'ior', 'iorw'];

interface Site {
  readonly pc: number;
  /** A 32-bit instruction (objdump tracks addresses differently in the two sizes). */
  readonly wide: boolean;
  /** Table name of the 32-bit instruction, or null. */
  readonly spec: string | null;
  /** Compressed mnemonic, or null. */
  readonly cname: string | null;
}

const canonical = new Map<InsnSpec, Form>();
const canonicalOf = (spec: InsnSpec): Form => {
  let f = canonical.get(spec);
  if (!f) canonical.set(spec, (f = canonicalForm(spec)));
  return f;
};

class Disassembler {
  private readonly symbolize: ((address: number) => string | null) | undefined;
  private readonly gp: number | undefined;
  private readonly privSpec: PrivSpec;
  /** objdump's hi_addr: what the last auipc/lui into each register (not yet used) points at. */
  private readonly hi: Array<number | undefined> = new Array<number | undefined>(32).fill(undefined);
  private comment: number | null = null;

  constructor(options: DisasmOptions) {
    this.symbolize = options.symbolize;
    this.gp = options.gp === undefined ? undefined : options.gp >>> 0;
    this.privSpec = options.privSpec ?? '1.11';
  }

  code(bytes: Uint8Array, off: number, pc: number): DisasmLine {
    const avail = bytes.length - off;
    const first = avail >= 2 ? readLE(bytes, off, 2) : bytes[off]!;
    const len = insnLength(first);
    if (avail < len) {
      // objdump stops with "Address ... is out of bounds"; show the stray bytes instead.
      return { address: pc, text: byteList(bytes, off, avail), len: avail, raw: readLE(bytes, off, Math.min(avail, 4)), hex: chunks(bytes, off, avail) };
    }
    const raw = readLE(bytes, off, Math.min(len, 4));
    const text = len === 2 ? this.text16(raw, pc) : len === 4 ? this.text32(raw, pc) : unknownLong(bytes, off, len);
    return { address: pc, text, len, raw, hex: chunks(bytes, off, len) };
  }

  private text32(w: number, pc: number): string {
    const d = decode32(w);
    if (d.spec) {
      const f: Fields = { rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm: d.imm, csr: d.csr, raw: w };
      const chosen = pickForm(FORMS_32[d.spec.name], f, canonicalOf(d.spec));
      if (!chosen || chosen.name === null) return `.4byte\t0x${hex(w)}`;
      const name = chosen.name === d.spec.name ? withOrdering(chosen.name, d.spec.format, w) : chosen.name;
      return this.render({ ...chosen, name }, f, { pc, wide: true, spec: d.spec.name, cname: null });
    }
    const x = extra32(w);
    if (!x) return `.4byte\t0x${hex(w)}`;
    const chosen = x.form ?? pickForm(FORMS_32[x.specName!], x.fields, null)!;
    return this.render(chosen, x.fields, { pc, wide: true, spec: x.specName, cname: null });
  }

  private text16(h: number, pc: number): string {
    const d = decode16(h);
    let cname: string | null;
    let f: Fields;
    let chosen: Form | null;
    if (d.spec && d.cname) {
      cname = d.cname;
      f = { rd: d.rd, rs1: d.rs1, rs2: d.rs2, imm: d.imm, csr: 0, raw: h };
      chosen = pickForm(FORMS_16[cname], f, null);
    } else {
      const x = extra16(h);
      if (!x) return `.2byte\t0x${hex(h)}`;
      cname = x.cname;
      f = x.fields;
      chosen = x.form ?? pickForm(FORMS_16[cname!], f, null);
    }
    if (!chosen || chosen.name === null) return `.2byte\t0x${hex(h)}`;
    return this.render(chosen, f, { pc, wide: false, spec: null, cname });
  }

  /** Prints the mnemonic and operands of `form`, doing objdump's address tracking on the way. */
  private render(form: Form, f: Fields, site: Site): string {
    const args = form.args;
    let out = form.name!;
    if (args !== '') out += '\t';
    const wide = site.wide;
    const isJalr = wide && site.spec === 'jalr';
    const isAddi = wide && site.spec === 'addi';
    for (let i = 0; i < args.length; i++) {
      const c = args[i]!;
      switch (c) {
        case 'd':
          if (wide && site.spec === 'auipc') this.hi[f.rd] = (site.pc + f.imm) >>> 0;
          else if ((wide && site.spec === 'lui') || site.cname === 'c.lui') this.hi[f.rd] = f.imm >>> 0;
          out += ABI_NAMES[f.rd]!;
          break;
        case 's':
          if (isJalr) this.track(f.rs1, f.imm);
          out += ABI_NAMES[f.rs1]!;
          break;
        case 't': out += ABI_NAMES[f.rs2]!; break;
        case 'o': // binutils' 'o' tracks the base, then goes on as 'j'
        case 'j':
          if (c === 'o' && wide) this.track(f.rs1, f.imm);
          if ((isAddi && f.rs1 !== 0) || isJalr) this.track(f.rs1, f.imm);
          if (site.cname === 'c.addi') this.track(f.rd, f.imm);
          out += String(f.imm);
          break;
        case 'q':
          if (wide) this.track(f.rs1, f.imm);
          out += String(f.imm);
          break;
        case 'u': out += `0x${hex((f.imm >>> 12) & 0xfffff)}`; break;
        case '>': out += `0x${hex(f.imm)}`; break;
        case 'a': case 'p': out += this.address((site.pc + f.imm) >>> 0); break;
        case 'E': out += csrOperand(f.csr, this.privSpec); break;
        case 'Z': out += String(f.imm); break;
        case 'P': out += PRED_SUCC[(f.raw >>> 24) & 15]!; break;
        case 'Q': out += PRED_SUCC[(f.raw >>> 20) & 15]!; break;
        case '0': if (i === args.length - 1) out += '0'; break;
        default: out += c; // , ( )
      }
    }
    if (this.comment !== null) {
      out += ` # ${this.address(this.comment)}`;
      this.comment = null;
    }
    return out;
  }

  /** binutils' maybe_print_address: decides whether an operand gets an address comment. */
  private track(base: number, offset: number): void {
    const hi = this.hi[base];
    let at: number;
    if (hi !== undefined) {
      at = (base !== 0 ? hi : 0) + offset;
      this.hi[base] = undefined;
    } else if (base === 3 && this.gp !== undefined) {
      at = this.gp + offset;
    } else if (base === 4 || base === 0) {
      at = offset;
    } else {
      return;
    }
    this.comment = at >>> 0;
  }

  /** objdump's print_address_func: `80000010 <main+0x10>`, or `0x80000010` without symbols. */
  private address(a: number): string {
    if (!this.symbolize) return `0x${hex(a)}`;
    const name = this.symbolize(a);
    return name === null ? hex(a) : `${hex(a)} <${name}>`;
  }
}

/** Atomics carry their ordering bits in the mnemonic: `amoadd.w.aqrl`. */
function withOrdering(name: string, format: string, w: number): string {
  if (format !== 'AMO' && format !== 'LR') return name;
  const aq = (w >>> 26) & 1, rl = (w >>> 25) & 1;
  return name + (aq && rl ? '.aqrl' : aq ? '.aq' : rl ? '.rl' : '');
}

/** objdump's text for a 6..22-byte instruction it does not know (none of RV32IMAC's). */
function unknownLong(bytes: Uint8Array, off: number, len: number): string {
  if (len === 8) {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
    return `.8byte\t0x${v.toString(16)}`;
  }
  return byteList(bytes, off, len);
}

function byteList(bytes: Uint8Array, off: number, len: number): string {
  const parts: string[] = [];
  for (let i = 0; i < len; i++) parts.push(`0x${hex(bytes[off + i]!).padStart(2, '0')}`);
  return `.byte\t${parts.join(', ')}`;
}

/** The raw-bytes column: little-endian chunks of 4 bytes when the length allows, else of 2. */
function chunks(bytes: Uint8Array, off: number, len: number): string {
  const size = len % 4 === 0 ? 4 : len % 2 === 0 ? 2 : 1;
  const parts: string[] = [];
  for (let i = 0; i < len; i += size) parts.push(hex(readLE(bytes, off + i, size)).padStart(2 * size, '0'));
  return parts.join(' ');
}

function readLE(bytes: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[off + i]!;
  return v;
}

const hex = (v: number): string => v.toString(16);
