// Record / Stop in the toolbar, and what the recording being made is doing (its growing end, and
// whether the guest runs or waits for input).

import { useStore } from '../../store/index.js';
import { recordingSelectors } from '../../store/recording-slice.js';
import { grouped } from '../../components/format.js';
import './recording.css';

export function RecordControls() {
  const live = useStore(recordingSelectors.live);
  const canRecord = useStore(recordingSelectors.canRecord);
  const action = useStore((s) => s.recordingAction);
  const { openRecordDialog, stopRecording } = useStore.getState();

  if (!live) {
    return (
      <div className="record-controls">
        <button type="button" className="record-button" onClick={openRecordDialog} disabled={!canRecord} data-testid="record-button"
          title="Record a guest with USB devices attached; its console is live">
          <span className="record-dot" aria-hidden="true">●</span> Record
        </button>
      </div>
    );
  }
  return (
    <div className="record-controls recording" data-testid="recording-status" data-state={live.state} data-icount={live.icount}>
      <button type="button" className="stop-button" onClick={() => void stopRecording()} disabled={action === 'stopping'} data-testid="stop-button"
        title="End the recording and open it for replay at its end">
        <span aria-hidden="true">■</span> {action === 'stopping' ? 'Stopping…' : 'Stop'}
      </button>
      <span className="record-live" title={`${live.guestImageName}${live.devices.length ? ` with ${live.devices.join(', ')}` : ''}`}>
        <span className="record-dot pulse" aria-hidden="true">●</span> REC
      </span>
      <span className="value">{grouped(live.icount)}</span>
      <span className="dim">{live.state === 'waiting' ? 'waiting for input' : 'running'}</span>
    </div>
  );
}
