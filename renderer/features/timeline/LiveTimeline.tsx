// The timeline while a recording is made: nothing to scrub yet (the recording opens when it ends),
// so it shows the growing end: instructions and guest time recorded so far.

import type { LiveRecordingDto } from '../../../app/protocol/index.js';
import { grouped, guestTime } from '../../components/format.js';
import { shortCount, ticks } from './lanes.js';
import './live-timeline.css';

export function LiveTimeline({ live, perSecond }: { live: LiveRecordingDto; perSecond: number }) {
  const marks = ticks(live.icount, 6);
  return (
    <div className="timeline timeline-live" data-testid="timeline" data-live-end={live.icount}>
      <div className="timeline-live-text">
        <span className="timeline-live-rec">● RECORDING</span>
        <span>{live.guestImageName}{live.devices.length ? ` with ${live.devices.join(', ')}` : ' (no USB devices)'}</span>
        <span className="value" data-testid="live-end">{grouped(live.icount)}</span>
        <span className="dim">instructions · guest time {guestTime(live.icount, perSecond)} · {live.consoleLength} console bytes</span>
        <span className="dim">{live.state === 'waiting' ? '· the guest waits for input: type into the console' : '· running'}</span>
        <span className="dim timeline-live-note">Stop opens the recording here to scrub</span>
      </div>
      <div className="timeline-live-bar" title="recorded so far; Stop to replay it">
        {live.icount > 0 ? marks.map((t) => <span key={t} className="tick" style={{ left: `${(t / live.icount) * 100}%` }}>{shortCount(t)}</span>) : null}
        <div className="timeline-live-end" />
      </div>
    </div>
  );
}
