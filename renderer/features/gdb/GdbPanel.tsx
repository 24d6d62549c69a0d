// gdb for the recording on screen: a toolbar button with the server's state, and a panel to start
// it, see the port and the exact command to paste, and stop it. The host runs the server in its
// own worker with its own position, so gdb and this window move independently.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useStore } from '../../store/index.js';
import { grouped } from '../../components/format.js';

export function GdbButton() {
  const gdb = useStore((s) => s.gdb);
  const open = useStore((s) => s.gdbPanelOpen);
  const { showGdbPanel } = useStore.getState();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) showGdbPanel(false); };
    window.addEventListener('mousedown', onDown);
    return () => window.removeEventListener('mousedown', onDown);
  }, [open, showGdbPanel]);

  const state = !gdb?.running ? 'off' : gdb.clientConnected ? 'connected' : 'listening';
  return (
    <div className="menu gdb" ref={ref}>
      <button type="button" className={`gdb-button gdb-${state}`} onClick={() => showGdbPanel(!open)} aria-expanded={open} data-testid="gdb-button"
        title="Serve this recording to gdb (reverse-step, reverse-continue, watchpoints)">
        <span className="dot" /> gdb{gdb?.running ? ` :${gdb.port}` : ''}
      </button>
      {open ? <GdbPanel /> : null}
    </div>
  );
}

function GdbPanel() {
  const gdb = useStore((s) => s.gdb);
  const busy = useStore((s) => s.gdbBusy);
  const onScreen = useStore((s) => s.info?.path ?? null);
  const { startGdbServer, stopGdbServer } = useStore.getState();
  const [port, setPort] = useState('');
  const [copied, setCopied] = useState(false);

  const start = (e: FormEvent) => {
    e.preventDefault();
    const n = port.trim() === '' ? 0 : Number(port);
    void startGdbServer(Number.isInteger(n) ? n : -1);
  };
  const copy = (text: string) => {
    void navigator.clipboard?.writeText(text).then(() => { setCopied(true); setTimeout(() => setCopied(false), 1500); }, () => {});
  };

  return (
    <div className="menu-list gdb-panel" data-testid="gdb-panel" role="dialog" aria-label="gdb server">
      {gdb === null ? <div className="missing">this host has no gdb server</div> : !gdb.running ? (
        <form onSubmit={start} className="gdb-start">
          <div>Serve the recording on screen to gdb over TCP on 127.0.0.1.</div>
          {gdb.lastError ? <div className="file-error" role="alert">{gdb.lastError}</div> : null}
          <label className="dim">port <input aria-label="gdb port" placeholder="any free" value={port} onChange={(e) => setPort(e.target.value)} size={8} /></label>
          <button type="submit" className="primary" disabled={busy || onScreen === null} data-testid="gdb-start">{busy ? 'Starting…' : 'Start gdb server'}</button>
        </form>
      ) : (
        <div className="gdb-running">
          <div data-testid="gdb-status">
            <span className={`dot gdb-${gdb.clientConnected ? 'connected' : 'listening'}`} />{' '}
            {gdb.clientConnected ? 'gdb is connected' : 'waiting for gdb'} on <span className="mono">{gdb.host}:{gdb.port}</span>
          </div>
          <div className="dim">Paste into a shell:</div>
          <div className="gdb-command">
            <code data-testid="gdb-command">{gdb.commandLine}</code>
            <button type="button" onClick={() => copy(gdb.commandLine)}>{copied ? 'Copied' : 'Copy'}</button>
          </div>
          <div className="dim">
            gdb starts at icount {grouped(gdb.startIcount)} and moves on its own. Serving <span className="mono" title={gdb.recordingPath}>{gdb.recordingPath}</span>
            {onScreen !== null && onScreen !== gdb.recordingPath ? <b className="warn"> (not the recording on screen: stop and start again to serve that one)</b> : null}
          </div>
          <button type="button" onClick={() => void stopGdbServer()} disabled={busy} data-testid="gdb-stop">Stop</button>
        </div>
      )}
    </div>
  );
}
