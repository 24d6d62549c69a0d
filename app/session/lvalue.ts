// The C expressions a hover or a click in the source names: an identifier followed by member
// accesses and constant indexes (`dev->desc.idVendor`, `devices[0].config`). Nothing that would
// compute (no calls, no arithmetic): what is under the mouse is a place in memory or a register.

import { SessionError } from './errors.js';

export type Accessor =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'arrow'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number };

export interface Lvalue {
  readonly name: string;
  readonly accessors: readonly Accessor[];
}

const MAX_ACCESSORS = 16;

export function parseLvalue(expr: string): Lvalue {
  const text = expr.replace(/\s+/g, '');
  const bad = (why: string): never => { throw new SessionError('bad-request', `"${expr}" ${why}`); };
  const id = /^[A-Za-z_]\w*/.exec(text);
  if (!id) return bad('is not a variable name (NAME, then .member, ->member or [index])');
  const accessors: Accessor[] = [];
  let rest = text.slice(id[0].length);
  while (rest.length > 0) {
    if (accessors.length >= MAX_ACCESSORS) bad(`has more than ${MAX_ACCESSORS} accessors`);
    let m: RegExpExecArray | null;
    if ((m = /^\.([A-Za-z_]\w*)/.exec(rest))) accessors.push({ kind: 'member', name: m[1]! });
    else if ((m = /^->([A-Za-z_]\w*)/.exec(rest))) accessors.push({ kind: 'arrow', name: m[1]! });
    else if ((m = /^\[(0x[0-9a-fA-F]+|\d+)\]/.exec(rest))) accessors.push({ kind: 'index', index: Number(m[1]) });
    else return bad(`: cannot read "${rest}" (only .member, ->member and [constant] follow a name)`);
    rest = rest.slice(m[0].length);
  }
  return { name: id[0], accessors };
}
