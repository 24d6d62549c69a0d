// Types from DWARF type DIEs (DWARF 5 chapter 5): base types, pointers, arrays with subranges,
// structs/unions/classes with members and bit fields, enumerations, typedefs, qualifiers
// (const, volatile, restrict, _Atomic) and function types. Built on demand and cached per DIE;
// recursive types (struct node { struct node *next; }) work because an aggregate is cached
// before its members are read. A struct declared but not defined in one unit is completed from
// a definition with the same name elsewhere, as gdb does for opaque types.

import { ATE, AT, TAG } from '../dwarf/constants.js';
import type { DwarfInfo } from '../dwarf/dwarf-info.js';
import { walk } from '../dwarf/dwarf-info.js';
import type { Die } from '../dwarf/unit.js';
import { SECTION } from '../dwarf/sections.js';
import { evaluateLocation } from '../dwarf/expression.js';
import { hex } from '../warnings.js';

export type BaseEncoding = 'signed' | 'unsigned' | 'signed-char' | 'unsigned-char' | 'boolean' | 'float' | 'address' | 'utf' | 'other';

export interface Member {
  readonly name: string | undefined;
  readonly type: Type;
  /** Byte offset of the member (of its storage unit, for bit fields). */
  readonly offset: number;
  /** For bit fields: width in bits and offset in bits from the start of the containing object. */
  readonly bitSize?: number;
  readonly bitOffset?: number;
}

export interface Enumerator { readonly name: string; readonly value: bigint }

export type Type =
  | { readonly kind: 'void' }
  | { readonly kind: 'base'; readonly name: string; readonly size: number; readonly encoding: BaseEncoding }
  | { readonly kind: 'pointer'; readonly size: number; readonly target: Type; readonly reference?: boolean }
  /** counts: elements per dimension, outermost first; undefined for an unknown bound (flexible array). */
  | { readonly kind: 'array'; readonly element: Type; readonly counts: readonly (number | undefined)[]; readonly size: number }
  | { readonly kind: 'struct' | 'union' | 'class'; readonly name: string | undefined; readonly size: number;
      readonly members: readonly Member[]; readonly declaration: boolean; readonly dieOffset: number }
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly size: number; readonly encoding: BaseEncoding;
      readonly enumerators: readonly Enumerator[] }
  | { readonly kind: 'typedef'; readonly name: string; readonly target: Type }
  | { readonly kind: 'const' | 'volatile' | 'restrict' | 'atomic'; readonly target: Type }
  | { readonly kind: 'function'; readonly returnType: Type; readonly params: readonly Type[]; readonly varargs: boolean; readonly prototyped: boolean }
  | { readonly kind: 'unknown'; readonly name: string; readonly size: number };

export const VOID: Type = { kind: 'void' };

