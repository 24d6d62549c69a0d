// The call stack at the position, innermost first (inlined calls are frames of their own, as in
// gdb). Clicking a frame selects it: Variables and Source follow.

import { useEffect, useRef } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { hexAddr } from '../../components/format.js';
import { useStore } from '../../store/index.js';
import { sourceSelectors } from '../../store/selectors.js';

export function CallStackPanel() {
  const stack = useStore((s) => s.stack);
  const selected = useStore((s) => s.selectedFrame);
  const select = useStore((s) => s.selectFrame);
  const behind = useStore(sourceSelectors.detailBehind);
  const current = useRef<HTMLTableRowElement>(null);
  // A frame selected from elsewhere (a DMA write's request) must be visible here too.
  useEffect(() => { current.current?.scrollIntoView({ block: 'nearest' }); }, [selected, stack]);
  if (!stack) return <Panel title="Call stack" testId="callstack" className="panel-callstack"><Missing>no machine state yet</Missing></Panel>;
  return (
    <Panel title="Call stack" testId="callstack" className={`panel-callstack${behind ? ' behind' : ''}`} actions={stack.note ? <span className="dim" data-testid="callstack-note">{stack.note}</span> : null}>
      {stack.frames.length === 0 ? <Missing>{stack.note ?? 'no frames'}</Missing> : (
        <table className="frames">
          <tbody>
            {stack.frames.map((f) => (
              <tr
                key={f.index}
                ref={f.index === selected ? current : undefined}
                className={f.index === selected ? 'selected' : ''}
                onClick={() => { void select(f.index); }}
                data-testid="frame"
                data-index={f.index}
                data-function={f.function ?? ''}
                title={`found by ${f.method}`}
              >
                <td className="frame-index">#{f.index}</td>
                <td className="frame-fn mono">{f.function ?? '??'}{f.inlined ? <span className="dim"> (inlined)</span> : null}</td>
                <td className="frame-loc mono dim">{f.location ? `${f.location.file.split('/').pop()}:${f.location.line}` : hexAddr(f.pc)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
