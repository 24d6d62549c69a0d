// The recording as a scrubber: drag anywhere on the lanes to seek (coalesced by the store), click a
// marker to seek to it. Lanes: traps, interrupts, UART output, snapshots, USB transfers (coloured
// by status; a click also selects the transfer in the USB panel, through the store), bookmarks.
//
// Zoom and pan (as Perfetto / Chrome's performance panel): Ctrl/Cmd+wheel (a trackpad pinch) over
// the timeline, or a plain wheel over the ruler or the overview strip, zooms around the pointer;
// Shift+wheel or a horizontal wheel pans; dragging the ruler or the overview's window pans. The
// window lives in the store (`timeline-view-slice.ts`); lanes are re-bucketed for it.

import { useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type PointerEvent } from 'react';
import { useStore } from '../../store/index.js';
import { positionSelectors } from '../../store/selectors.js';
import { grouped } from '../../components/format.js';
import { useClientSize } from '../../components/use-client-size.js';
import { bucketize, lanesOf, shortCount, tickLabels, ticksIn, xOf } from './lanes.js';
import { usbBucketTitle, usbBuckets } from './usb-lane.js';
import { usbSelectors } from '../../store/usb-slice.js';
import { recordingSelectors } from '../../store/recording-slice.js';
import { sessionSelectors } from '../../store/selectors.js';
import { timelineViewSelectors, recordingKey } from '../../store/timeline-view-slice.js';
import { bookmarkSelectors, type Bookmark } from '../../store/bookmark-slice.js';
import { LiveTimeline } from './LiveTimeline.js';

/** Zoom per wheel notch (100 px of deltaY): about what DevTools' timeline does. */
const ZOOM_PER_100PX = 0.8;
const ZOOM_HINT = 'Zoom: Ctrl/Cmd+wheel over the timeline, or wheel over the ruler or this strip (around the pointer). '
  + 'Pan: Shift+wheel, or drag the ruler or the window here. Fit shows the whole recording.';

