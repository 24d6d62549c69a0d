// C type names the way gdb prints them (gdb/c-typeprint.c), so the UI reads like gdb and tests
// can use gdb as the oracle. gdb's `show` level decides how much is spelled out:
//   show < 0  `whatis`: names only; an anonymous struct is "struct {...}"
//   show = 0  declarations (`info variables`, struct members): names, but anonymous aggregates
//             are printed with their bodies
//   show > 0  `ptype`: typedefs at the base resolved, struct/union/enum bodies printed, their
//             members at show - 1.
// Spacing follows gdb: "uint32_t [32]", "char *p", "const char * const[4]", "int (*)(char)".

import type { Member, Type } from './types.js';

type Qualifier = 'const' | 'volatile' | 'restrict' | 'atomic';
const QUAL_ORDER: Qualifier[] = ['const', 'volatile', 'restrict', 'atomic'];
const qualText = (q: Qualifier): string => (q === 'atomic' ? '_Atomic' : q);

/** gdb `whatis`: the type's name, with `name` (a variable) in declarator position if given. */
export function typeName(t: Type, name = ''): string {
  return declaration(t, name, -1, 0);
}

/** A declaration as gdb lists it (`info variables`, struct members): anonymous aggregates spelled out. */
export function declarationText(t: Type, name: string, indent = 0): string {
  return declaration(t, name, 0, indent);
}

/** gdb `ptype` (without the "type = " prefix). */
export function ptypeText(t: Type, name = ''): string {
  return declaration(t, name, 1, 0);
}

function declaration(t: Type, name: string, show: number, indent: number): string {
  const { base, decl } = split(t, name, [], show, indent, 0);
  return decl === '' ? base : `${base} ${decl}`;
}

function split(t: Type, inner: string, quals: Qualifier[], show: number, indent: number, depth: number): { base: string; decl: string } {
  if (depth > 64) return { base: '<recursive type>', decl: inner };
  const q = [...quals];
  while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') {
    if (!q.includes(t.kind)) q.push(t.kind);
    t = t.target;
  }
  if (show > 0 && t.kind === 'typedef') {
    // ptype looks through typedefs at the base of the declarator (check_typedef), keeping qualifiers.
    return split(t.target, inner, q, show, indent, depth + 1);
  }
  const sortedQuals = QUAL_ORDER.filter((x) => q.includes(x)).map(qualText);
  switch (t.kind) {
    case 'pointer': {
      const qs = sortedQuals.join(' ');
      // A space separates trailing qualifiers from a name or another '*', not from "[4]" or "(...)".
      const sep = qs && /^[A-Za-z_*&]/.test(inner) ? ' ' : '';
      let d = (t.reference ? '&' : '*') + (qs ? ` ${qs}` : '') + sep + inner;
      const target = stripQuals(t.target);
      if (target.kind === 'array' || target.kind === 'function') d = `(${d})`;
      return split(t.target, d, [], show, indent, depth + 1);
    }
    case 'array': {
      const dims = t.counts.map((c) => `[${c ?? ''}]`).join('');
      // Qualifiers of an array type apply to its elements (C11 6.7.3p9).
      return split(t.element, inner + dims, q, show, indent, depth + 1);
    }
    case 'function': {
      const params = t.params.map((p) => typeName(p));
      if (t.varargs) params.push('...');
      const list = params.length === 0 ? (t.prototyped ? 'void' : '') : params.join(', ');
      return split(t.returnType, `${inner}(${list})`, [], show, indent, depth + 1);
    }
    default: {
      const name = baseName(t, show, indent);
      return { base: sortedQuals.length ? `${sortedQuals.join(' ')} ${name}` : name, decl: inner };
    }
  }
}

function stripQuals(t: Type): Type {
  while (t.kind === 'const' || t.kind === 'volatile' || t.kind === 'restrict' || t.kind === 'atomic') t = t.target;
  return t;
}

function baseName(t: Type, show: number, indent: number): string {
  switch (t.kind) {
    case 'void': return 'void';
    case 'base': return t.name;
    case 'typedef': return t.name;
    case 'unknown': return t.name;
    case 'struct': case 'union': case 'class': {
      const head = t.name ? `${t.kind} ${t.name}` : t.kind;
      if (show <= 0 && t.name) return head;
      if (show < 0) return `${head} {...}`;
      if (t.declaration && t.members.length === 0) return `${head} {\n${pad(indent + 4)}<incomplete type>\n${pad(indent)}}`;
      return `${head} {\n${membersText(t.members, show - 1, indent + 4)}${pad(indent)}}`;
    }
    case 'enum': {
      const head = t.name ? `enum ${t.name}` : 'enum';
      if (show <= 0 && t.name) return head;
      if (show < 0) return `${head} {...}`;
      let next = 0n;
      const items = t.enumerators.map((e) => {
        const s = e.value === next ? e.name : `${e.name} = ${e.value}`;
        next = e.value + 1n;
        return s;
      });
      return `${head} {${items.join(', ')}}`;
    }
    default: return typeName(t);
  }
}

function membersText(members: readonly Member[], show: number, indent: number): string {
  let out = '';
  for (const m of members) {
    const bits = m.bitSize !== undefined ? ` : ${m.bitSize}` : '';
    out += `${pad(indent)}${declaration(m.type, m.name ?? '', show, indent)}${bits};\n`;
  }
  return out;
}

const pad = (n: number): string => ' '.repeat(n);
