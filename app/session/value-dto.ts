// Value trees of app/debuginfo (ValueNode, which holds DWARF types) to the protocol's VariableDto:
// plain JSON, each node named by a VariableRef (root + child indexes) so the UI can ask for more
// levels, and with the memory range it occupies so the UI can ask who wrote it.

import type { VariableDto, VariableRef } from '../protocol/source-dto.js';
import { typeSize } from '../debuginfo/index.js';
import type { ValueNode, VariableInfo } from '../debuginfo/index.js';

/**
 * `firstChild`: the index of the node's first child (an array's children are a window of its
 * elements; below it, windows start at 0).
 */
export function toVariableDto(node: ValueNode, ref: VariableRef, root?: VariableInfo, firstChild = 0): VariableDto {
  const size = typeSize(node.type);
  const children = node.children?.map((c, i) => toVariableDto(c, { root: ref.root, path: [...ref.path, firstChild + i] }));
  return {
    name: node.name, typeName: node.typeName, display: node.display, size, ref,
    // Zero-sized things (flexible arrays, void) have no range to ask about.
    ...(node.address !== undefined && size > 0 ? { address: node.address >>> 0 } : {}),
    ...(children ? { children } : {}),
    expandable: node.expandable,
    ...(node.elementCount !== undefined ? { elementCount: node.elementCount } : {}),
    ...(root ? { kind: root.kind, decl: { file: root.decl.file ?? null, line: root.decl.line ?? null } } : {}),
  };
}
