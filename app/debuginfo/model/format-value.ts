// Typed values as a tree for the variables panel: each node has a name, its type's name, a
// display string in gdb's notation, and children for structs, unions, arrays and (with memory)
// pointers. The display follows gdb's `print` (gdb/valprint.c, c-valprint.c) so users see what
// they know: `72 'H'`, `0x80001924 <crc_buf>`, `{next = 0x0, value = 3}`, `RESUME_RA`, `(F_A | F_C)`,
// `"hello"`, `{0 <repeats 20 times>}`, floats with %.9g / %.17g. (Top-level pointers are shown
// without gdb's `(type *)` prefix: the type is a column of its own.)
// Children are built to `depth` levels; deeper nodes are `expandable` and can be formatted on
// demand from their address. Display strings are capped at 200 elements per array, as gdb's
// `print elements`, and at about DISPLAY_CHARS characters in all (then "...").

import { bytesToNumberBig } from '../dwarf/expression.js';
import { typeName } from './type-names.js';
import { resolveType, typeSize } from './types.js';
import type { Enumerator, Type } from './types.js';

export interface ValueNode {
  readonly name: string;
  readonly typeName: string;
  readonly display: string;
  /** Where the value lives in memory, when known. */
  readonly address?: number;
  readonly type: Type;
  readonly children?: readonly ValueNode[];
  /** Has children that were not built (depth limit, elements past the window, or a pointer without memory access). */
  readonly expandable: boolean;
  /** Arrays: how many elements there are (the children are a window of them, see FormatOptions.elements). */
  readonly elementCount?: number;
}

/** Array elements [from, from + count). */
export interface ElementWindow { readonly from: number; readonly count: number }

export interface FormatOptions {
  readonly name?: string;
  readonly address?: number;
  /** Reads target memory, for pointer targets and strings. */
  readonly readMemory?: (addr: number, len: number) => Uint8Array | null;
  /** Names an address: "sym" or "sym+off" (shown as <sym+off> after pointers). */
  readonly symbolize?: (addr: number) => string | null;
  /** Levels of children to build (default 3). */
  readonly depth?: number;
  /** Array elements to build as children (default 100). */
  readonly maxElements?: number;
  /** The elements of the value itself (an array) to build as children, instead of the first maxElements. */
  readonly elements?: ElementWindow;
}

const PRINT_ELEMENTS = 200; // gdb `print elements`
const REPEAT_THRESHOLD = 10; // gdb `print repeats`
const MAX_DISPLAY_DEPTH = 12;
/** Values shown in one display string at most: nested arrays of hostile sizes stay cheap. */
const DISPLAY_BUDGET = 5_000;
/**
 * Characters of values in one display string, about: a one-line summary, not the whole value
 * (a 112×112 matrix was 46 KB in every answer and every table cell); the children show the rest.
 */
const DISPLAY_CHARS = 1_000;

interface Budget { left: number; chars: number }

export function formatValue(type: Type, bytes: Uint8Array, opts: FormatOptions = {}): ValueNode {
  return node(opts.name ?? '', type, bytes, opts.address, opts, opts.depth ?? 3, opts.elements);
}

/**
 * The node at `path` below the value (each step a child index: a struct member, an array element,
 * 0 for a pointer's target), built as formatValue builds the value itself; null when there is no
 * such child. Only the nodes on the path are looked at: element 100,000 of an array costs what
 * element 0 does.
 */
export function formatValueAt(type: Type, bytes: Uint8Array, path: readonly number[], opts: FormatOptions = {}): ValueNode | null {
  let at: Located = { name: opts.name ?? '', type, bytes, address: opts.address };
  for (let k = 0; k < path.length; k++) {
    const next = childOf(at, path[k]!, opts);
    if (next === null) return null;
    if ('leaf' in next) return k === path.length - 1 ? next.leaf : null;
    at = next;
  }
  return node(at.name, at.type, at.bytes, at.address, opts, opts.depth ?? 3, opts.elements);
}

interface Located { readonly name: string; readonly type: Type; readonly bytes: Uint8Array; readonly address: number | undefined }

