// Translates a run of guest instructions (a block: straight-line code up to a control transfer,
// a system instruction, a page boundary or MAX_BLOCK instructions) into one JavaScript function.
// V8 then compiles the hot ones to machine code, which is what makes the emulator fast: decoding
// happens once per block, and each instruction becomes a few lines of int32 arithmetic.
//
// Generated code contract (see hart.ts for the exit protocol):
//   function (c: Hart, x: Int32Array, h: Helpers, D: Decoded[]): void
// On normal completion it sets c.pc to the successor and adds the block's count to c.icount.
// If a memory helper aborts an instruction (trap or redo), it calls c.stopAt(k, pc) and returns.

import type { Decoded } from '../isa/decode.js';
import type { AluOp, BranchCond } from '../isa/instructions.js';
import { execSystem } from './system.js';
import { mulh, mulhsu, mulhu, div, divu, rem, remu } from './arith.js';
import { EXC } from './csr-numbers.js';

export const MAX_BLOCK = 64;

export const HELPERS = { mulh, mulhsu, mulhu, div, divu, rem, remu, execSystem } as const;
export type Helpers = typeof HELPERS;

export type BlockFn = (c: unknown, x: Int32Array, h: Helpers, D: readonly Decoded[]) => void;

export interface Block {
  /** Virtual address of the first instruction (int32). */
  readonly vpc: number;
  /** Physical address of the first instruction (int32). */
  readonly ppc: number;
  readonly count: number;
  readonly insns: readonly Decoded[];
  readonly fn: BlockFn;
  /** Cleared when a store to the block's page invalidates it. */
  valid: boolean;
}

const hex = (v: number): string => `0x${(v >>> 0).toString(16)}`;
/** An int32 literal that reads as the guest address in generated code. */
const lit = (v: number): string => `${v | 0}`;

const reg = (r: number): string => (r === 0 ? '0' : `x[${r}]`);

function aluExpr(op: AluOp, a: string, b: string, bImm: number | null): string {
  const sh = bImm !== null ? `${bImm & 31}` : `(${b} & 31)`;
  switch (op) {
    case 'add': return `(${a} + ${b}) | 0`;
    case 'sub': return `(${a} - ${b}) | 0`;
    case 'sll': return `${a} << ${sh}`;
    case 'slt': return `(${a} < ${b}) ? 1 : 0`;
    case 'sltu': return `((${a} >>> 0) < (${b} >>> 0)) ? 1 : 0`;
    case 'xor': return `${a} ^ ${b}`;
    case 'srl': return `(${a} >>> ${sh}) | 0`;
    case 'sra': return `${a} >> ${sh}`;
    case 'or': return `${a} | ${b}`;
    case 'and': return `${a} & ${b}`;
    case 'mul': return `Math.imul(${a}, ${b})`;
    case 'mulh': return `h.mulh(${a}, ${b})`;
    case 'mulhsu': return `h.mulhsu(${a}, ${b})`;
    case 'mulhu': return `h.mulhu(${a}, ${b})`;
    case 'div': return `h.div(${a}, ${b})`;
    case 'divu': return `h.divu(${a}, ${b})`;
    case 'rem': return `h.rem(${a}, ${b})`;
    case 'remu': return `h.remu(${a}, ${b})`;
  }
}

function condExpr(cond: BranchCond, a: string, b: string): string {
  switch (cond) {
    case 'eq': return `${a} === ${b}`;
    case 'ne': return `${a} !== ${b}`;
    case 'lt': return `${a} < ${b}`;
    case 'ge': return `${a} >= ${b}`;
    case 'ltu': return `(${a} >>> 0) < (${b} >>> 0)`;
    case 'geu': return `(${a} >>> 0) >= (${b} >>> 0)`;
  }
}

const LOAD_FN: Record<string, string> = { lb: 'lb', lh: 'lh', lw: 'lw', lbu: 'lbu', lhu: 'lhu' };
const STORE_FN: Record<string, string> = { sb: 'sb', sh: 'sh', sw: 'sw' };

/** True when the instruction ends a block (control transfer, system instruction or illegal). */
export function endsBlock(d: Decoded): boolean {
  if (!d.spec) return true;
  const k = d.spec.kind;
  return k === 'branch' || k === 'jal' || k === 'jalr' || k === 'system';
}

/**
 * Generates the JavaScript for one block. `pcs[k]` is the virtual address of instruction k.
 * Exported for tests and for inspecting what the compiler produces.
 */
