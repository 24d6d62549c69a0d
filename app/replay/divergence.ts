// Replay must reproduce the recording exactly. Any disagreement is reported as this error, naming
// the icount and what the recording expected versus what the replay did; never a silent drift.

export class ReplayDivergenceError extends Error {
  override name = 'ReplayDivergenceError';
  constructor(readonly icount: number, readonly expected: string, readonly actual: string) {
    super(`replay diverged at icount ${icount}: the recording has ${expected}, the replay ${actual}`);
  }
}
