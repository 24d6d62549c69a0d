// The in-app file dialog of the browser host (a browser has no native dialog that can pick a path
// on the host): a path box, the folder's openable entries from the host (listDirectory), Up and
// Home. Open modes list folders and the one kind of file asked for; save mode takes a file name
// and asks before replacing a file. Everything it does goes through the store's file actions.

import { useEffect, useState, type FormEvent } from 'react';
import type { DirEntry, DirectoryListing } from '../../../app/protocol/index.js';
import { useStore } from '../../store/index.js';
import type { FileDialogMode } from '../../store/files-slice.js';

const TITLES: Record<FileDialogMode, string> = {
  'open-recording': 'Open Recording', 'open-elf': 'Open ELF', 'save-recording': 'Save Recording As',
};

export function joinPath(dir: string, name: string, sep: string): string {
  return dir.endsWith(sep) ? `${dir}${name}` : `${dir}${sep}${name}`;
}

function size(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** "not shown: 2 hidden, 3 other files" (what the host and this dialog left out), or null. */
function omittedText(l: DirectoryListing, wrongKind: number): string | null {
  const parts: string[] = [];
  if (wrongKind) parts.push(`${wrongKind} of the other kind`);
  if (l.omitted.other) parts.push(`${l.omitted.other} other file${l.omitted.other === 1 ? '' : 's'}`);
  if (l.omitted.hidden) parts.push(`${l.omitted.hidden} hidden`);
  if (l.omitted.unreadable) parts.push(`${l.omitted.unreadable} unreadable`);
  if (l.truncated) parts.push('and more (the folder is too large to list whole)');
  return parts.length ? `not shown: ${parts.join(', ')}` : null;
}

export function FileDialog() {
  const dialog = useStore((s) => s.fileDialog);
  return dialog ? <FileDialogBody mode={dialog.mode} key={dialog.mode} /> : null;
}

function FileDialogBody({ mode }: { mode: FileDialogMode }) {
  const listing = useStore((s) => s.listing);
  const listingError = useStore((s) => s.listingError);
  const overwritePending = useStore((s) => s.overwritePending);
  const guestName = useStore((s) => s.info?.guestImageName ?? 'recording');
  const { listDirectory, closeFileDialog, openRecording, openElf, saveRecordingAs, cancelOverwrite } = useStore.getState();
  const saving = mode === 'save-recording';
  const [name, setName] = useState(() => `${guestName.replace(/\.elf$/i, '')}.hsrec`);
  const [target, setTarget] = useState('');

  // The path box follows the folder shown: the folder itself, or (saving) the file in it.
  useEffect(() => {
    if (listing) setTarget(saving ? joinPath(listing.path, name, listing.separator) : joinPath(listing.path, '', listing.separator));
  }, [listing?.path]); // only when the folder changes, not on every keystroke in the name

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') closeFileDialog(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closeFileDialog]);

  const sep = listing?.separator ?? '/';
  const wanted = mode === 'open-elf' ? 'elf' : 'recording';
  const shown = (listing?.entries ?? []).filter((e) => e.kind === 'directory' || e.kind === wanted);
  const wrongKind = (listing?.entries.length ?? 0) - shown.length;

  const act = async (path: string) => {
    if (mode === 'open-recording') await openRecording(path);
    else if (mode === 'open-elf') await openElf(path);
    else await saveRecordingAs(/[^\\/]\.[^\\/.]+$/.test(path) ? path : `${path}.hsrec`);
  };

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    const p = target.trim();
    if (!p) return;
    const entry = listing ? listing.entries.find((x) => joinPath(listing.path, x.name, sep) === p) : undefined;
    if (p.endsWith(sep) || p === '~' || entry?.kind === 'directory') { await listDirectory(p); return; }
    // A path typed by hand may be a folder: show it. Anything else goes to the host as a file,
    // and what is wrong with it (no such file, not an ELF, …) comes back as the error.
    if (!entry && (await listDirectory(p, { quiet: true }))) return;
    await act(p);
  };

  const choose = (entry: DirEntry) => {
    if (!listing) return;
    const full = joinPath(listing.path, entry.name, sep);
    if (entry.kind === 'directory') { void listDirectory(full); return; }
    if (saving) setName(entry.name);
    setTarget(full);
  };

  return (
    <div className="modal-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) closeFileDialog(); }}>
      <form className="modal file-dialog" role="dialog" aria-label={TITLES[mode]} data-testid="file-dialog" onSubmit={(e) => void submit(e)}>
        <header className="modal-header">
          <h2>{TITLES[mode]}</h2>
          <button type="button" className="icon" aria-label="Close" onClick={closeFileDialog}>×</button>
        </header>
        <div className="file-nav">
          <button type="button" disabled={!listing?.parent} onClick={() => listing?.parent && void listDirectory(listing.parent)} title="The folder above">↑ Up</button>
          <button type="button" disabled={!listing} onClick={() => listing && void listDirectory(listing.home)} title="Your home folder">⌂ Home</button>
          {/* rtl clips a long path on the left (the folder's own name stays in view); the inner span keeps it reading left to right */}
          <span className="file-where mono" title={listing?.path}><span dir="ltr" data-testid="file-folder">{listing?.path ?? 'listing…'}</span></span>
        </div>
        {listingError ? <div className="file-error" role="alert" data-testid="file-listing-error">{listingError}</div> : null}
        <div className="file-list" data-testid="file-list">
          {shown.length === 0 && listing ? <div className="missing">no {wanted === 'elf' ? 'ELF files' : 'recordings'} or folders here</div> : null}
          {shown.map((entry) => {
            const full = listing ? joinPath(listing.path, entry.name, sep) : entry.name;
            return (
              <button type="button" key={entry.name} className={`file-entry${full === target.trim() ? ' selected' : ''}`} data-testid="file-entry" data-name={entry.name}
                onClick={() => choose(entry)} onDoubleClick={() => { if (entry.kind !== 'directory') void act(full); }}>
                <span className={`kind kind-${entry.kind}`}>{entry.kind === 'directory' ? 'DIR' : entry.kind === 'elf' ? 'ELF' : 'REC'}</span>
                <span className="file-name">{entry.name}{entry.kind === 'directory' ? sep : ''}</span>
                <span className="file-size dim">{size(entry.size)}</span>
              </button>
            );
          })}
        </div>
        {listing ? <div className="file-omitted dim" data-testid="file-omitted">{omittedText(listing, wrongKind)}</div> : null}
        <div className="file-path">
          <label>
            <span className="dim">{saving ? 'Save as' : 'Path'}</span>
            <input aria-label="Path" data-testid="file-path" value={target} spellCheck={false} autoFocus
              onChange={(e) => { setTarget(e.target.value); if (saving) setName(e.target.value.split(/[\\/]/).pop() ?? ''); }} />
          </label>
        </div>
        {overwritePending ? (
          <div className="file-confirm" role="alert" data-testid="file-overwrite">
            {overwritePending} already exists. Replace it?
            <button type="button" onClick={() => void saveRecordingAs(overwritePending, { overwrite: true })} data-testid="file-overwrite-yes">Replace</button>
            <button type="button" onClick={cancelOverwrite}>Keep it</button>
          </div>
        ) : null}
        <footer className="modal-footer">
          <button type="button" onClick={closeFileDialog}>Cancel</button>
          <button type="submit" className="primary" data-testid="file-submit">{saving ? 'Save' : 'Open'}</button>
        </footer>
      </form>
    </div>
  );
}