export function generateBlockSource(insns: readonly Decoded[], pcs: readonly number[]): string {
  const out: string[] = ['let t = 0;'];
  const abort = (k: number, pc: number): string => `if ((c.exit & 3) !== 0) { c.stopAt(${k}, ${lit(pc)}); return; }`;
  for (let k = 0; k < insns.length; k++) {
    const d = insns[k]!;
    const P = pcs[k]!;
    const N = (P + d.len) | 0;
    const s = d.spec;
    out.push(`// ${hex(P)}: ${s ? s.name : 'illegal'}`);
    if (!s) {
      // Counted as executed, as QEMU's -icount counts instructions that are illegal at decode
      // (unlike those that fault while running); keeps instruction counts identical to QEMU's.
      out.push(`c.icount += ${k + 1}; c.pc = ${lit(P)}; c.enterTrap(${EXC.ILLEGAL}, ${lit(d.raw)}, false); return;`);
      return out.join('\n');
    }
    const rd = d.rd;
    const A = reg(d.rs1);
    switch (s.kind) {
      case 'alu': {
        if (rd === 0) break; // a HINT or NOP: no architectural effect
        const imm = s.format === 'R' ? null : d.imm;
        const B = imm === null ? reg(d.rs2) : `(${imm})`;
        out.push(`x[${rd}] = ${aluExpr(s.alu!, A, B, imm)};`);
        break;
      }
      case 'lui':
        if (rd !== 0) out.push(`x[${rd}] = ${lit(d.imm)};`);
        break;
      case 'auipc':
        if (rd !== 0) out.push(`x[${rd}] = ${lit(P + d.imm)};`);
        break;
      case 'load':
        out.push(`t = c.${LOAD_FN[s.name]}((${A} + (${d.imm})) | 0);`, abort(k, P));
        if (rd !== 0) out.push(`x[${rd}] = t;`);
        break;
      case 'store':
        out.push(`c.${STORE_FN[s.name]}((${A} + (${d.imm})) | 0, ${reg(d.rs2)});`, abort(k, P));
        break;
      case 'amo':
        out.push(`t = c.amo('${s.amo}', ${A}, ${reg(d.rs2)});`, abort(k, P));
        if (rd !== 0) out.push(`x[${rd}] = t;`);
        break;
      case 'lr':
        out.push(`t = c.lr(${A});`, abort(k, P));
        if (rd !== 0) out.push(`x[${rd}] = t;`);
        break;
      case 'sc':
        out.push(`t = c.sc(${A}, ${reg(d.rs2)});`, abort(k, P));
        if (rd !== 0) out.push(`x[${rd}] = t;`);
        break;
      case 'fence':
        break;
      case 'branch':
        out.push(`c.pc = (${condExpr(s.cond!, A, reg(d.rs2))}) ? ${lit(P + d.imm)} : ${lit(N)}; c.icount += ${k + 1}; return;`);
        return out.join('\n');
      case 'jal':
        if (rd !== 0) out.push(`x[${rd}] = ${lit(N)};`);
        out.push(`c.pc = ${lit(P + d.imm)}; c.icount += ${k + 1}; return;`);
        return out.join('\n');
      case 'jalr':
        // The target is computed before rd is written: rd may be rs1.
        out.push(`t = (${A} + (${d.imm})) & -2;`);
        if (rd !== 0) out.push(`x[${rd}] = ${lit(N)};`);
        out.push(`c.pc = t; c.icount += ${k + 1}; return;`);
        return out.join('\n');
      case 'system':
        out.push(`c.icount += ${k}; c.pc = ${lit(P)}; h.execSystem(c, D[${k}]); return;`);
        return out.join('\n');
    }
  }
  const last = insns.length - 1;
  out.push(`c.pc = ${lit((pcs[last]! + insns[last]!.len) | 0)}; c.icount += ${insns.length};`);
  return out.join('\n');
}

/** Compiles a block. `pcs` are the virtual addresses of the instructions. */
export function compileBlock(vpc: number, ppc: number, insns: Decoded[], pcs: number[]): Block {
  const src = generateBlockSource(insns, pcs);
  // The only dynamic code in the engine: generated from decoded instructions, never from guest data.
  const fn = new Function('c', 'x', 'h', 'D', src) as BlockFn;
  return { vpc: vpc | 0, ppc: ppc | 0, count: insns.length, insns, fn, valid: true };
}
