// The one place errors show: whatever failed anywhere in the UI (opening a file, saving, a device,
// the engine worker dying) reports through the store's reportError, and this banner names what
// failed and why until dismissed. Short confirmations ("Saved as …") show here too, and fade.

import { useEffect } from 'react';
import { useStore } from '../../store/index.js';

const NOTICE_MS = 6000;

export function ErrorBanner() {
  const error = useStore((s) => s.error);
  const title = useStore((s) => s.errorTitle);
  const notice = useStore((s) => s.notice);
  const { dismissError, dismissNotice } = useStore.getState();

  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(dismissNotice, NOTICE_MS);
    return () => clearTimeout(t);
  }, [notice, dismissNotice]);

  if (!error && !notice) return null;
  return (
    <div className="banners">
      {error ? (
        <div className="banner banner-error" role="alert" data-testid="error">
          <div className="banner-text">
            {title ? <div className="banner-title" data-testid="error-title">{title}</div> : null}
            <div className="banner-message" data-testid="error-message">{error}</div>
          </div>
          <button type="button" className="icon" onClick={dismissError} aria-label="Dismiss" data-testid="error-dismiss">×</button>
        </div>
      ) : null}
      {notice ? (
        <div className="banner banner-notice" role="status" data-testid="notice">
          <div className="banner-text">{notice}</div>
          <button type="button" className="icon" onClick={dismissNotice} aria-label="Dismiss">×</button>
        </div>
      ) : null}
    </div>
  );
}
