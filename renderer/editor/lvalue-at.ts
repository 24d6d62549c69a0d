// The C lvalue under the mouse in a line of source: the identifier at the column and the chain of
// `.member`, `->member` and `[constant]` to its left, as a debugger's hover reads it. Hovering
// `desc` in `dev->desc.idVendor` names `dev->desc`; hovering `idVendor` names all of it.

const IDENT = /[A-Za-z_]\w*/y;
const KEYWORDS = new Set([
  'if', 'else', 'for', 'while', 'do', 'switch', 'case', 'default', 'break', 'continue', 'return', 'goto', 'sizeof',
  'struct', 'union', 'enum', 'typedef', 'static', 'const', 'volatile', 'extern', 'inline', 'register', 'void', 'char',
  'short', 'int', 'long', 'unsigned', 'signed', 'float', 'double', 'bool', 'true', 'false', 'NULL',
]);

export interface LvalueAt {
  readonly expr: string;
  /** 1-based columns of the expression in the line, [start, end). */
  readonly startColumn: number;
  readonly endColumn: number;
}

/** The lvalue at 1-based `column` of `line`, or null (not on an identifier, a keyword, a call). */
export function lvalueAt(line: string, column: number): LvalueAt | null {
  const i = column - 1;
  if (i < 0 || i > line.length) return null;
  // The identifier containing i (or ending just before it).
  let s = i;
  while (s > 0 && /\w/.test(line[s - 1]!)) s--;
  let e = i;
  while (e < line.length && /\w/.test(line[e]!)) e++;
  if (s === e || !/[A-Za-z_]/.test(line[s]!)) return null;
  const word = line.slice(s, e);
  if (KEYWORDS.has(word)) return null;
  // A function call or a macro with arguments is not a variable.
  if (/^\s*\(/.test(line.slice(e)) && !/(\.|->)\s*$/.test(line.slice(0, s))) return null;
  // Walk left over accessors.
  let start = s;
  for (;;) {
    const before = line.slice(0, start);
    let m: RegExpExecArray | null;
    if ((m = /(\.|->)\s*$/.exec(before))) {
      const head = before.slice(0, m.index).replace(/\s+$/, '');
      const idx = /\[\s*(?:0x[0-9a-fA-F]+|\d+)\s*\]\s*$/.exec(head);
      const baseEnd = idx ? idx.index : head.length;
      const id = /[A-Za-z_]\w*$/.exec(head.slice(0, baseEnd).replace(/\s+$/, ''));
      if (!id) break;
      start = id.index;
      continue;
    }
    break;
  }
  IDENT.lastIndex = start;
  if (!IDENT.test(line)) return null;
  return { expr: line.slice(start, e).replace(/\s+/g, ''), startColumn: start + 1, endColumn: e + 1 };
}
