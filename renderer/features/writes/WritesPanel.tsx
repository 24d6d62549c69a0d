// "Who wrote this?": the previous (or next) write to an address range or a variable, with the old
// and new bytes; the answer's position is jumped to (the writing instruction is then at the pc).

import { useMemo } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import { grouped, hexAddr } from '../../components/format.js';
import { useStore } from '../../store/index.js';
import { DmaOrigin } from './DmaOrigin.js';

export function WritesPanel() {
  const symbols = useStore((s) => s.symbols);
  const query = useStore((s) => s.writeQuery);
  const ready = useStore((s) => s.state !== null);
  const findWrite = useStore((s) => s.findWrite);
  const seekTo = useStore((s) => s.seekTo);
  const expr = useStore((s) => s.writeExpr);
  const setExpr = useStore((s) => s.setWriteExpr);
  const objects = useMemo(() => symbols.filter((s) => s.kind === 'object' && s.size > 0), [symbols]);

  const ask = (direction: 'previous' | 'next') => {
    if (expr.trim()) void findWrite(expr.trim(), direction);
  };
  return (
    <Panel title="Writes" testId="writes">
      <div className="writes-form">
        <input
          aria-label="Write address"
          list="object-symbols"
          placeholder="variable, 0xADDR or 0xADDR:LEN"
          value={expr}
          onChange={(e) => setExpr(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') ask(e.shiftKey ? 'next' : 'previous'); }}
        />
        <datalist id="object-symbols">
          {objects.map((s) => <option key={`${s.name}@${s.addr}`} value={s.name}>{`${hexAddr(s.addr)}, ${s.size} bytes`}</option>)}
        </datalist>
        <button type="button" disabled={!ready} onClick={() => ask('previous')} data-testid="previous-write">◀ Previous write</button>
        <button type="button" disabled={!ready} onClick={() => ask('next')} data-testid="next-write">Next write ▶</button>
      </div>
      {!query ? <Missing>name a variable or a range, then ask who wrote it</Missing> : (
        <div className="write-answer" data-testid="write-answer" data-direction={query.direction} data-found={query.answer.found} data-icount={query.answer.found ? query.answer.icount : ''}>
          <div className="dim">
            {query.direction} write to {query.label ?? query.range.symbol ?? hexAddr(query.range.addr)} ({hexAddr(query.range.addr)}, {query.range.len} byte{query.range.len === 1 ? '' : 's'})
            {query.direction === 'previous' ? ' before' : ' at or after'} icount {grouped(query.at)}
          </div>
          {query.answer.found ? (
            <>
              <div>
                <button type="button" className="link" onClick={() => query.answer.found && seekTo(query.answer.icount)}>icount {grouped(query.answer.icount)}</button>
                {' '}by the {query.answer.writer === 'cpu' ? 'instruction' : 'DMA'} at <span className="mono" data-testid="write-pc">{hexAddr(query.answer.pc)}</span>
              </div>
              <div className="mono">old {query.answer.old}</div>
              <div className="mono">new {query.answer.new}</div>
              {query.answer.writer === 'dma' ? <DmaOrigin dma={query.answer.dma} /> : null}
            </>
          ) : <div>no such write in the recording</div>}
        </div>
      )}
    </Panel>
  );
}
