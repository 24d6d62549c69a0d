// The File menu of the browser host: Open Recording…, Open ELF…, Save Recording As…, Recent.
// (Electron shows native menus that call the same store actions.)

import { useEffect, useRef, useState } from 'react';
import { useStore } from '../../store/index.js';

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

export function FileMenu() {
  const [open, setOpen] = useState(false);
  const recent = useStore((s) => s.recent);
  const hasRecording = useStore((s) => s.info !== null);
  const unsaved = useStore((s) => s.info?.origin === 'recorded');
  const busy = useStore((s) => s.fileBusy);
  const { showFileDialog, openRecording, openElf } = useStore.getState();
  const ref = useRef<HTMLDivElement>(null);

  // Closes on a click elsewhere or Escape, as menus do.
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    window.addEventListener('mousedown', onDown);
    window.addEventListener('keydown', onKey);
    return () => { window.removeEventListener('mousedown', onDown); window.removeEventListener('keydown', onKey); };
  }, [open]);

  const pick = (run: () => unknown) => () => { setOpen(false); void run(); };

  return (
    <div className="menu" ref={ref}>
      <button type="button" className="menu-button" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen(!open)} data-testid="file-menu">
        File ▾
      </button>
      {busy ? <span className="dim file-busy" data-testid="file-busy">{busy}</span> : null}
      {open ? (
        <div className="menu-list" role="menu">
          <button type="button" role="menuitem" onClick={pick(() => showFileDialog('open-recording'))} data-testid="menu-open-recording">Open Recording…</button>
          <button type="button" role="menuitem" onClick={pick(() => showFileDialog('open-elf'))} data-testid="menu-open-elf">Open ELF…</button>
          <button type="button" role="menuitem" disabled={!hasRecording} onClick={pick(() => showFileDialog('save-recording'))} data-testid="menu-save-as">
            Save Recording As…{unsaved ? <span className="menu-note">not saved yet</span> : null}
          </button>
          <div className="menu-heading">Recent</div>
          {recent.length === 0 ? <div className="menu-empty">nothing opened yet</div> : recent.map((r) => (
            <button type="button" role="menuitem" key={r.path} title={r.path} data-testid="menu-recent"
              onClick={pick(() => (r.kind === 'elf' ? openElf(r.path) : openRecording(r.path)))}>
              <span className={`kind kind-${r.kind}`}>{r.kind === 'elf' ? 'ELF' : 'REC'}</span> {baseName(r.path)}
              <span className="menu-note">{r.path}</span>
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
