// Connection, what is open, and the last error.

import { useStore } from '../../store/index.js';
import { grouped } from '../../components/format.js';

export function StatusBar() {
  const status = useStore((s) => s.status);
  const statusText = useStore((s) => s.statusText);
  const hostName = useStore((s) => s.hostName);
  const info = useStore((s) => s.info);
  const error = useStore((s) => s.error);
  const dismiss = useStore((s) => s.dismissError);
  return (
    <footer className={`status-bar status-${status}`} data-testid="status-bar">
      <span data-testid="connection">{status === 'open' ? `● ${hostName}` : `○ ${statusText}`}</span>
      {info ? (
        <span data-testid="recording" title={info.path}>
          {info.guestImageName} · {grouped(info.end)} instructions · {info.endReason}
        </span>
      ) : status === 'open' ? <span>no recording open</span> : null}
      {error ? (
        <span className="error" data-testid="error" role="alert">
          {error} <button type="button" onClick={dismiss} aria-label="Dismiss">×</button>
        </span>
      ) : null}
    </footer>
  );
}