/** Child `i` of a value, as node() names and places it; a bit field is a finished leaf. */
function childOf(v: Located, i: number, opts: FormatOptions): Located | { leaf: ValueNode } | null {
  const t = resolveType(v.type);
  if (v.bytes.length < typeSize(v.type) || !Number.isInteger(i) || i < 0) return null;
  switch (t.kind) {
    case 'pointer': {
      const ptr = Number(intValue(v.bytes.subarray(0, t.size), false));
      const target = resolveType(t.target);
      if (i !== 0 || ptr === 0 || target.kind === 'void' || target.kind === 'function' || !opts.readMemory) return null;
      const pointee = opts.readMemory(ptr, typeSize(t.target));
      return pointee ? { name: `*${v.name}`, type: t.target, bytes: pointee, address: ptr } : null;
    }
    case 'struct': case 'union': case 'class': {
      const m = t.members[i];
      if (!m) return null;
      const name = m.name ?? `<anonymous ${i}>`;
      if (m.bitSize !== undefined && m.bitOffset !== undefined) {
        return { leaf: { name, typeName: typeName(m.type), type: m.type, display: bitFieldText(m.type, v.bytes, m.bitOffset, m.bitSize), expandable: false } };
      }
      return { name, type: m.type, bytes: v.bytes.subarray(m.offset, m.offset + typeSize(m.type)), address: v.address !== undefined ? v.address + m.offset : undefined };
    }
    case 'array': {
      const elemType = elementType(t);
      const esize = typeSize(elemType);
      if (i >= (t.counts[0] ?? 0) || esize === 0 || (i + 1) * esize > v.bytes.length) return null;
      return { name: `[${i}]`, type: elemType, bytes: v.bytes.subarray(i * esize, (i + 1) * esize), address: v.address !== undefined ? v.address + i * esize : undefined };
    }
    default: return null;
  }
}

function node(name: string, type: Type, bytes: Uint8Array, address: number | undefined, opts: FormatOptions, depth: number, window?: ElementWindow): ValueNode {
  const t = resolveType(type);
  const base = { name, typeName: typeName(type), type, display: display(type, bytes, opts, 0, { left: DISPLAY_BUDGET, chars: DISPLAY_CHARS }), ...(address !== undefined ? { address } : {}) };
  if (bytes.length < typeSize(type)) return { ...base, expandable: false };
  switch (t.kind) {
    case 'pointer': {
      const ptr = Number(intValue(bytes.subarray(0, t.size), false));
      const target = resolveType(t.target);
      const tsize = typeSize(t.target);
      if (target.kind === 'void' || target.kind === 'function' || ptr === 0) return { ...base, expandable: false };
      // Not followed here: expandable when there is something to follow (its first byte readable).
      if (depth <= 0 || !opts.readMemory) return { ...base, expandable: tsize > 0 && (!opts.readMemory || opts.readMemory(ptr, 1) !== null) };
      const pointee = opts.readMemory(ptr, tsize);
      if (!pointee) return { ...base, expandable: false };
      return { ...base, children: [node(`*${name}`, t.target, pointee, ptr, opts, depth - 1)], expandable: false };
    }
    case 'struct': case 'union': case 'class': {
      if (depth <= 0) return { ...base, expandable: t.members.length > 0 };
      const children = t.members.map((m, i) => {
        const mname = m.name ?? `<anonymous ${i}>`;
        const maddr = address !== undefined ? address + m.offset : undefined;
        if (m.bitSize !== undefined && m.bitOffset !== undefined) {
          return { name: mname, typeName: typeName(m.type), type: m.type, display: bitFieldText(m.type, bytes, m.bitOffset, m.bitSize), expandable: false };
        }
        return node(mname, m.type, bytes.subarray(m.offset, m.offset + typeSize(m.type)), maddr, opts, depth - 1);
      });
      return { ...base, children, expandable: false };
    }
    case 'array': {
      const count = t.counts[0] ?? 0;
      const elemType = elementType(t);
      const esize = typeSize(elemType);
      if (depth <= 0 || esize === 0) return { ...base, expandable: count > 0 && esize > 0, elementCount: count };
      const from = Math.max(0, window?.from ?? 0);
      const end = Math.min(count, from + Math.max(0, window?.count ?? opts.maxElements ?? 100));
      const children: ValueNode[] = [];
      for (let i = from; i < end; i++) {
        const eb = bytes.subarray(i * esize, (i + 1) * esize);
        if (eb.length < esize) break;
        children.push(node(`[${i}]`, elemType, eb, address !== undefined ? address + i * esize : undefined, opts, depth - 1));
      }
      return { ...base, children, expandable: children.length < count, elementCount: count };
    }
    default: return { ...base, expandable: false };
  }
}

function elementType(t: Extract<Type, { kind: 'array' }>): Type {
  if (t.counts.length <= 1) return t.element;
  const count = t.counts[0] ?? 0;
  return { kind: 'array', element: t.element, counts: t.counts.slice(1), size: count ? Math.floor(t.size / count) : 0 };
}

