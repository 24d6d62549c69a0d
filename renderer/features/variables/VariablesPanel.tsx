// Variables of the selected frame (parameters and locals, innermost scope first) and the globals,
// typed and expandable as gdb prints them. Each one in memory has "Previous write" / "Next
// write" (the Writes panel's action); one that is not (a register, a constant, optimised out)
// says so.

import { useState } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { hexAddr } from '../../components/format.js';
import { useStore } from '../../store/index.js';
import { sourceSelectors } from '../../store/selectors.js';
import { refKey } from '../../store/variables-slice.js';
import type { VariableDto } from '../../../app/protocol/index.js';

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
  const kids = node?.children ?? null;
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
    </>
  );
}
