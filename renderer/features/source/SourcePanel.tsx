// The source at the position: the selected frame's file with its line marked (frame 0: the pc's
// line), breakpoints in the gutter, hover for values, and a click on a variable for its value
// and "Previous write" / "Next write" (the Writes panel's action). Says plainly when there is no
// line (ROM, library code without sources), no DWARF, or the file is not on this machine; and where
// the text came from (the copy stored in the recording, or a file on this machine).

import { useEffect, useMemo, useState } from 'react';
import { Missing } from '../../components/Panel.js';
import { SourceEditor } from '../../editor/SourceEditor.js';
import { useStore } from '../../store/index.js';
import { sourceSelectors } from '../../store/selectors.js';
import type { VariableDto } from '../../../app/protocol/index.js';

interface Picked { readonly expr: string; readonly x: number; readonly y: number; readonly value: VariableDto | null; readonly error: string | null }

export function SourcePanel() {
  const shown = useStore(sourceSelectors.shown);
  // While scrubbing, the source stays at the last settled position (see scrubViewRequest).
  const behind = useStore(sourceSelectors.sourceBehind);
  const note = useStore((s) => s.sourceAt?.note ?? null);
  const pcLoc = useStore((s) => s.sourceAt?.location ?? null);
  const selectedFrame = useStore((s) => s.selectedFrame);
  const file = useStore((s) => (shown ? s.sourceFiles[shown.file] : undefined));
  const breakpoints = useStore((s) => s.breakpoints);
  const toggleLine = useStore((s) => s.toggleLineBreakpoint);
  const evaluateHover = useStore((s) => s.evaluateHover);
  const variableWrite = useStore((s) => s.variableWrite);
  const [picked, setPicked] = useState<Picked | null>(null);
  const load = useStore((s) => s.loadSourceFile);
  // A frame or a write's request can show a file no pc has been in yet: fetch it.
  useEffect(() => { if (shown && file === undefined) void load(shown.file); }, [shown, file, load]);

  const bpLines = useMemo(() => {
    if (!shown) return [];
    return [...new Set(breakpoints.filter((b) => b.line?.file === shown.file).map((b) => b.line!.line))];
  }, [breakpoints, shown]);

  if (!shown) return <Missing>{note ?? 'no source position yet'}</Missing>;
  const name = shown.file.split('/').pop();
  const header = (
    <div className={`source-header${behind ? ' behind' : ''}`} data-testid="source-location" data-file={shown.file} data-line={shown.line} data-behind={behind ? 'true' : undefined}>
      <span className="mono">{shown.file}:{shown.line}</span>
      {shown.function ? <span className="dim"> in {shown.function}</span> : null}
      {selectedFrame > 0 ? <span className="dim"> (frame {selectedFrame})</span> : null}
      {file !== undefined && file !== 'loading' && file.found ? (
        <span className="dim" data-testid="source-origin" data-origin={file.origin} title={file.note ?? file.hostPath ?? undefined}>
          {' · '}{file.origin === 'recording' ? 'from the recording' : `from ${file.hostPath ?? 'disk'}`}{file.note ? ` (${file.note})` : ''}
        </span>
      ) : null}
    </div>
  );
  if (file === undefined || file === 'loading') return <>{header}<Missing>loading {name}…</Missing></>;
  if (!file.found) {
    return (
      <>{header}
        <div className="missing" data-testid="source-missing">
          {file.reason}. Everything else replays without it; the line above is where the {selectedFrame > 0 ? 'frame' : 'pc'} is.
        </div>
      </>
    );
  }
  const pcHere = pcLoc !== null && pcLoc.file === shown.file && selectedFrame === 0;
  const act = (expr: string, action: 'click' | 'previous' | 'next', x: number, y: number) => {
    void evaluateHover(expr).then((r) => {
      if (action !== 'click') {
        if (r.ok) variableWrite(r.value, action);
        else useStore.getState().reportError(new Error(r.message), `No ${action} write for ${expr}`);
        return;
      }
      setPicked({ expr, x, y, value: r.ok ? r.value : null, error: r.ok ? null : r.message });
    });
  };
  return (
    <>
      {header}
      <div className={`source-body${behind ? ' behind' : ''}`} data-testid="source-body" data-pc-line={pcHere ? pcLoc.line : ''} data-mark-line={shown.line} data-file={shown.file}>
        <SourceEditor
          path={shown.file}
          text={file.text}
          pcLine={pcHere ? pcLoc.line : null}
          markLine={shown.line}
          revealLine={shown.line}
          breakpointLines={bpLines}
          codeLines={file.codeLines}
          onGutterClick={(line) => { void toggleLine(shown.file, line); }}
          hover={async (expr) => {
            const r = await evaluateHover(expr);
            if (!r.ok) return null;
            return [`\`${expr}\`: \`${r.value.typeName}\``, '```\n' + r.value.display + '\n```', 'Click it for previous / next write'];
          }}
          onVariable={act}
        />
        {picked ? <VariablePopup picked={picked} onClose={() => setPicked(null)} onWrite={(v, d) => { setPicked(null); variableWrite(v, d); }} /> : null}
      </div>
    </>
  );
}

function VariablePopup(props: { picked: Picked; onClose(): void; onWrite(v: VariableDto, d: 'previous' | 'next'): void }) {
  const { picked } = props;
  const v = picked.value;
  return (
    <div className="var-popup" data-testid="variable-popup" style={{ left: picked.x + 8, top: picked.y + 12 }} onMouseLeave={props.onClose}>
      <div className="mono"><b>{picked.expr}</b>{v ? <span className="dim"> {v.typeName}</span> : null}</div>
      {v ? <div className="mono var-popup-value" data-testid="variable-popup-value">{v.display}</div> : <div className="error-text">{picked.error}</div>}
      {v ? (
        v.address === undefined ? <div className="dim">not in memory: no writes to look for</div> : (
          <div className="var-popup-actions">
            <button type="button" data-testid="popup-previous-write" onClick={() => props.onWrite(v, 'previous')}>◀ Previous write</button>
            <button type="button" data-testid="popup-next-write" onClick={() => props.onWrite(v, 'next')}>Next write ▶</button>
            <button type="button" className="link" onClick={props.onClose}>close</button>
          </div>
        )
      ) : null}
    </div>
  );
}
