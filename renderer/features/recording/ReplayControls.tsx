// Replay in the toolbar, beside Record: plays the open recording back from the start at a watchable
// pace (store/replay-slice.ts says which), Pause while it plays, Resume after a pause or a
// breakpoint hit. Any move (step, seek, scrub) stops it too; the store sees to that.

import { useStore } from '../../store/index.js';
import { REPLAY_MAX_SECONDS, REPLAY_MIN_SECONDS, replaySelectors } from '../../store/replay-slice.js';
import { sessionSelectors } from '../../store/selectors.js';
import { grouped } from '../../components/format.js';
import './recording.css';

export function ReplayControls() {
  const playing = useStore(replaySelectors.playing);
  const canReplay = useStore(replaySelectors.canReplay);
  const canResume = useStore(replaySelectors.canResume);
  const rate = useStore(replaySelectors.rate);
  const guestRate = useStore(sessionSelectors.instructionsPerSecond);
  const ended = useStore((s) => (s.replayEnded && s.replayEnded.info === s.info ? s.replayEnded.how : null));
  const { replay, stopReplay } = useStore.getState();
  const pace = `${grouped(Math.round(rate))} instructions/s`
    + (rate === guestRate ? ' (guest real time)' : ` (a whole replay takes ${REPLAY_MIN_SECONDS}–${REPLAY_MAX_SECONDS} s; guest real time is ${grouped(guestRate)}/s)`);

  if (playing) {
    return (
      <div className="record-controls replaying" data-testid="replay-status" data-state="playing">
        <button type="button" className="pause-button" onClick={() => stopReplay('pause')} data-testid="replay-pause"
          title="Pause the replay here (the position stays)">
          <span aria-hidden="true">❚❚</span> Pause
        </button>
        <span className="replay-live" title={`Replaying the recording without the device at ${pace}; it stops at breakpoints and at the end`}>
          <span className="replay-dot pulse" aria-hidden="true">▶</span> REPLAY
        </span>
        <span className="dim">{grouped(Math.round(rate))}/s</span>
      </div>
    );
  }
  return (
    <div className="record-controls" data-testid="replay-status" data-state={ended ?? 'idle'}>
      <button type="button" onClick={() => void replay()} disabled={!canReplay} data-testid="replay-button"
        title={`Replay the recording from the start, without the device, at ${pace}; stops at breakpoints, at the end, or on Pause`}>
        <span aria-hidden="true">⟲</span> Replay
      </button>
      {canResume ? (
        <button type="button" onClick={() => void replay({ from: 'here' })} data-testid="replay-resume"
          title="Go on replaying from the position shown, at the same pace">
          <span aria-hidden="true">▶</span> Resume
        </button>
      ) : null}
    </div>
  );
}
