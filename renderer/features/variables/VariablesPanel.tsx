// Variables of the selected frame (parameters and locals, innermost scope first) and the globals,
// typed and expandable as gdb prints them. Each one in memory has "Previous write" / "Next
// write" (the Writes panel's action); one that is not (a register, a constant, optimised out)
// says so.

import { useState } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { hexAddr } from '../../components/format.js';
import { useStore } from '../../store/index.js';
import { sourceSelectors } from '../../store/selectors.js';
import { ELEMENT_GROUP, expansionKey, refKey, type ElementRange } from '../../store/variables-slice.js';
import type { VariableDto, VariableRef } from '../../../app/protocol/index.js';

export function VariablesPanel() {
  const vars = useStore((s) => s.variables);
  const frame = useStore((s) => s.stack?.frames[s.selectedFrame] ?? null);
  const [showGlobals, setShowGlobals] = useState(true);
  const behind = useStore(sourceSelectors.detailBehind);
  if (!vars) return <Panel title="Variables" testId="variables" className="panel-variables"><Missing>no machine state yet</Missing></Panel>;
  const title = frame ? `Variables: #${vars.frame} ${frame.function ?? '??'}` : 'Variables';
  const locals = vars.scopes.flatMap((s) => s.variables);
  return (
    <Panel title={title} testId="variables" className={`panel-variables${behind ? ' behind' : ''}`} actions={vars.note ? <span className="dim" data-testid="variables-note">{vars.note}</span> : null}>
      <table className="vars" data-testid="variables-table" data-frame={vars.frame}>
        <tbody>
          {vars.scopes.map((scope, i) => (
            scope.variables.length === 0 ? null : [
              i > 0 ? <tr key={`s${i}`} className="vars-scope"><td colSpan={3}>{scope.kind === 'block' ? 'block' : scope.name ?? scope.kind}</td></tr> : null,
              ...scope.variables.map((v) => <VariableRow key={refKey(v.ref)} v={v} depth={0} />),
            ]
          ))}
          {locals.length === 0 && !vars.note ? <tr><td colSpan={3} className="dim">no locals</td></tr> : null}
          {vars.globals.length > 0 ? (
            <tr className="vars-scope vars-globals" onClick={() => setShowGlobals(!showGlobals)}>
              <td colSpan={3}>{showGlobals ? '▾' : '▸'} globals ({vars.globals.length})</td>
            </tr>
          ) : null}
          {showGlobals ? vars.globals.map((v) => <VariableRow key={refKey(v.ref)} v={v} depth={0} />) : null}
        </tbody>
      </table>
    </Panel>
  );
}

function VariableRow(props: { v: VariableDto; depth: number }) {
  const { v, depth } = props;
  const key = refKey(v.ref);
  const expanded = useStore((s) => s.expandedVariables[key]);
  const toggle = useStore((s) => s.toggleVariable);
  const write = useStore((s) => s.variableWrite);
  const canExpand = v.expandable || (v.children?.length ?? 0) > 0;
  const node = expanded && expanded !== 'loading' ? expanded : null;
  // A long array shows groups of its elements; a short one (or anything else) its children.
  const grouped = node !== null && node.elementCount !== undefined && node.elementCount > ELEMENT_GROUP;
  const kids = grouped ? null : node?.children ?? null;
  const title = v.address !== undefined ? `${hexAddr(v.address)}, ${v.size} bytes` : 'not in memory (a register, a constant, or optimised out)';
  return (
    <>
      <tr className="var-row" data-testid="variable" data-name={v.name} data-ref={key} data-address={v.address ?? ''}>
        <td className="var-name mono" style={{ paddingLeft: 4 + depth * 12 }} title={title}>
          {canExpand ? (
            <button type="button" className="twisty" aria-label={expanded ? 'collapse' : 'expand'} onClick={() => { void toggle(v.ref); }}>
              {expanded ? '▾' : '▸'}
            </button>
          ) : <span className="twisty-space" />}
          {v.name}
        </td>
        <td className="var-value mono" title={`${v.typeName}\n${title}`}>
          <span className="var-display" data-testid="variable-value">{node?.display ?? v.display}</span>
          <span className="var-type dim"> {v.typeName}</span>
        </td>
        <td className="var-actions">
          {v.address !== undefined ? (
            <>
              <button type="button" className="mini" title="Previous write" data-testid="var-previous-write" onClick={() => write(v, 'previous')}>◀</button>
              <button type="button" className="mini" title="Next write" data-testid="var-next-write" onClick={() => write(v, 'next')}>▶</button>
            </>
          ) : null}
        </td>
      </tr>
      {expanded === 'loading' ? <tr><td colSpan={3} className="dim" style={{ paddingLeft: 16 + depth * 12 }}>…</td></tr> : null}
      {kids?.map((c) => <VariableRow key={refKey(c.ref)} v={c} depth={depth + 1} />)}
      {node && node.expandable && kids ? <tr><td colSpan={3} className="dim" style={{ paddingLeft: 16 + depth * 12 }}>… more elements not shown</td></tr> : null}
      {grouped ? <ElementGroups node={v.ref} range={{ from: 0, count: node.elementCount! }} depth={depth + 1} /> : null}
    </>
  );
}

/**
 * `range` of an array's elements as groups of ELEMENT_GROUP ([0 … 99], [100 … 199], ...), or of
 * ELEMENT_GROUP groups where there would be more than ELEMENT_GROUP of them (as debuggers show a
 * 262,144-element buffer: [0 … 9999] holds [0 … 99], ...).
 */
function ElementGroups(props: { node: VariableRef; range: ElementRange; depth: number }) {
  const { node, range, depth } = props;
  let span = ELEMENT_GROUP;
  while (range.count / span > ELEMENT_GROUP) span *= ELEMENT_GROUP;
  const groups: ElementRange[] = [];
  for (let from = range.from; from < range.from + range.count; from += span) groups.push({ from, count: Math.min(span, range.from + range.count - from) });
  return <>{groups.map((g) => <ElementGroupRow key={g.from} node={node} range={g} depth={depth} />)}</>;
}

function ElementGroupRow(props: { node: VariableRef; range: ElementRange; depth: number }) {
  const { node, range, depth } = props;
  const leaf = range.count <= ELEMENT_GROUP;
  // A group of elements is asked for (and kept open across moves) in the store; a group of groups is only a fold.
  const answer = useStore((s) => (leaf ? s.expandedVariables[expansionKey(node, range)] : undefined));
  const toggle = useStore((s) => s.toggleVariable);
  const [folded, setFolded] = useState(true);
  const open = leaf ? answer !== undefined : !folded;
  const label = `[${range.from} … ${range.from + range.count - 1}]`;
  return (
    <>
      <tr className="var-row var-group" data-testid="variable-group" data-range={label}>
        <td className="var-name mono" colSpan={3} style={{ paddingLeft: 4 + depth * 12 }}>
          <button type="button" className="twisty" aria-label={open ? 'collapse' : 'expand'}
            onClick={() => { if (leaf) void toggle(node, range); else setFolded(!folded); }}>
            {open ? '▾' : '▸'}
          </button>
          <span className="dim">{label}</span>
        </td>
      </tr>
      {leaf && answer === 'loading' ? <tr><td colSpan={3} className="dim" style={{ paddingLeft: 16 + depth * 12 }}>…</td></tr> : null}
      {leaf && answer && answer !== 'loading' ? answer.children?.map((c) => <VariableRow key={refKey(c.ref)} v={c} depth={depth + 1} />) : null}
      {!leaf && open ? <ElementGroups node={node} range={range} depth={depth + 1} /> : null}
    </>
  );
}
