// Expanding variables in the store: nodes and groups of an array's elements, asked for and kept
// open across moves.

import { describe, expect, it } from 'vitest';
import type { VariableDto, VariableRef } from '../../app/protocol/index.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { expansionKey } from './variables-slice.js';

const buf: VariableRef = { root: 'g:buf', path: [] };

function dto(ref: VariableRef, from: number, count: number, generation: number): VariableDto {
  return {
    name: 'buf', typeName: 'uint8_t [512]', display: '…', size: 512, ref, expandable: true, elementCount: 512,
    children: Array.from({ length: count }, (_, i) => ({
      name: `[${from + i}]`, typeName: 'uint8_t', display: String(generation), size: 1, ref: { root: ref.root, path: [...ref.path, from + i] }, expandable: false,
    })),
  };
}

describe('variables slice', () => {
  it('asks for a group of elements, keeps it under its own key, and asks for it again after a move', async () => {
    const asked: unknown[] = [];
    let generation = 1;
    setHost(fakeBridge((method, params: { ref: VariableRef; elements?: { from: number; count: number } }) => {
      if (method !== 'expandVariable') return Promise.reject(new Error(`unexpected ${method}`));
      asked.push(params);
      const w = params.elements ?? { from: 0, count: 100 };
      return Promise.resolve(dto(params.ref, w.from, w.count, generation));
    }));
    const store = createHindsightStore();
    await store.getState().toggleVariable(buf);
    await store.getState().toggleVariable(buf, { from: 400, count: 100 });
    expect(asked).toEqual([{ ref: buf }, { ref: buf, elements: { from: 400, count: 100 } }]);
    const group = store.getState().expandedVariables[expansionKey(buf, { from: 400, count: 100 })] as VariableDto;
    expect(group.children!.map((c) => c.name)).toEqual(Array.from({ length: 100 }, (_, i) => `[${400 + i}]`));
    // After a move both are asked for again, the group with its window.
    generation = 2;
    asked.length = 0;
    await store.getState().refreshExpanded();
    expect(asked).toEqual(expect.arrayContaining([{ ref: buf }, { ref: buf, elements: { from: 400, count: 100 } }]));
    expect(asked).toHaveLength(2);
    const again = store.getState().expandedVariables[expansionKey(buf, { from: 400, count: 100 })] as VariableDto;
    expect(again.children![0]!.display).toBe('2');
    // Closing the group leaves the node open.
    await store.getState().toggleVariable(buf, { from: 400, count: 100 });
    expect(Object.keys(store.getState().expandedVariables)).toEqual([expansionKey(buf)]);
  });
});