/** Keys typed into a field are not shortcuts. */
const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function TimelinePanel() {
  const summary = useStore((s) => s.summary);
  const info = useStore((s) => s.info);
  const end = useStore(positionSelectors.end);
  const playhead = useStore(positionSelectors.playhead);
  const ready = useStore(positionSelectors.ready);
  const winStart = useStore(timelineViewSelectors.start);
  const winEnd = useStore(timelineViewSelectors.end);
  const zoomed = useStore(timelineViewSelectors.zoomed);
  const bookmarks = useStore(bookmarkSelectors.list);
  const editing = useStore((s) => s.editingBookmark);
  const { seekTo, scrubEnded, usbSelect, zoomTimeline, panTimeline, setTimelineWindow, centerTimelineOn, fitTimeline,
    loadBookmarks, addBookmark, renameBookmark, removeBookmark, editBookmark } = useStore.getState();
  const usbSelected = useStore(usbSelectors.selected);
  const live = useStore(recordingSelectors.live);
  const perSecond = useStore(sessionSelectors.instructionsPerSecond);
  const track = useRef<HTMLDivElement>(null);
  const overview = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  /** A pan drag: where it started (px) and the window then. */
  const panning = useRef<{ x: number; start: number; end: number; scale: number } | null>(null);
  const [menu, setMenu] = useState<{ id: string; x: number } | null>(null);
  const key = recordingKey(info);

  const width = useClientSize(track, 'width', 0, [summary]);

  // Each recording has its own bookmarks.
  useEffect(() => { loadBookmarks(); setMenu(null); }, [key, loadBookmarks]);

  // B: a bookmark at the position shown (not while typing in a field).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'b' && e.key !== 'B') return;
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target) || !useStore.getState().state) return;
      e.preventDefault();
      addBookmark();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [addBookmark]);

  // The wheel needs a non-passive listener (React's is passive) to keep the page from scrolling or zooming.
  useEffect(() => {
    const els = [track.current, overview.current].filter((x): x is HTMLDivElement => x !== null);
    const onWheel = (e: WheelEvent) => {
      const s = useStore.getState();
      const length = s.info?.end ?? 0;
      if (length <= 0) return;
      const ws = timelineViewSelectors.start(s), we = timelineViewSelectors.end(s);
      const onOverview = e.currentTarget === overview.current;
      const onRuler = e.target instanceof Element && e.target.closest('.ruler') !== null;
      const el = e.currentTarget as HTMLElement;
      const r = el.getBoundingClientRect();
      const frac = Math.max(0, Math.min(1, (e.clientX - r.left) / Math.max(1, r.width)));
      const horizontal = Math.abs(e.deltaX) > Math.abs(e.deltaY);
      if (e.shiftKey || horizontal) {
        // Shift+wheel: Chromium reports vertical wheels as deltaY still; trackpads give deltaX.
        const d = horizontal ? e.deltaX : e.deltaY;
        panTimeline((d / Math.max(1, r.width)) * (we - ws));
      } else if (e.ctrlKey || e.metaKey || onRuler || onOverview) {
        const at = onOverview ? frac * length : ws + frac * (we - ws);
        // Wheel up (deltaY < 0) zooms in.
        zoomTimeline(at, ZOOM_PER_100PX ** (-e.deltaY / 100));
      } else return;
      e.preventDefault();
    };
    for (const el of els) el.addEventListener('wheel', onWheel, { passive: false });
    return () => { for (const el of els) el.removeEventListener('wheel', onWheel); };
  }, [summary, live, panTimeline, zoomTimeline]);

  const lanes = useMemo(() => (summary ? lanesOf(summary) : []), [summary]);
  const buckets = useMemo(() => lanes.map((l) => (l.markers ? bucketize(l.markers, winEnd, width, winStart) : [])), [lanes, winStart, winEnd, width]);
  // Sorted copy: bucketing walks the window by position.
  const usbSorted = useMemo(() => (summary ? [...summary.usb].sort((a, b) => a.icount - b.icount) : []), [summary]);
  const usbLane = useMemo(() => usbBuckets(usbSorted, winEnd, width, winStart), [usbSorted, winStart, winEnd, width]);
  const usbSelectedAt = useMemo(() => (usbSelected === null ? null : summary?.usb.find((m) => m.number === usbSelected) ?? null), [summary, usbSelected]);

  if (live) return <LiveTimeline live={live} perSecond={perSecond} />;
  if (!summary) return <div className="timeline" data-testid="timeline"><div className="missing">no recording open</div></div>;

  const span = winEnd - winStart;
  const xAt = (icount: number): number => xOf(icount, winStart, winEnd, width);
  const inWindow = (icount: number): boolean => icount >= winStart && icount <= winEnd;
  const icountAt = (clientX: number): number => {
    const r = track.current!.getBoundingClientRect();
    return Math.round(winStart + (Math.max(0, Math.min(r.width, clientX - r.left)) / r.width) * span);
  };
  const capture = (e: PointerEvent<HTMLElement>) => {
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      // A pointer the browser does not track (a synthetic event): dragging still works inside the element.
    }
  };
  const release = (e: PointerEvent<HTMLElement>) => {
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    setMenu(null);
    dragging.current = true;
    capture(e);
    // The first position of a drag (or a click): the whole view follows when the pointer is let go.
    seekTo(icountAt(e.clientX), { scrubbing: true });
  };
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) seekTo(icountAt(e.clientX), { scrubbing: true });
  };
  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) scrubEnded();
    dragging.current = false;
    release(e);
  };

  // Dragging the ruler pans (content follows the pointer); it does not seek.
  const onRulerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    e.stopPropagation();
    capture(e);
    panning.current = { x: e.clientX, start: winStart, end: winEnd, scale: -span / Math.max(1, width) };
  };
  // Dragging in the overview moves the window (a click outside it centres the window there first).
  const onOverviewDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    capture(e);
    const r = e.currentTarget.getBoundingClientRect();
    const at = ((e.clientX - r.left) / Math.max(1, r.width)) * end;
    let { start: s0, end: e0 } = { start: winStart, end: winEnd };
    if (at < s0 || at > e0) {
      s0 = at - span / 2; e0 = at + span / 2;
      setTimelineWindow({ start: s0, end: e0 });
    }
    panning.current = { x: e.clientX, start: s0, end: e0, scale: end / Math.max(1, r.width) };
  };
  const onPanMove = (e: PointerEvent<HTMLDivElement>) => {
    const p = panning.current;
    if (!p) return;
    const d = (e.clientX - p.x) * p.scale;
    setTimelineWindow({ start: p.start + d, end: p.end + d });
  };
  const onPanUp = (e: PointerEvent<HTMLDivElement>) => {
    panning.current = null;
    release(e);
  };

  const ts = ticksIn(winStart, winEnd, Math.max(2, Math.floor(width / 110)));
  const labels = tickLabels(ts);
  const x = xAt(playhead);
  const off = playhead < winStart ? 'left' : playhead > winEnd ? 'right' : null;
  const menuMark = menu ? bookmarks.find((b) => b.id === menu.id) ?? null : null;

  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-bar">
        <button type="button" data-testid="bookmark-add" disabled={!ready} onClick={() => addBookmark()} title="Bookmark the position shown (B); name it, then Enter">+ Bookmark</button>
        <button type="button" data-testid="timeline-fit" disabled={!zoomed} onClick={fitTimeline} title="Show the whole recording">Fit</button>
        <span className="timeline-range" data-testid="timeline-range" data-start={Math.round(winStart)} data-end={Math.round(winEnd)} title={ZOOM_HINT}>
          {zoomed ? `${grouped(Math.round(winStart))} – ${grouped(Math.round(winEnd))} (×${+(end / Math.max(1, span)).toFixed(1)})` : 'whole recording'}
        </span>
        <div
          className="timeline-overview"
          ref={overview}
          data-testid="timeline-overview"
          title={ZOOM_HINT}
          onPointerDown={onOverviewDown}
          onPointerMove={onPanMove}
          onPointerUp={onPanUp}
          onPointerCancel={onPanUp}
        >
          <span className="overview-window" style={{ left: `${(winStart / Math.max(1, end)) * 100}%`, width: `${(span / Math.max(1, end)) * 100}%` }} />
          <span className="overview-playhead" style={{ left: `${(playhead / Math.max(1, end)) * 100}%` }} />
        </div>
      </div>
      <div className="lane-names">
        <div className="ruler-name" title={ZOOM_HINT}>icount</div>
        {lanes.map((l) => (
          <div key={l.id} className="lane-name" title={l.missing ?? `${l.markers?.length ?? 0} events${l.truncated ? ` (first ${summary.limit} shown)` : ''}`}>
            {l.name} <span className="dim">{l.markers ? l.markers.length : ''}</span>
          </div>
        ))}
        <div className="lane-name" title="Bookmarks of this recording (kept in this browser): click one to go there, right-click to rename or delete">
          Bookmarks <span className="dim">{bookmarks.length}</span>
        </div>
      </div>
      <div
        className="track"
        ref={track}
        data-testid="scrubber"
        data-start={winStart}
        data-end={winEnd}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={onUp}
      >
        <div
          className="ruler"
          data-testid="ruler"
          title={ZOOM_HINT}
          onPointerDown={onRulerDown}
          onPointerMove={onPanMove}
          onPointerUp={onPanUp}
          onPointerCancel={onPanUp}
        >
          {ts.map((t, i) => (
            <span key={t} className={`tick${i === 0 && xAt(t) < 24 ? ' tick-first' : ''}${xAt(t) > width - 24 ? ' tick-last' : ''}`} style={{ left: xAt(t) }} data-icount={t}>{labels[i]}</span>
          ))}
        </div>
        {lanes.map((l, i) => (
          <div key={l.id} className={`lane lane-${l.id}`} data-testid={`lane-${l.id}`}>
            {l.id === 'usb' && l.markers && l.markers.length > 0 ? (
              <>
                {usbLane.map((b) => (
                  <button
                    type="button"
                    key={b.x}
                    className={`marker usb-${b.status}${usbSelected !== null && usbSelected >= b.first && usbSelected <= b.last ? ' selected' : ''}`}
                    style={{ left: b.x }}
                    title={usbBucketTitle(b)}
                    data-icount={b.marker.icount}
                    data-number={b.marker.number}
                    data-status={b.status}
                    onPointerDown={(e) => { e.stopPropagation(); seekTo(b.marker.icount); void usbSelect(b.marker.number); }}
                  />
                ))}
                {usbSelectedAt && inWindow(usbSelectedAt.icount) ? (
                  <span className="usb-selected" data-testid="usb-lane-selected" data-number={usbSelectedAt.number} style={{ left: xAt(usbSelectedAt.icount) }} />
                ) : null}
              </>
            ) : l.markers === null ? <span className="lane-missing">{l.missing}</span>
              : l.markers.length === 0 ? <span className="lane-missing">none in this recording</span>
                : buckets[i]!.map((b) => (
                  <button
                    type="button"
                    key={b.x}
                    className="marker"
                    style={{ left: b.x }}
                    title={b.count > 1 ? `${b.count} events; first: ${b.title}` : b.title}
                    data-icount={b.icount}
                    onPointerDown={(e) => { e.stopPropagation(); seekTo(b.icount); }}
                  />
                ))}
          </div>
        ))}
        <div className="lane lane-bookmarks" data-testid="lane-bookmarks">
          {bookmarks.length === 0 ? <span className="lane-missing">none yet: + Bookmark or B</span> : null}
          {bookmarks.filter((b) => inWindow(b.icount)).map((b) => (
            <BookmarkMark
              key={b.id}
              b={b}
              x={xAt(b.icount)}
              editing={editing === b.id}
              onGo={() => { setMenu(null); seekTo(b.icount); }}
              onMenu={(px) => setMenu({ id: b.id, x: px })}
              onRename={(name) => { renameBookmark(b.id, name); editBookmark(null); }}
              onCancel={() => editBookmark(null)}
            />
          ))}
          {menuMark ? (
            <div className="bookmark-menu" data-testid="bookmark-menu" role="menu" style={{ left: menu!.x }} onPointerDown={(e) => e.stopPropagation()}>
              <button type="button" role="menuitem" onClick={() => { seekTo(menuMark.icount); setMenu(null); }}>Go to {grouped(menuMark.icount)}</button>
              <button type="button" role="menuitem" onClick={() => { editBookmark(menuMark.id); setMenu(null); }}>Rename</button>
              <button type="button" role="menuitem" data-testid="bookmark-delete" onClick={() => { removeBookmark(menuMark.id); setMenu(null); }}>Delete</button>
            </div>
          ) : null}
        </div>
        {off ? (
          <button
            type="button"
            className={`playhead-off playhead-off-${off}`}
            data-testid="playhead-offscreen"
            data-side={off}
            title={`Position ${grouped(playhead)} is ${off === 'left' ? 'before' : 'after'} the window: click to bring it into view`}
            onPointerDown={(e) => { e.stopPropagation(); centerTimelineOn(playhead); }}
          >
            {off === 'left' ? `◀ ${shortCount(playhead)}` : `${shortCount(playhead)} ▶`}
          </button>
        ) : (
          <div className={`playhead${x > width - 90 ? ' flip' : ''}`} style={{ left: x }} data-testid="playhead">
            <span className="playhead-label">{grouped(playhead)}</span>
          </div>
        )}
      </div>
    </div>
  );
}

