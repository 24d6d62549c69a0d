// Variables of the selected frame and the globals, as value trees. The list has the roots only;
// expanding a node asks the host for its children (expandVariable) and keeps the node expanded
// across moves (its children are asked for again at the new position).

import type { VariableDto, VariableRef, VariablesDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export interface VariablesSlice {
  variables: VariablesDto | null;
  /** Expanded nodes by refKey: their answer (with children), or 'loading'. */
  expandedVariables: Readonly<Record<string, VariableDto | 'loading'>>;
  toggleVariable(ref: VariableRef): Promise<void>;
  /** Asks again for every expanded node (after a move: same nodes, new values); drops those gone. */
  refreshExpanded(): Promise<void>;
  /** Hover in the source: the value of a C lvalue in the selected frame (or why not). */
  evaluateHover(expr: string): Promise<{ ok: true; value: VariableDto } | { ok: false; message: string }>;
  /** "Previous write" / "Next write" of a variable node (through the Writes panel's action). */
  variableWrite(v: VariableDto, direction: 'previous' | 'next'): void;
}

export const refKey = (r: VariableRef): string => `${r.root}/${r.path.join('.')}`;

export const createVariablesSlice: SliceCreator<VariablesSlice> = (set, get) => ({
  variables: null,
  expandedVariables: {},

  async toggleVariable(ref) {
    const key = refKey(ref);
    const cur = { ...get().expandedVariables };
    if (cur[key] !== undefined) {
      delete cur[key];
      set({ expandedVariables: cur });
      return;
    }
    set({ expandedVariables: { ...cur, [key]: 'loading' } });
    try {
      const node = await host().call('expandVariable', { ref });
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
      const [root, path] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
      try {
        return [key, await host().call('expandVariable', { ref: { root, path: path === '' ? [] : path.split('.').map(Number) } })] as const;
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