/** Strips typedefs and qualifiers. */
export function resolveType(t: Type): Type {
  for (let i = 0; i < 64; i++) {
    if (t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') t = t.target;
    else return t;
  }
  return t;
}

/** sizeof, as C (and gdb) compute it. */
export function typeSize(t: Type): number {
  const r = resolveType(t);
  switch (r.kind) {
    case 'void': return 1; // gdb: sizeof(void) == 1
    case 'function': return 1;
    case 'typedef': case 'const': case 'volatile': case 'restrict': case 'atomic': return 0;
    default: return r.size;
  }
}

const MAX_DEPTH = 64;

export class TypeReader {
  private readonly cache = new Map<number, Type>();
  private byName: Map<string, Die> | null = null;
  private depth = 0;

  constructor(private readonly info: DwarfInfo) {}

  /** The type of a DIE's DW_AT_type (inherited through abstract origins); void when absent. */
  typeOf(die: Die): Type {
    const found = this.info.inherited(die, AT.type);
    if (!found || typeof found.attr.value !== 'number') return VOID;
    return this.typeAt(found.attr.value);
  }

  typeAt(offset: number): Type {
    const cached = this.cache.get(offset);
    if (cached) return cached;
    const die = this.info.dieAt(offset);
    if (!die) {
      this.info.warnings.add(SECTION.info, offset, `type reference ${hex(offset)} does not point at a DIE`);
      return { kind: 'unknown', name: '<bad type>', size: 0 };
    }
    if (this.depth > MAX_DEPTH) return { kind: 'unknown', name: '<type nested too deeply>', size: 0 };
    this.depth++;
    try {
      return this.build(die);
    } finally {
      this.depth--;
    }
  }

  private build(die: Die): Type {
    const info = this.info;
    const name = info.name(die) || undefined;
    const size = info.num(die, AT.byte_size) ?? 0;
    const set = (t: Type): Type => { this.cache.set(die.offset, t); return t; };
    switch (die.tag) {
      case TAG.base_type:
        return set({ kind: 'base', name: canonicalBaseName(name ?? '?'), size, encoding: encodingOf(info.num(die, AT.encoding) ?? 0) });
      case TAG.unspecified_type:
        return set({ kind: 'void' });
      case TAG.pointer_type: case TAG.reference_type: case TAG.rvalue_reference_type: {
        const t = { kind: 'pointer' as const, size: size || die.unit.addressSize, target: VOID, reference: die.tag !== TAG.pointer_type };
        set(t);
        (t as { target: Type }).target = this.typeOf(die);
        return t;
      }
      case TAG.typedef: {
        const t = { kind: 'typedef' as const, name: name ?? '?', target: VOID };
        set(t);
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.const_type: case TAG.volatile_type: case TAG.restrict_type: case TAG.atomic_type: {
        const kind = die.tag === TAG.const_type ? 'const' : die.tag === TAG.volatile_type ? 'volatile' : die.tag === TAG.restrict_type ? 'restrict' : 'atomic';
        const t = { kind, target: VOID } as { kind: 'const'; target: Type };
        set(t);
        t.target = this.typeOf(die);
        return t;
      }
      case TAG.structure_type: case TAG.union_type: case TAG.class_type: {
        const declaration = info.flag(die, AT.declaration);
        if (declaration && name) {
          const def = this.definitionOf(die.tag, name);
          if (def && def !== die) return set(this.typeAt(def.offset));
        }
        const kind = die.tag === TAG.structure_type ? 'struct' : die.tag === TAG.union_type ? 'union' : 'class';
        const members: Member[] = [];
        const t = { kind, name, size, members, declaration, dieOffset: die.offset } as const;
        set(t);
        for (const c of die.children) if (c.tag === TAG.member) members.push(this.member(c));
        return t;
      }
      case TAG.enumeration_type: {
        const enumerators: Enumerator[] = [];
        const under = info.inherited(die, AT.type);
        let encoding: BaseEncoding = 'unsigned';
        const t: { kind: 'enum'; name: string | undefined; size: number; encoding: BaseEncoding; enumerators: Enumerator[] } = { kind: 'enum', name, size, encoding, enumerators };
        set(t);
        if (under) {
          const u = resolveType(this.typeOf(die));
          if (u.kind === 'base') encoding = u.encoding;
        }
        for (const c of die.children) {
          if (c.tag !== TAG.enumerator) continue;
          const v = c.attr(AT.const_value)?.value;
          const value = typeof v === 'bigint' ? v : typeof v === 'number' ? BigInt(v) : 0n;
          enumerators.push({ name: info.name(c), value });
          if (typeof v === 'number' && v < 0) encoding = 'signed';
        }
        t.encoding = encoding;
        return t;
      }
      case TAG.array_type: {
        const counts: (number | undefined)[] = [];
        const t = { kind: 'array' as const, element: VOID, counts, size: 0 };
        set(t);
        t.element = this.typeOf(die);
        for (const c of die.children) {
          if (c.tag !== TAG.subrange_type) continue;
          const count = info.num(c, AT.count);
          const upper = c.attr(AT.upper_bound);
          const lower = info.num(c, AT.lower_bound) ?? 0;
          if (count !== undefined) counts.push(count);
          else if (upper && (typeof upper.value === 'number' || typeof upper.value === 'bigint')) counts.push(Number(upper.value) - lower + 1);
          else counts.push(undefined);
        }
        if (counts.length === 0) counts.push(undefined);
        const elems = counts.reduce<number>((a, n) => a * (n ?? 0), 1);
        t.size = size || elems * typeSize(t.element);
        return t;
      }
      case TAG.subroutine_type: case TAG.subprogram: {
        const params: Type[] = [];
        const t = { kind: 'function' as const, returnType: VOID, params, varargs: false, prototyped: info.flag(die, AT.prototyped) };
        set(t);
        t.returnType = this.typeOf(die);
        for (const c of die.children) {
          if (c.tag === TAG.formal_parameter) params.push(this.typeOf(c));
          else if (c.tag === TAG.unspecified_parameters) t.varargs = true;
        }
        return t;
      }
      default:
        return set({ kind: 'unknown', name: name ?? `<DW_TAG 0x${die.tag.toString(16)}>`, size });
    }
  }

  private member(c: Die): Member {
    const info = this.info;
    const type = this.typeOf(c);
    let offset = 0;
    const loc = c.attr(AT.data_member_location);
    if (loc) {
      if (typeof loc.value === 'number') offset = loc.value;
      else if (loc.value instanceof Uint8Array) {
        // DWARF 2 style: an expression run with the struct address (0) on the stack.
        const r = evaluateLocation(loc.value, { addressSize: c.unit.addressSize, refSize: c.unit.offsetSize }, { regs: () => undefined, pc: 0, readMemory: () => null }, { initialStack: [0n] });
        if (r.kind === 'address') offset = r.address;
      }
    }
    const bitSize = info.num(c, AT.bit_size);
    if (bitSize === undefined) return { name: info.name(c) || undefined, type, offset };
    let bitOffset = info.num(c, AT.data_bit_offset);
    if (bitOffset === undefined) {
      // DWARF 2-3 DW_AT_bit_offset counts from the most significant bit of the storage unit (little-endian: convert).
      const old = info.num(c, AT.bit_offset) ?? 0;
      const storage = info.num(c, AT.byte_size) ?? typeSize(type);
      bitOffset = offset * 8 + storage * 8 - old - bitSize;
    }
    return { name: info.name(c) || undefined, type, offset: Math.floor(bitOffset / 8), bitSize, bitOffset };
  }

  /** A complete struct/union/class definition with this name anywhere in .debug_info. */
  private definitionOf(tag: number, name: string): Die | undefined {
    if (!this.byName) {
      this.byName = new Map();
      for (const u of this.info.units) {
        const root = u.root();
        if (!root) continue;
        walk(root, (d) => {
          if ((d.tag === TAG.structure_type || d.tag === TAG.union_type || d.tag === TAG.class_type) && !d.has(AT.declaration)) {
            const n = this.info.name(d);
            const key = `${d.tag}:${n}`;
            if (n && !this.byName!.has(key)) this.byName!.set(key, d);
          }
          // Types live at unit level or inside functions; do not descend into expressions of code.
          return d.tag !== TAG.subprogram || d.children.length > 0;
        });
      }
    }
    return this.byName.get(`${tag}:${name}`);
  }
}

/**
 * GCC names base types "long unsigned int", "short int"; gdb prints the canonical C spelling
 * ("unsigned long", "short"), and so do we, so names match what users type and see in gdb.
 */
const CANONICAL: Record<string, string> = {
  'long unsigned int': 'unsigned long', 'long long unsigned int': 'unsigned long long',
  'short unsigned int': 'unsigned short', 'short int': 'short', 'long int': 'long', 'long long int': 'long long',
};

function canonicalBaseName(name: string): string {
  return CANONICAL[name] ?? name;
}

function encodingOf(ate: number): BaseEncoding {
  switch (ate) {
    case ATE.signed: return 'signed';
    case ATE.unsigned: return 'unsigned';
    case ATE.signed_char: return 'signed-char';
    case ATE.unsigned_char: return 'unsigned-char';
    case ATE.boolean: return 'boolean';
    case ATE.float: return 'float';
    case ATE.address: return 'address';
    case ATE.UTF: return 'utf';
    default: return 'other';
  }
}
