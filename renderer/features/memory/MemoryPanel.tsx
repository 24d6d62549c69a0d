// Memory as hex and ASCII over the whole 32-bit address space. Only the rows on screen exist; the
// store reads the window around them. Device and unmapped bytes show as "--" (the host does not
// read them: reads have effects). After a step, exactly the bytes the instruction wrote are
// highlighted (the host names them: a store of the value already there too, and DMA in that step
// apart); after any other move, the bytes that differ from the position shown before ("changed").
// The legend says which (memory-slice.ts decides, per byte).

import { useEffect, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { Panel, Missing } from '../../components/Panel.js';
import type { RamWriteDto } from '../../../app/protocol/index.js';
import { hex2, hex8 } from '../../components/format.js';
import { useClientSize } from '../../components/use-client-size.js';
import { useStore } from '../../store/index.js';
import { MEMORY_BYTES_PER_ROW, MEMORY_ROW_COUNT, byteAt, byteMark, type ByteMark } from '../../store/memory-slice.js';
import { memorySelectors } from '../../store/selectors.js';
import { ROW_HEIGHT, contentHeight, rowForKey, scrollTopFor, topRowAt, visibleRows, wheelRows } from './memory-scroll.js';

export function MemoryPanel() {
  const memory = useStore((s) => s.memory);
  const prev = useStore(memorySelectors.before);
  const memIcount = useStore((s) => s.memIcount);
  const prevIcount = useStore((s) => s.prevMemIcount);
  const diff = useStore(memorySelectors.diffKind);
  const writes = useStore(memorySelectors.writes);
  const writers = useStore(memorySelectors.writers);
  const label = useStore((s) => s.memLabel);
  const target = useStore((s) => s.memTarget);
  const top = useStore((s) => s.memTopRow);
  const ready = useStore((s) => s.state !== null);
  const icount = useStore((s) => s.state?.icount ?? null);
  const showMemory = useStore((s) => s.showMemory);
  const scrollMemory = useStore((s) => s.scrollMemory);
  const setWriteExpr = useStore((s) => s.setWriteExpr);
  const [expr, setExpr] = useState('');
  const scroller = useRef<HTMLDivElement | null>(null);
  // The viewport's height decides how many rows exist and how many are read.
  const viewH = useClientSize(scroller, 'height', 16 * ROW_HEIGHT, [ready]);
  /** The scroll offset we set last: a scroll event at another offset is the user's (thumb drag). */
  const setOffset = useRef<number>(-1);
  // Latest values for the native listeners below (registered once).
  const live = useRef({ top, viewH });
  live.current = { top, viewH };


  // Re-check the window after a resize, a move or a read (the store reads only what is missing).
  useEffect(() => {
    if (ready && memory !== null) scrollMemory(useStore.getState().memTopRow, visibleRows(viewH));
  }, [ready, viewH, icount, memory, scrollMemory]);

  // The scrollbar follows the top row (set by go-to, keys, the wheel).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const want = scrollTopFor(top, viewH);
    if (Math.round(el.scrollTop) !== want) { el.scrollTop = want; setOffset.current = el.scrollTop; }
  }, [top, viewH, ready]);

  // Wheel: rows, not scaled pixels (a notch would otherwise jump thousands of rows). Native and
  // non-passive so the page does not scroll too.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const { top: t, viewH: h } = live.current;
      scrollMemory(t + wheelRows(e.deltaY, e.deltaMode, h), visibleRows(h));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [ready, scrollMemory]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el || Math.round(el.scrollTop) === Math.round(setOffset.current)) return;
    setOffset.current = el.scrollTop;
    scrollMemory(topRowAt(el.scrollTop, viewH), visibleRows(viewH));
  };
  const onKey = (e: KeyboardEvent) => {
    const row = rowForKey(e.key, top, viewH);
    if (row === null) return;
    e.preventDefault();
    scrollMemory(row, visibleRows(viewH));
  };
  const onGo = (e: FormEvent) => {
    e.preventDefault();
    if (expr.trim()) void showMemory(expr.trim()).then(() => scroller.current?.focus());
  };

  const form = (
    <form onSubmit={onGo} className="inline-form">
      <input aria-label="Memory address" placeholder="0x80000000, 123, symbol, symbol+0x10" value={expr} onChange={(e) => setExpr(e.target.value)} size={24} />
      <button type="submit" disabled={!ready}>Go</button>
    </form>
  );
  if (!ready) return <Panel title="Memory" testId="memory" actions={form}><Missing>no machine state yet</Missing></Panel>;

  const shownRows = Math.min(MEMORY_ROW_COUNT - top, visibleRows(viewH) + 1);
  const rows = [];
  for (let r = 0; r < shownRows; r++) {
    const rowAddr = (top + r) * MEMORY_BYTES_PER_ROW;
    const cells = [];
    let ascii = '';
    for (let i = 0; i < MEMORY_BYTES_PER_ROW; i++) {
      const addr = rowAddr + i;
      const b = byteAt(memory, addr);
      const mark = byteMark(diff, writes, memory, prev, addr);
      const targeted = target !== null && addr >= target.addr && addr < target.addr + target.len;
      const cls = `byte${mark ? ` changed diff-${mark.kind}${mark.writer === 'dma' ? ' by-dma' : ''}` : ''}${targeted ? ' target' : ''}${b === null ? ' unmapped' : ''}`;
      cells.push(
        <span
          key={i}
          className={cls}
          data-addr={addr}
          data-writer={mark?.writer ?? undefined}
          title={`0x${hex8(addr)}${mark ? ` ${markText(mark)}` : ''} (click: who wrote it)`}
          onClick={() => setWriteExpr(`0x${hex8(addr)}:1`)}
        >
          {b === undefined ? '  ' : b === null ? '--' : hex2(b)}
        </span>,
      );
      ascii += b === null || b === undefined ? ' ' : b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    rows.push(
      <div key={rowAddr} className="mem-row" data-addr={rowAddr}>
        <span className="addr">{hex8(rowAddr)}</span>
        <span className="bytes">{cells}</span>
        <span className="ascii">{ascii}</span>
      </div>,
    );
  }

  return (
    <Panel title={`Memory${label ? ` · ${label}` : ''}`} testId="memory" actions={form} className="panel-memory">
      <div className="mem-legend" data-testid="memory-legend" data-kind={diff ?? 'none'} data-writers={writers}>
        {diff === 'written' && writes !== null && memIcount !== null
          ? <WrittenLegend writes={writes} writers={writers} icount={memIcount} onGo={(addr) => void showMemory(`0x${hex8(addr)}`)} />
          : diff === 'changed'
            ? <><span className="byte changed diff-changed">■</span> {diffText('changed')} ({prevIcount} → {memIcount})</>
            : <span>highlights bytes changed by the next move</span>}
        {target ? <> · <span className="byte target">■</span> {target.label ?? `0x${hex8(target.addr)}`}</> : null}
      </div>
      <div className="mem-scroll memory" ref={scroller} tabIndex={0} onScroll={onScroll} onKeyDown={onKey}
        data-testid="memory-scroll" data-top={top * MEMORY_BYTES_PER_ROW} aria-label="Memory rows (PageUp, PageDown, Home, End)">
        <div className="mem-rows">{rows}</div>
        <div style={{ height: contentHeight(viewH) }} />
      </div>
    </Panel>
  );
}

