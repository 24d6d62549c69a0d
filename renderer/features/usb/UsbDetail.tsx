// The selected USB transfer: where it was issued and where it completed (each a seek), its SETUP
// packet, and its data as a hex dump on demand (fetched then, up to USB_DUMP_BYTES).

import { grouped } from '../../components/format.js';
import { useStore } from '../../store/index.js';
import { usbSelectors, USB_DUMP_BYTES } from '../../store/usb-slice.js';
import { endpointText, hexDump, STATUS_HELP, STATUS_TEXT } from './usb-format.js';

export function UsbDetail() {
  const t = useStore(usbSelectors.selectedTransfer);
  const selected = useStore(usbSelectors.selected);
  const detail = useStore((s) => s.usbDetail);
  const open = useStore((s) => s.usbDetailOpen);
  const { seekTo, usbToggleDetail } = useStore.getState();
  if (selected === null) return <div className="usb-detail dim">click a transfer (here or on the timeline's USB lane) to see it</div>;
  if (!t) return <div className="usb-detail dim">transfer #{selected} is hidden by the filter</div>;
  const dump = open && detail?.number === t.number ? detail : null;
  return (
    <div className="usb-detail" data-testid="usb-detail" data-number={t.number}>
      <div className="usb-detail-line">
        <b>#{t.number}</b> port {t.port} · address {t.address} · {endpointText(t)} · <span className="usb-detail-req">{t.request}</span>
        {' → '}<span className={`usb-status usb-${t.status}`} title={STATUS_HELP[t.status]}>{STATUS_TEXT[t.status]}</span>
      </div>
      <div className="usb-detail-line">
        <button type="button" data-testid="usb-goto-start" onClick={() => seekTo(t.icount)}>Go to request</button>
        <span className="dim"> issued at {grouped(t.icount)}</span>
        {' · '}
        {t.endIcount !== null
          ? <><button type="button" data-testid="usb-goto-end" onClick={() => seekTo(t.endIcount!)}>Go to completion</button><span className="dim"> at {grouped(t.endIcount)}</span></>
          : <span className="dim">no completion: {STATUS_HELP[t.status]}</span>}
        {t.setup ? <span className="dim"> · SETUP {t.setup.match(/../g)!.join(' ')}</span> : null}
      </div>
      <div className="usb-detail-line">
        {t.data.direction === 'none'
          ? <span className="dim">no data</span>
          : <button type="button" data-testid="usb-hexdump-toggle" onClick={usbToggleDetail}>{open ? '▾' : '▸'} {t.data.direction.toUpperCase()} data, {t.data.length} bytes</button>}
        {t.data.direction === 'out' ? <span className="dim"> (what the guest sent, kept in the recording)</span> : null}
      </div>
      {open && t.data.direction !== 'none' ? (
        dump ? (
          <pre className="usb-hexdump" data-testid="usb-hexdump">
            {hexDump(dump.data.hex).map((l) => `${l.offset}  ${l.bytes.padEnd(47)}  |${l.ascii}|\n`).join('')}
            {dump.data.truncated ? `… the first ${USB_DUMP_BYTES} of ${dump.data.length} bytes\n` : ''}
          </pre>
        ) : <div className="dim">loading…</div>
      ) : null}
    </div>
  );
}
