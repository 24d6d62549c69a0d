// The whole recording as a scrubber: drag anywhere on the lanes to seek (coalesced by the store),
// click a marker to seek to it. Lanes: traps, interrupts, UART output, snapshots, USB transfers
// (coloured by status; a click also selects the transfer in the USB panel, through the store).

import { useEffect, useMemo, useRef, useState, type PointerEvent } from 'react';
import { useStore } from '../../store/index.js';
import { positionSelectors } from '../../store/selectors.js';
import { grouped } from '../../components/format.js';
import { bucketize, lanesOf, shortCount, ticks } from './lanes.js';
import { usbBucketTitle, usbBuckets } from './usb-lane.js';
import { usbSelectors } from '../../store/usb-slice.js';
import { recordingSelectors } from '../../store/recording-slice.js';
import { sessionSelectors } from '../../store/selectors.js';
import { LiveTimeline } from './LiveTimeline.js';

export function TimelinePanel() {
  const summary = useStore((s) => s.summary);
  const end = useStore(positionSelectors.end);
  const playhead = useStore(positionSelectors.playhead);
  const seekTo = useStore((s) => s.seekTo);
  const usbSelect = useStore((s) => s.usbSelect);
  const usbSelected = useStore(usbSelectors.selected);
  const live = useStore(recordingSelectors.live);
  const perSecond = useStore(sessionSelectors.instructionsPerSecond);
  const track = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const dragging = useRef(false);

  useEffect(() => {
    const el = track.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, [summary]);

  const lanes = useMemo(() => (summary ? lanesOf(summary) : []), [summary]);
  const buckets = useMemo(() => lanes.map((l) => (l.markers ? bucketize(l.markers, end, width) : [])), [lanes, end, width]);
  const usbLane = useMemo(() => (summary ? usbBuckets(summary.usb, end, width) : []), [summary, end, width]);
  const usbSelectedAt = useMemo(() => (usbSelected === null ? null : summary?.usb.find((m) => m.number === usbSelected) ?? null), [summary, usbSelected]);

  if (live) return <LiveTimeline live={live} perSecond={perSecond} />;
  if (!summary) return <div className="timeline" data-testid="timeline"><div className="missing">no recording open</div></div>;

  const icountAt = (clientX: number): number => {
    const r = track.current!.getBoundingClientRect();
    return Math.round((Math.max(0, Math.min(r.width, clientX - r.left)) / r.width) * end);
  };
  const onDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    dragging.current = true;
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      // A pointer the browser does not track (a synthetic event): dragging still works inside the track.
    }
    seekTo(icountAt(e.clientX));
  };
  const onMove = (e: PointerEvent<HTMLDivElement>) => {
    if (dragging.current) seekTo(icountAt(e.clientX));
  };
  const onUp = (e: PointerEvent<HTMLDivElement>) => {
    dragging.current = false;
    if (e.currentTarget.hasPointerCapture(e.pointerId)) e.currentTarget.releasePointerCapture(e.pointerId);
  };
  const x = end > 0 ? (playhead / end) * width : 0;

  return (
    <div className="timeline" data-testid="timeline">
      <div className="lane-names">
        <div className="ruler-name">icount</div>
        {lanes.map((l) => (
          <div key={l.id} className="lane-name" title={l.missing ?? `${l.markers?.length ?? 0} events${l.truncated ? ` (first ${summary.limit} shown)` : ''}`}>
            {l.name} <span className="dim">{l.markers ? l.markers.length : ''}</span>
          </div>
        ))}
      </div>
      <div
        className="track"
        ref={track}
        data-testid="scrubber"
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={onUp}
      >
        <div className="ruler">
          {ticks(end, Math.max(2, Math.floor(width / 110))).map((t) => (
            <span key={t} className={`tick${end > 0 && (t / end) * width > width - 24 ? ' tick-last' : ''}`} style={{ left: end > 0 ? (t / end) * width : 0 }}>{shortCount(t)}</span>
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
                {usbSelectedAt ? (
                  <span className="usb-selected" data-testid="usb-lane-selected" data-number={usbSelectedAt.number} style={{ left: end > 0 ? (usbSelectedAt.icount / end) * width : 0 }} />
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
        <div className={`playhead${x > width - 90 ? ' flip' : ''}`} style={{ left: x }} data-testid="playhead">
          <span className="playhead-label">{grouped(playhead)}</span>
        </div>
      </div>
    </div>
  );
}