function diffText(kind: 'written' | 'changed'): string {
  return kind === 'written' ? 'written by the instruction just executed' : 'changed since the last position shown';
}

/** A highlighted byte's tooltip: what the highlight means, by whom, and the value before (when read). */
function markText(m: ByteMark): string {
  const was = m.was === undefined ? '' : `: was ${m.was === null ? '--' : hex2(m.was)}`;
  return `${diffText(m.kind)}${m.writer === 'dma' ? ' (by DMA)' : ''}${was}`;
}

/** How many written ranges the legend names (each a link that scrolls there: it may be off screen). */
const LEGEND_RANGES = 3;

/** The legend after a step: the swatch per writer, and where it wrote (or that it wrote no RAM). */
function WrittenLegend(props: { writes: readonly RamWriteDto[]; writers: string; icount: number; onGo(addr: number): void }) {
  const { writes, writers, icount } = props;
  const span = `(${icount - 1} → ${icount})`;
  if (writes.length === 0) return <span>the instruction just executed wrote no RAM {span}</span>;
  return (
    <>
      {writers !== 'dma' ? <><span className="byte changed diff-written">■</span> {diffText('written')}</> : null}
      {writers === 'cpu+dma' ? <>, <span className="byte changed diff-written by-dma">■</span> (by DMA)</> : null}
      {writers === 'dma' ? <><span className="byte changed diff-written by-dma">■</span> {diffText('written')} (by DMA)</> : null}
      {' '}{span}:
      {writes.slice(0, LEGEND_RANGES).map((w) => (
        <span key={`${w.writer}${w.addr}`}>
          {' '}<button type="button" className="link mono" data-testid="memory-write-range" onClick={() => props.onGo(w.addr)}>
            0x{hex8(w.addr)}:{w.len}
          </button>
        </span>
      ))}
      {writes.length > LEGEND_RANGES ? <> +{writes.length - LEGEND_RANGES} more</> : null}
    </>
  );
}