/** The gdb-style text of a value, within `budget`. */
function display(type: Type, bytes: Uint8Array, opts: FormatOptions, level: number, budget: Budget): string {
  if (level > MAX_DISPLAY_DEPTH || budget.left-- <= 0 || budget.chars <= 0) return '...';
  const text = displayText(type, bytes, opts, level, budget);
  if (!isAggregate(resolveType(type))) budget.chars -= text.length + 2; // and its ", "
  return text;
}

const isAggregate = (t: Type): boolean => t.kind === 'array' || t.kind === 'struct' || t.kind === 'union' || t.kind === 'class';

function displayText(type: Type, bytes: Uint8Array, opts: FormatOptions, level: number, budget: Budget): string {
  const t = resolveType(type);
  if (bytes.length < typeSize(type) && t.kind !== 'array') return '<unavailable>';
  switch (t.kind) {
    case 'base': return scalarText(t.encoding, t.size, bytes);
    case 'enum': return enumText(t.enumerators, intValue(bytes.subarray(0, t.size), t.encoding === 'signed'));
    case 'pointer': {
      const ptr = Number(intValue(bytes.subarray(0, t.size), false));
      const target = resolveType(t.target);
      let s = `0x${ptr.toString(16)}`;
      const sym = ptr !== 0 && opts.symbolize ? opts.symbolize(ptr) : null;
      if (sym) s += ` <${sym}>`;
      if (isCharType(target) && ptr !== 0 && opts.readMemory) s += ` ${cString(ptr, opts.readMemory)}`;
      return s;
    }
    case 'struct': case 'union': case 'class': {
      const parts: string[] = [];
      for (const m of t.members) {
        if (budget.chars <= 0) { parts.push('...'); break; }
        if (m.name) budget.chars -= m.name.length + 3; // "name = "
        const v = m.bitSize !== undefined && m.bitOffset !== undefined
          ? bitFieldText(m.type, bytes, m.bitOffset, m.bitSize)
          : display(m.type, bytes.subarray(m.offset, m.offset + typeSize(m.type)), opts, level + 1, budget);
        parts.push(m.name ? `${m.name} = ${v}` : v);
      }
      return `{${parts.join(', ')}}`;
    }
    case 'array': {
      const count = t.counts[0];
      const elemType = elementType(t);
      const esize = typeSize(elemType);
      if (count === undefined || esize === 0) return '{}';
      const n = Math.min(count, Math.floor(bytes.length / esize));
      if (isCharType(resolveType(elemType))) {
        const text = charArrayText(bytes.subarray(0, n));
        budget.chars -= text.length + 2;
        return text;
      }
      const items: string[] = [];
      for (let i = 0; i < Math.min(n, PRINT_ELEMENTS) && budget.left > 0 && budget.chars > 0; i++) {
        const chars = budget.chars;
        const item = display(elemType, bytes.subarray(i * esize, (i + 1) * esize), opts, level + 1, budget);
        // An element equal to the one before will be folded into "<repeats N times>": free (about).
        if (item === items[items.length - 1]) budget.chars = chars;
        items.push(item);
      }
      return `{${withRepeats(items).join(', ')}${n > items.length ? '...' : ''}}`;
    }
    case 'void': return 'void';
    case 'function': return `{${typeName(type)}}`;
    default: return `<${typeName(type)}>`;
  }
}

/** Runs of more than `print repeats` equal elements become "V <repeats N times>". */
function withRepeats(items: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < items.length;) {
    let j = i + 1;
    while (j < items.length && items[j] === items[i]) j++;
    if (j - i > REPEAT_THRESHOLD) out.push(`${items[i]} <repeats ${j - i} times>`);
    else for (let k = i; k < j; k++) out.push(items[k]!);
    i = j;
  }
  return out;
}

function isCharType(t: Type): boolean {
  return t.kind === 'base' && t.size === 1 && (t.encoding === 'signed-char' || t.encoding === 'unsigned-char');
}

export function intValue(bytes: Uint8Array, signed: boolean): bigint {
  const v = bytesToNumberBig(bytes);
  return signed && bytes.length > 0 ? BigInt.asIntN(bytes.length * 8, v) : v;
}

function bitFieldText(type: Type, bytes: Uint8Array, bitOffset: number, bitSize: number): string {
  const r = resolveType(type);
  const signed = (r.kind === 'base' && (r.encoding === 'signed' || r.encoding === 'signed-char')) || (r.kind === 'enum' && r.encoding === 'signed');
  let v = 0n;
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    v |= BigInt(((bytes[bit >> 3] ?? 0) >> (bit & 7)) & 1) << BigInt(i);
  }
  if (signed) v = BigInt.asIntN(bitSize, v);
  if (r.kind === 'enum') return enumText(r.enumerators, v);
  if (r.kind === 'base' && r.encoding === 'boolean') return boolText(v);
  if (r.kind === 'base' && isCharType(r)) return `${v} ${charLiteral(Number(v) & 0xff)}`;
  return v.toString();
}

