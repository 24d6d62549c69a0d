// Variables: globals and statics with fixed addresses, and the parameters and locals in scope at
// a pc (DWARF 5 sections 4.1 data objects, 2.6 location descriptions, 3.3.8.2 concrete inlined
// instances). Where an inlined or out-of-line instance has no DIE for a variable of its abstract
// origin, the variable is listed as optimised out, as gdb does.

import { AT, TAG } from '../dwarf/constants.js';
import type { DwarfInfo } from '../dwarf/dwarf-info.js';
import { walk } from '../dwarf/dwarf-info.js';
import { OP } from '../dwarf/expression-ops.js';
import type { ExprContext } from '../dwarf/expression.js';
import { describeExpression } from '../dwarf/expression-text.js';
import { isLocListForm, readLocList } from '../dwarf/ranges.js';
import type { LocList } from '../dwarf/ranges.js';
import { SECTION } from '../dwarf/sections.js';
import type { Die } from '../dwarf/unit.js';
import { ByteReader } from '../util/byte-reader.js';
import { hex } from '../warnings.js';
import type { FunctionIndex, ScopeNode, SourcePosition } from './functions.js';
import { typeName } from './type-names.js';
import { typeSize } from './types.js';
import type { Type, TypeReader } from './types.js';

/** Where a variable lives, as described by DWARF (evaluate with DebugInfo.evaluateLocation). */
export type LocationDescription =
  | { readonly kind: 'expression'; readonly expr: Uint8Array; readonly text: string; readonly context: ExprContext }
  /** A location list; `entries` hold each range's expression. Evaluation picks the entry for the frame's pc. */
  | { readonly kind: 'list'; readonly list: LocList; readonly context: ExprContext;
      readonly entries: ReadonlyArray<{ readonly start: number; readonly end: number; readonly expr: Uint8Array; readonly text: string }> }
  /** DW_AT_const_value: the value itself (little-endian), no storage. */
  | { readonly kind: 'constant'; readonly bytes: Uint8Array }
  | { readonly kind: 'optimised-out' };

export interface VariableInfo {
  readonly name: string;
  readonly kind: 'parameter' | 'local' | 'static' | 'global';
  readonly type: Type;
  /** The type as gdb's `whatis` names it. */
  readonly typeName: string;
  /** sizeof(type). */
  readonly size: number;
  readonly decl: SourcePosition;
  readonly location: LocationDescription;
  readonly dieOffset: number;
}

export interface GlobalVariable extends VariableInfo {
  /** `name`, or `function::name` for a static declared inside a function. */
  readonly qualifiedName: string;
  /** Static address; undefined for constants and thread-local variables. */
  readonly address: number | undefined;
  /** The enclosing function of a function-level static. */
  readonly scope: string | undefined;
  readonly unitName: string;
}

export interface Scope {
  readonly kind: 'function' | 'inlined' | 'block';
  /** Function name for 'function' and 'inlined' scopes. */
  readonly name: string | undefined;
  readonly ranges: ReadonlyArray<{ readonly start: number; readonly end: number }>;
  readonly variables: readonly VariableInfo[];
}

export class VariableIndex {
  private globalList: GlobalVariable[] | null = null;

  /**
   * @param hasStorage whether an address can hold a variable: GCC leaves DW_OP_addr 0 for
   *   variables the linker discarded (--gc-sections); gdb drops those unless something lives at 0.
   */
  constructor(private readonly info: DwarfInfo, private readonly types: TypeReader, private readonly functions: FunctionIndex,
    private readonly hasStorage: (addr: number) => boolean = (a) => a !== 0) {}

  contextFor(die: Die, frameBase?: Uint8Array): ExprContext {
    const unit = die.unit;
    return {
      addressSize: unit.addressSize,
      refSize: unit.version <= 2 ? unit.addressSize : unit.offsetSize,
      unitOffset: unit.offset,
      frameBase,
      addressIndex: (i) => unit.addressIndex(i),
    };
  }

