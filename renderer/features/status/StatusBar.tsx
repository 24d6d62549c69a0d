// Connection and what is open (errors show in the error banner, features/errors).

import { useStore } from '../../store/index.js';
import { grouped } from '../../components/format.js';

export function StatusBar() {
  const status = useStore((s) => s.status);
  const statusText = useStore((s) => s.statusText);
  const hostName = useStore((s) => s.hostName);
  const info = useStore((s) => s.info);
  return (
    <footer className={`status-bar status-${status}`} data-testid="status-bar">
      <span data-testid="connection">{status === 'open' ? `● ${hostName}` : `○ ${statusText}`}</span>
      {info ? (
        <span data-testid="recording" title={info.path}>
          {info.guestImageName} · {grouped(info.end)} instructions · {info.endReason}{info.origin === 'recorded' ? ' · not saved' : ''}
        </span>
      ) : status === 'open' ? <span>no recording open</span> : null}
    </footer>
  );
}
