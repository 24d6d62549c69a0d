// The recording's USB transfers: a virtualised table (only the rows on screen are in the DOM, and
// only their pages are fetched, so a recording with hundreds of thousands of transfers scrolls
// like a short one), filters by endpoint and status, and the selected transfer's details with a
// hex dump. In sync with the timeline through the store: a row click selects and seeks to the
// transfer's start; the lane's click selects here; the transfer current at the position is marked.

import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { UsbTransferDto, UsbTransferStatus } from '../../../app/protocol/index.js';
import { Missing, Panel } from '../../components/Panel.js';
import { grouped } from '../../components/format.js';
import { useClientSize } from '../../components/use-client-size.js';
import { useStore } from '../../store/index.js';
import { positionSelectors } from '../../store/selectors.js';
import { usbSelectors } from '../../store/usb-slice.js';
import { UsbDetail } from './UsbDetail.js';
import { endpointChoice, endpointText, lengthText, previewText, STATUS_HELP, STATUS_TEXT } from './usb-format.js';

const ROW_H = 20;
/** Rows drawn above and below the visible ones, so a short scroll shows no gap. */
const OVERSCAN = 8;
const NOT_OK: readonly UsbTransferStatus[] = ['stall', 'babble', 'timeout', 'nodev', 'error', 'cancelled', 'pending'];
const STATUS_CHOICES: readonly UsbTransferStatus[] = ['ok', ...NOT_OK];

