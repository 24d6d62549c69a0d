// When snapshots are taken and which are dropped when there are too many.
//
// Defaults (measured on the workload firmware, 635 M instructions, see README "Choices"):
//  - interval 20 M instructions: a seek replays at most one interval; at ~400 MIPS that is
//    <= 50 ms, inside the 100 ms seek target with room for the restore.
//  - a keyframe every 16 snapshots bounds how many incremental snapshots a restore reads.
//  - budget 400 snapshots: 8 G instructions at full density before thinning starts; thinning
//    keeps recent history dense and older history log-spaced.

export interface CheckpointPolicy {
  /** Instructions between periodic snapshots. */
  readonly interval: number;
  /** Every Nth snapshot holds all non-zero RAM pages. */
  readonly keyframeEvery: number;
  /** Most snapshots to keep; beyond it older ones are thinned. */
  readonly budget: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = {
  interval: 10_000_000,
  keyframeEvery: 16,
  budget: 400,
};

/**
 * Picks the snapshot to drop so the rest stay log-spaced: the one whose removal makes the smallest
 * gap relative to its age. Never the first (the initial state) or the last. Returns an index into
 * `icounts` (ascending), or -1 when nothing may be dropped.
 */
export function pickSnapshotToThin(icounts: readonly number[], now: number, interval: number): number {
  let best = -1;
  let bestScore = Infinity;
  for (let i = 1; i < icounts.length - 1; i++) {
    const gap = icounts[i + 1]! - icounts[i - 1]!;
    const age = now - icounts[i]! + interval;
    const score = gap / age;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