const boolText = (v: bigint): string => (v === 0n ? 'false' : v === 1n ? 'true' : v.toString());

function scalarText(encoding: string, size: number, bytes: Uint8Array): string {
  const b = bytes.subarray(0, size);
  switch (encoding) {
    case 'boolean': return boolText(intValue(b, false));
    case 'float': {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (size === 4) return formatG(dv.getFloat32(0, true), 9);
      if (size === 8) return formatG(dv.getFloat64(0, true), 17);
      return `<${size}-byte float>`;
    }
    case 'signed-char': case 'unsigned-char': {
      const v = intValue(b, encoding === 'signed-char');
      return size === 1 ? `${v} ${charLiteral(Number(v) & 0xff)}` : v.toString();
    }
    case 'signed': return intValue(b, true).toString();
    default: return intValue(b, false).toString();
  }
}

/** C's printf %.{p}g, which gdb uses for floats (9 digits) and doubles (17). */
export function formatG(x: number, p: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan(0x8000000000000)' : 'nan(0x8000000000000)';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const exp = Number(x.toExponential(p - 1).split('e')[1]);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= p) {
    const [m, e] = x.toExponential(p - 1).split('e') as [string, string];
    const n = Number(e);
    return `${trim(m)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return trim(x.toFixed(Math.max(0, p - 1 - exp)));
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' };

function escapeChar(c: number, quote: string): string {
  if (ESCAPES[c]) return ESCAPES[c]!;
  if (c === 0x5c) return '\\\\';
  if (String.fromCharCode(c) === quote) return `\\${quote}`;
  if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
  return `\\${c.toString(8).padStart(3, '0')}`;
}

function charLiteral(c: number): string {
  return `'${escapeChar(c, "'")}'`;
}

function cString(addr: number, read: (a: number, n: number) => Uint8Array | null): string {
  let s = '';
  for (let i = 0; i < PRINT_ELEMENTS; i++) {
    const b = read(addr + i, 1);
    if (!b) return i === 0 ? `<error: Cannot access memory at address 0x${addr.toString(16)}>` : `"${s}"...`;
    if (b[0] === 0) return `"${s}"`;
    s += escapeChar(b[0]!, '"');
  }
  return `"${s}"...`;
}

/**
 * A char array as gdb prints it (gdb/valprint.c generic_printstr): the whole array, one trailing
 * NUL dropped, runs of more than 10 equal characters as `'c' <repeats N times>`.
 */
function charArrayText(bytes: Uint8Array): string {
  let len = Math.min(bytes.length, PRINT_ELEMENTS);
  const truncated = bytes.length > PRINT_ELEMENTS;
  if (!truncated && len > 0 && bytes[len - 1] === 0) len--;
  if (len === 0) return '""';
  const parts: string[] = [];
  let quoted = '';
  for (let i = 0; i < len;) {
    let j = i + 1;
    while (j < len && bytes[j] === bytes[i]) j++;
    if (j - i > REPEAT_THRESHOLD) {
      if (quoted) { parts.push(`"${quoted}"`); quoted = ''; }
      parts.push(`${charLiteral(bytes[i]!)} <repeats ${j - i} times>`);
    } else {
      for (let k = i; k < j; k++) quoted += escapeChar(bytes[k]!, '"');
    }
    i = j;
  }
  if (quoted) parts.push(`"${quoted}"`);
  return parts.join(', ') + (truncated ? '...' : '');
}

/** An enumerator's name; an OR of single-bit enumerators as (A | B), as gdb prints flag enums; else the number. */
function enumText(enumerators: readonly Enumerator[], v: bigint): string {
  const e = enumerators.find((x) => x.value === v);
  if (e) return e.name;
  const flagEnum = enumerators.every((x) => x.value >= 0n && (x.value & (x.value - 1n)) === 0n);
  if (flagEnum && v > 0n) {
    let rest = v;
    const parts: string[] = [];
    for (const x of enumerators) if (x.value !== 0n && (rest & x.value) !== 0n) { parts.push(x.name); rest &= ~x.value; }
    if (parts.length > 0) return rest === 0n ? `(${parts.join(' | ')})` : `(${parts.join(' | ')} | unknown: 0x${rest.toString(16)})`;
  }
  return v.toString();
}