/** One bookmark in its lane: a flag and its name; the name becomes a field while being edited. */
function BookmarkMark(props: { b: Bookmark; x: number; editing: boolean; onGo(): void; onMenu(x: number): void; onRename(name: string): void; onCancel(): void }) {
  const { b, x, editing } = props;
  const [name, setName] = useState(b.name);
  useEffect(() => { if (editing) setName(b.name); }, [editing, b.name]);
  const onKey = (e: ReactKeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') props.onRename(name);
    else if (e.key === 'Escape') props.onCancel();
    e.stopPropagation();
  };
  return (
    <span className="bookmark" style={{ left: x }}>
      <button
        type="button"
        className="marker bookmark-flag"
        data-testid="bookmark"
        data-icount={b.icount}
        data-name={b.name}
        title={`${b.name} at ${grouped(b.icount)}: click to go there; right-click to rename or delete`}
        onPointerDown={(e) => { if (e.button !== 0) return; e.stopPropagation(); props.onGo(); }}
        onContextMenu={(e) => { e.preventDefault(); e.stopPropagation(); props.onMenu(x); }}
      />
      {editing ? (
        <input
          className="bookmark-name-input"
          data-testid="bookmark-name"
          aria-label="Bookmark name"
          autoFocus
          value={name}
          onFocus={(e) => e.currentTarget.select()}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={onKey}
          onBlur={() => props.onRename(name)}
          onPointerDown={(e) => e.stopPropagation()}
        />
      ) : (
        <span
          className="bookmark-label"
          onPointerDown={(e) => { if (e.button !== 0) return; e.stopPropagation(); props.onGo(); }}
          onContextMenu={(e) => { e.preventDefault(); e.stopPropagation(); props.onMenu(x); }}
          title={`${b.name} at ${grouped(b.icount)}: click to go there; right-click to rename or delete`}
        >{b.name}</span>
      )}
    </span>
  );
}