export function UsbPanel() {
  const summary = useStore((s) => s.summary);
  const icount = useStore(positionSelectors.icount);
  const total = useStore((s) => s.usbTotal);
  const recorded = useStore((s) => s.usbRecorded);
  const rows = useStore((s) => s.usbRows);
  const endpoints = useStore((s) => s.usbEndpoints);
  const filter = useStore((s) => s.usbFilter);
  const selected = useStore(usbSelectors.selected);
  const selectedRow = useStore((s) => s.usbSelectedRow);
  const current = useStore((s) => s.usbCurrent);
  const { usbReload, usbFollow, usbEnsureRows, usbSelect, usbSetFilter, seekTo } = useStore.getState();
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);

  // Another recording: start over.
  useEffect(() => {
    if (summary) void usbReload();
  }, [summary, usbReload]);

  // The position moved: which transfer is current there.
  useEffect(() => {
    if (icount !== null && total !== null) usbFollow(icount);
  }, [icount, total === null, usbFollow]);

  const height = useClientSize(body, 'height', 0, [total === null]);

  // A filter that shrinks the list clamps the scroll position: draw from where it really is.
  useEffect(() => {
    if (body.current) setScrollTop(body.current.scrollTop);
  }, [total]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_H) - OVERSCAN);
  const count = Math.ceil(height / ROW_H) + 2 * OVERSCAN;
  useEffect(() => {
    usbEnsureRows(first, count);
  }, [first, count, total, rows, usbEnsureRows]);

  // Keep the selected row (a lane click) and then the current one (a move) on screen.
  const reveal = (row: number | null) => {
    const el = body.current;
    if (row === null || !el) return;
    const top = row * ROW_H;
    if (top < el.scrollTop || top + ROW_H > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, top - el.clientHeight / 2);
  };
  useEffect(() => reveal(selectedRow), [selectedRow]);
  useEffect(() => reveal(current?.row ?? null), [current?.row]);

  const onEndpoint = (e: ChangeEvent<HTMLSelectElement>) => {
    const { endpoint: _drop, ...rest } = filter;
    void usbSetFilter(e.target.value ? { ...rest, endpoint: e.target.value } : rest);
  };
  const onStatus = (e: ChangeEvent<HTMLSelectElement>) => {
    const v = e.target.value;
    const { status: _drop, ...rest } = filter;
    void usbSetFilter(v === '' ? rest : { ...rest, status: v === 'not-ok' ? NOT_OK : [v as UsbTransferStatus] });
  };
  const statusValue = !filter.status ? '' : filter.status.length === 1 ? filter.status[0]! : 'not-ok';
  const actions = (
    <div className="usb-filters">
      <select aria-label="USB endpoint filter" data-testid="usb-filter-endpoint" value={filter.endpoint ?? ''} onChange={onEndpoint}>
        <option value="">all endpoints</option>
        {endpoints.map((e) => <option key={e.key} value={e.key}>{endpointChoice(e)}</option>)}
      </select>
      <select aria-label="USB status filter" data-testid="usb-filter-status" value={statusValue} onChange={onStatus}>
        <option value="">any status</option>
        <option value="not-ok">not ok</option>
        {STATUS_CHOICES.map((s) => <option key={s} value={s}>{STATUS_TEXT[s]}</option>)}
      </select>
    </div>
  );
  const title = `USB transfers${total !== null ? ` · ${grouped(total)}${total !== recorded ? ` of ${grouped(recorded)}` : ''}` : ''}`;

  if (!summary) return <Panel title="USB transfers" testId="usb" className="panel-usb"><Missing>no recording open</Missing></Panel>;
  if (total === null) return <Panel title={title} testId="usb" className="panel-usb" actions={actions}><Missing>loading…</Missing></Panel>;
  if (recorded === 0) {
    return <Panel title={title} testId="usb" className="panel-usb"><Missing>no USB transfers in this recording (no device was attached, or the guest never used one)</Missing></Panel>;
  }

  const last = Math.min(total, first + count);
  const drawn = [];
  for (let r = first; r < last; r++) {
    const t = rows.get(r);
    drawn.push(t
      ? <Row key={r} row={r} t={t} selected={t.number === selected} current={t.number === current?.number} icount={icount}
        onClick={() => { void usbSelect(t.number); seekTo(t.icount); }} />
      : <div key={r} className="usb-row loading" style={{ top: r * ROW_H }}>…</div>);
  }
  return (
    <Panel title={title} testId="usb" className="panel-usb" actions={actions}>
      <div className="usb-table">
        <div className="usb-row usb-head">
          <span className="c-time">icount</span><span className="c-ep">port · endpoint</span><span className="c-req">request</span>
          <span className="c-status">status</span><span className="c-len">len</span><span className="c-data">data</span>
        </div>
        <div className="usb-rows" ref={body} data-testid="usb-rows" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
          {total === 0 ? <Missing>no transfer matches the filter</Missing> : null}
          <div style={{ height: total * ROW_H, position: 'relative' }}>{drawn}</div>
        </div>
      </div>
      <UsbDetail />
    </Panel>
  );
}

function Row(props: { row: number; t: UsbTransferDto; selected: boolean; current: boolean; icount: number | null; onClick: () => void }) {
  const { t } = props;
  const inFlight = props.current && props.icount !== null && (t.endIcount === null || t.endIcount > props.icount);
  return (
    <div
      className={`usb-row${props.selected ? ' selected' : ''}${props.current ? ' current' : ''}`}
      style={{ top: props.row * ROW_H }}
      data-testid="usb-row"
      data-number={t.number}
      data-icount={t.icount}
      data-status={t.status}
      aria-selected={props.selected}
      onClick={props.onClick}
      title={`#${t.number} (controller id ${t.id})${inFlight ? ' — in flight at this position' : ''}`}
    >
      <span className="c-time">{props.current ? (inFlight ? '▷ ' : '▶ ') : ''}{grouped(t.icount)}</span>
      <span className="c-ep">{t.port}·{t.address} {endpointText(t, false)}</span>
      <span className="c-req" title={t.request}>{t.request}</span>
      <span className={`c-status usb-status usb-${t.status}`} title={STATUS_HELP[t.status]}>{STATUS_TEXT[t.status]}</span>
      <span className="c-len">{lengthText(t)}</span>
      <span className="c-data">{previewText(t, 8)}</span>
    </div>
  );
}
