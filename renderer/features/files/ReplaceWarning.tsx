// Asks before an open replaces a recording the host made and nobody saved yet (the store holds the
// open in `replacePending`): save it first, open anyway, or keep it.

import { useStore } from '../../store/index.js';

export function ReplaceWarning() {
  const pending = useStore((s) => s.replacePending);
  const dialogOpen = useStore((s) => s.fileDialog !== null);
  const guest = useStore((s) => s.info?.guestImageName ?? 'the guest');
  const { confirmReplace, cancelReplace, showFileDialog } = useStore.getState();
  if (!pending || dialogOpen) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal replace-warning" role="alertdialog" aria-label="The recording is not saved" data-testid="replace-warning">
        <header className="modal-header"><h2>The recording on screen is not saved</h2></header>
        <p>
          It was recorded from <b>{guest}</b> in this session and exists only as a scratch file. Opening{' '}
          <span className="mono">{pending.path}</span> replaces it on screen; save it first to keep it.
        </p>
        <footer className="modal-footer">
          <button type="button" onClick={cancelReplace} data-testid="replace-cancel">Cancel</button>
          <button type="button" onClick={() => void confirmReplace()} data-testid="replace-discard">Open without saving</button>
          <button type="button" className="primary" onClick={() => showFileDialog('save-recording')} data-testid="replace-save">Save As…</button>
        </footer>
      </div>
    </div>
  );
}