  /** The location description of a variable DIE (DW_AT_location, else DW_AT_const_value). */
  locationOf(die: Die, frameBase?: Uint8Array): LocationDescription {
    const ctx = this.contextFor(die, frameBase);
    const a = die.attr(AT.location);
    if (a) {
      try {
        if (a.value instanceof Uint8Array) return { kind: 'expression', expr: a.value, text: describeExpression(a.value, ctx), context: ctx };
        if (isLocListForm(die.unit, a)) {
          const list = readLocList(die.unit, a);
          return {
            kind: 'list', list, context: ctx,
            entries: list.entries.map((e) => ({ start: e.start, end: e.end, expr: e.expr, text: describeExpression(e.expr, ctx) })),
          };
        }
      } catch (e) {
        this.info.warnings.caught(SECTION.info, die.offset, `location of DIE ${hex(die.offset)}`, e);
        return { kind: 'optimised-out' };
      }
    }
    const c = this.info.inherited(die, AT.const_value)?.attr;
    if (c) {
      const size = typeSize(this.types.typeOf(die)) || die.unit.addressSize;
      if (c.value instanceof Uint8Array) return { kind: 'constant', bytes: c.value };
      if (typeof c.value === 'string') {
        const bytes: number[] = [];
        for (const ch of c.value) bytes.push(ch.charCodeAt(0) & 0xff);
        return { kind: 'constant', bytes: Uint8Array.from([...bytes, 0]) };
      }
      if (typeof c.value === 'number' || typeof c.value === 'bigint') {
        // data forms are unsigned; sdata/implicit_const are signed: two's complement covers both.
        let v = BigInt(c.value);
        const out = new Uint8Array(Math.max(1, Math.min(size, 16)));
        for (let i = 0; i < out.length; i++) { out[i] = Number(BigInt.asUintN(8, v)); v >>= 8n; }
        return { kind: 'constant', bytes: out };
      }
    }
    return { kind: 'optimised-out' };
  }

  /** The frame base expression of a function DIE at pc (DW_AT_frame_base, possibly a list). */
  frameBaseOf(fn: Die, pc: number): Uint8Array | undefined {
    const a = fn.attr(AT.frame_base);
    if (!a) return undefined;
    if (a.value instanceof Uint8Array) return a.value;
    try {
      if (isLocListForm(fn.unit, a)) {
        const list = readLocList(fn.unit, a);
        return list.entries.find((e) => pc >= e.start && pc < e.end)?.expr ?? list.defaultExpr;
      }
    } catch (e) {
      this.info.warnings.caught(SECTION.info, fn.offset, `frame base of DIE ${hex(fn.offset)}`, e);
    }
    return undefined;
  }

  variable(die: Die, kind: VariableInfo['kind'], frameBase?: Uint8Array): VariableInfo {
    const type = this.types.typeOf(die);
    return {
      name: this.info.name(die),
      kind,
      type,
      typeName: typeName(type),
      size: typeSize(type),
      decl: this.functions.declOf(die),
      location: this.locationOf(die, frameBase),
      dieOffset: die.offset,
    };
  }

  // ---- globals and statics ---------------------------------------------------------------

  globals(): GlobalVariable[] {
    if (this.globalList) return this.globalList;
    const out: GlobalVariable[] = [];
    for (const unit of this.info.units) {
      const root = unit.root();
      if (!root || root.tag === TAG.type_unit) continue;
      const unitName = this.info.name(root);
      walk(root, (d) => {
        if (d.tag === TAG.variable) {
          const g = this.global(d, unitName);
          if (g) out.push(g);
          return false;
        }
        return d.tag === TAG.subprogram || d.tag === TAG.lexical_block || d.tag === TAG.namespace;
      });
    }
    this.globalList = out;
    return out;
  }

  private global(d: Die, unitName: string): GlobalVariable | undefined {
    const loc = d.attr(AT.location);
    if (!loc || !(loc.value instanceof Uint8Array)) return undefined;
    const address = staticAddress(d, loc.value);
    const tls = isTls(loc.value);
    if (address === undefined && !tls) return undefined; // a local living in a register or on the stack
    if (address !== undefined && !this.hasStorage(address)) return undefined;
    let fn: Die | null = d.parent;
    while (fn && fn.tag !== TAG.subprogram) fn = fn.parent;
    const scope = fn ? this.info.name(fn) || undefined : undefined;
    const v = this.variable(d, fn ? 'static' : this.info.flag(d, AT.external) ? 'global' : 'static');
    return { ...v, qualifiedName: scope ? `${scope}::${v.name}` : v.name, address, scope, unitName };
  }

