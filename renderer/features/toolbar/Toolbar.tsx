// Position (icount and guest time), moving (step, step back, continue, reverse continue), go to a
// position, breakpoints.

import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useStore } from '../../store/index.js';
import { positionSelectors, sessionSelectors } from '../../store/selectors.js';
import { grouped, guestTime, hexAddr } from '../../components/format.js';

/** `start` and `end` hold what App puts at the toolbar's ends (the File menu, the gdb button): panels never import each other. */
export function Toolbar(props: { start?: ReactNode; end?: ReactNode } = {}) {
  const icount = useStore(positionSelectors.icount);
  const end = useStore(positionSelectors.end);
  const ready = useStore(positionSelectors.ready);
  const perSecond = useStore(sessionSelectors.instructionsPerSecond);
  const breakpoints = useStore((s) => s.breakpoints);
  const lastStop = useStore((s) => s.lastStop);
  const busy = useStore((s) => s.busy);
  const { step, stepBack, continueForward, reverseContinue, seekTo, addBreakpoint, removeBreakpoint, cancel } = useStore.getState();
  const [goto, setGoto] = useState('');

  // Debugger keys (as VS Code): F10 step, Shift+F10 step back, F5 continue, Shift+F5 reverse continue.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!useStore.getState().state) return;
      if (e.key === 'F10') void (e.shiftKey ? stepBack() : step());
      else if (e.key === 'F5') void (e.shiftKey ? reverseContinue() : continueForward());
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step, stepBack, continueForward, reverseContinue]);
  const [bp, setBp] = useState('');

  const onGoto = (e: FormEvent) => {
    e.preventDefault();
    const n = Number(goto.replace(/[_,\s]/g, ''));
    if (Number.isFinite(n)) seekTo(n);
  };
  const onBreakpoint = async (e: FormEvent) => {
    e.preventDefault();
    if (bp.trim() && (await addBreakpoint(bp.trim()))) setBp('');
  };

  return (
    <div className="toolbar" data-testid="toolbar">
      {props.start}
      <div className="position" data-testid="position" data-icount={icount ?? ''}>
        <span className="label">icount</span>
        <span className="value" data-testid="icount">{icount === null ? '—' : grouped(icount)}</span>
        <span className="dim">/ {grouped(end)}</span>
        <span className="label">time</span>
        <span className="value" data-testid="guest-time">{icount === null ? '—' : guestTime(icount, perSecond)}</span>
      </div>
      <div className="buttons">
        <button type="button" onClick={() => void reverseContinue()} disabled={!ready} title="Reverse continue: back to the last breakpoint hit (Shift+F5)">◀◀ Reverse</button>
        <button type="button" onClick={() => void stepBack()} disabled={!ready} title="Step back one instruction (Shift+F10)" data-testid="step-back">◀ Step Back</button>
        <button type="button" onClick={() => void step()} disabled={!ready} title="Step one instruction (F10)" data-testid="step">Step ▶</button>
        <button type="button" onClick={() => void continueForward()} disabled={!ready} title="Continue to the next breakpoint hit or the end (F5)">Continue ▶▶</button>
      </div>
      <form onSubmit={onGoto} className="inline-form" title="Run to: go to an instruction count (Enter); the position is exact, breakpoints do not stop it">
        <label className="label" htmlFor="run-to-icount">Run to</label>
        <input id="run-to-icount" aria-label="Go to icount" placeholder="icount" value={goto} onChange={(e) => setGoto(e.target.value)} size={12} data-testid="run-to" />
      </form>
      <form onSubmit={(e) => void onBreakpoint(e)} className="inline-form">
        <input aria-label="Breakpoint address" placeholder="breakpoint: 0x… or symbol" value={bp} onChange={(e) => setBp(e.target.value)} size={22} />
        <button type="submit" disabled={!ready}>+ Break</button>
      </form>
      <div className="breakpoints" data-testid="breakpoints">
        {breakpoints.map((b) => (
          <span key={b.addr} className="chip">
            {b.label ?? hexAddr(b.addr)}
            <button type="button" aria-label={`Remove breakpoint ${hexAddr(b.addr)}`} onClick={() => removeBreakpoint(b.addr)}>×</button>
          </span>
        ))}
      </div>
      <div className="stop" data-testid="stop-reason">
        {busy ? (
          <span>
            {busy.operation} {busy.total > 0 ? `${Math.round((100 * busy.done) / busy.total)}%` : '…'}{' '}
            <button type="button" onClick={() => void cancel()}>Cancel</button>
          </span>
        ) : lastStop ? stopText(lastStop) : null}
      </div>
      {props.end}
    </div>
  );
}

function stopText(stop: NonNullable<ReturnType<typeof useStore.getState>['lastStop']>): string {
  switch (stop.kind) {
    case 'breakpoint': return `stopped at breakpoint ${hexAddr(stop.pc)}`;
    case 'start': return 'at the start of the recording';
    case 'end': return 'at the end of the recording';
    case 'exit': return `at the guest's exit (code ${stop.code})`;
    case 'not-found': return 'no breakpoint hit before this position';
    case 'position': return '';
  }
}
