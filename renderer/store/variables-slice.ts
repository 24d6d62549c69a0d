// Variables of the selected frame and the globals, as value trees. The list has the roots only;
// expanding a node asks the host for its children (expandVariable) and keeps the node expanded
// across moves (its children are asked for again at the new position). An array longer than
// ELEMENT_GROUP shows groups of elements ([0 … 99], ...); opening a group asks for its elements.

import type { VariableDto, VariableRef, VariablesDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

/** Elements a group of a long array shows; longer arrays are shown as groups of groups. */
export const ELEMENT_GROUP = 100;

export interface ElementRange { readonly from: number; readonly count: number }

export interface VariablesSlice {
  variables: VariablesDto | null;
  /** Expanded nodes by expansionKey: their answer (with children), or 'loading'. */
  expandedVariables: Readonly<Record<string, VariableDto | 'loading'>>;
  /** Opens or closes a node, or (`elements`) a group of an array's elements. */
  toggleVariable(ref: VariableRef, elements?: ElementRange): Promise<void>;
  /** Asks again for every expanded node (after a move: same nodes, new values); drops those gone. */
  refreshExpanded(): Promise<void>;
  /** Hover in the source: the value of a C lvalue in the selected frame (or why not). */
  evaluateHover(expr: string): Promise<{ ok: true; value: VariableDto } | { ok: false; message: string }>;
  /** "Previous write" / "Next write" of a variable node (through the Writes panel's action). */
  variableWrite(v: VariableDto, direction: 'previous' | 'next'): void;
}

export const refKey = (r: VariableRef): string => `${r.root}/${r.path.join('.')}`;

/** The key of an expansion: a node, or a group of its elements ("g:buf/@100+100"). */
export const expansionKey = (r: VariableRef, elements?: ElementRange): string =>
  elements ? `${refKey(r)}@${elements.from}+${elements.count}` : refKey(r);

function parseExpansionKey(key: string): { ref: VariableRef; elements?: ElementRange } {
  const at = key.lastIndexOf('@');
  const node = at < 0 ? key : key.slice(0, at);
  const slash = node.lastIndexOf('/');
  const path = node.slice(slash + 1);
  const ref = { root: node.slice(0, slash), path: path === '' ? [] : path.split('.').map(Number) };
  if (at < 0) return { ref };
  const [from, count] = key.slice(at + 1).split('+').map(Number);
  return { ref, elements: { from: from!, count: count! } };
}

export const createVariablesSlice: SliceCreator<VariablesSlice> = (set, get) => ({
  variables: null,
  expandedVariables: {},

  async toggleVariable(ref, elements) {
    const key = expansionKey(ref, elements);
    const cur = { ...get().expandedVariables };
    if (cur[key] !== undefined) {
      delete cur[key];
      set({ expandedVariables: cur });
      return;
    }
    set({ expandedVariables: { ...cur, [key]: 'loading' } });
    try {
      const node = await host().call('expandVariable', elements ? { ref, elements } : { ref });
      if (get().expandedVariables[key] === 'loading') set({ expandedVariables: { ...get().expandedVariables, [key]: node } });
    } catch (e) {
      const rest = { ...get().expandedVariables };
      delete rest[key];
      set({ expandedVariables: rest });
      get().reportError(e, 'Cannot expand the variable');
    }
  },

  async refreshExpanded() {
    const keys = Object.keys(get().expandedVariables);
    const answers = await Promise.all(keys.map(async (key) => {
      try {
        return [key, await host().call('expandVariable', parseExpansionKey(key))] as const;
      } catch {
        return [key, null] as const; // a local of a frame that is not there any more
      }
    }));
    const next: Record<string, VariableDto> = {};
    for (const [key, node] of answers) if (node && get().expandedVariables[key] !== undefined) next[key] = node;
    set({ expandedVariables: next });
  },

  async evaluateHover(expr) {
    try {
      return { ok: true, value: await host().call('evaluate', { expr, frame: get().selectedFrame }) };
    } catch (e) {
      return { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
  },

  variableWrite(v, direction) {
    if (v.address === undefined) {
      get().reportError(new Error(`${v.name} is not in memory (a register, a constant or optimised out): no write to look for`), `No ${direction} write`);
      return;
    }
    const expr = `0x${v.address.toString(16)}:${v.size}`;
    get().setWriteExpr(expr);
    void get().findWrite(expr, direction, v.name);
  },
});