  /**
   * A global or static by name; `function::name` for a static inside a function. An external
   * definition wins over a file-level static, which wins over a function static.
   */
  findVariable(name: string): GlobalVariable | null {
    const all = this.globals();
    const sep = name.lastIndexOf('::');
    if (sep >= 0) {
      const scope = name.slice(0, sep);
      const base = name.slice(sep + 2);
      return all.find((g) => g.scope === scope && g.name === base) ?? null;
    }
    const named = all.filter((g) => g.name === name);
    return named.find((g) => g.kind === 'global') ?? named.find((g) => g.kind === 'static' && !g.scope) ?? named[0] ?? null;
  }

  // ---- locals ------------------------------------------------------------------------------

  /** Scopes in effect at pc, innermost first, with their parameters and variables. */
  scopesAt(pc: number): Scope[] {
    const chain = this.functions.scopesAt(pc);
    if (chain.length === 0) return [];
    const frameBase = this.frameBaseOf(chain[0]!.die, pc);
    const out: Scope[] = [];
    for (let i = chain.length - 1; i >= 0; i--) out.push(this.scope(chain[i]!, frameBase));
    return out;
  }

  private scope(node: ScopeNode, frameBase: Uint8Array | undefined): Scope {
    const vars: VariableInfo[] = [];
    const concreteOrigins = new Set<number>();
    for (const c of node.die.children) {
      if (c.tag !== TAG.variable && c.tag !== TAG.formal_parameter) continue;
      const origin = c.attr(AT.abstract_origin);
      if (origin && typeof origin.value === 'number') concreteOrigins.add(origin.value);
      if (c.tag === TAG.variable && this.info.flag(c, AT.declaration) && !c.has(AT.location)) continue; // extern declarations
      vars.push(this.local(c, frameBase));
    }
    // Variables of the abstract instance that this concrete instance dropped: optimised out.
    const abstract = this.info.ref(node.die, AT.abstract_origin);
    if (abstract) {
      for (const c of abstract.children) {
        if ((c.tag !== TAG.variable && c.tag !== TAG.formal_parameter) || concreteOrigins.has(c.offset)) continue;
        if (c.has(AT.location)) { vars.push(this.local(c, frameBase)); continue; } // statics live in the abstract instance
        const v = this.variable(c, c.tag === TAG.formal_parameter ? 'parameter' : 'local');
        vars.push({ ...v, location: { kind: 'optimised-out' } });
      }
    }
    const name = node.kind === 'block' ? undefined : this.info.name(node.die) || undefined;
    return { kind: node.kind, name, ranges: node.ranges, variables: vars };
  }

  private local(c: Die, frameBase: Uint8Array | undefined): VariableInfo {
    const loc = c.attr(AT.location);
    const isStatic = c.tag === TAG.variable && loc?.value instanceof Uint8Array && staticAddress(c, loc.value) !== undefined;
    return this.variable(c, c.tag === TAG.formal_parameter ? 'parameter' : isStatic ? 'static' : 'local', frameBase);
  }
}

/** The address of a variable whose location is exactly DW_OP_addr/DW_OP_addrx (static storage). */
export function staticAddress(die: Die, expr: Uint8Array): number | undefined {
  if (expr.length === 0) return undefined;
  const r = new ByteReader(expr, 'expression');
  try {
    const op = r.u8();
    let addr: number;
    if (op === OP.addr) addr = r.uN(die.unit.addressSize);
    else if (op === OP.addrx || op === OP.GNU_addr_index) addr = die.unit.addressIndex(r.uleb());
    else return undefined;
    return r.atEnd ? addr : undefined;
  } catch {
    return undefined;
  }
}

function isTls(expr: Uint8Array): boolean {
  const last = expr[expr.length - 1];
  return last === OP.form_tls_address || last === OP.GNU_push_tls_address;
}

