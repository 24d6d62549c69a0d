// When snapshots are taken and which are dropped when there are too many.
//
// Defaults, chosen from `npm run bench` (suite "intervals"; `npm run bench -- intervals` re-runs it,
// `-- intervals-long` the same on workload-long.elf). Host: 2 cores shared with other jobs; the
// figures below are from a quiet moment (load average ~1); loaded runs (load 3-7) noted after.
// Record overhead is "split": the recorder's wall time outside Machine.run over the time inside it.
// Seek and previous-write latencies: p99 of 200 seeks / 50 queries at seeded random positions.
//
//                                  snapshots  MB/G  record overhead  seek p99 (max)  prev-write p99
//   workload.elf (0.64 G insns)
//     interval  5 M                      129   156        31 %          25 ( 51) ms       217 ms
//     interval 10 M                       65   119        28 %          39 ( 47) ms       371 ms
//     interval 20 M                       33    96        23 %          56 ( 88) ms       642 ms
//     interval 50 M                       14    74        20 %          98 (100) ms      1272 ms
//   workload-long.elf (2.17 G insns)
//     interval 10 M                      219   113        21 %          51 ( 67) ms
//     interval 20 M                      110    94        16 %          70 (104) ms
//     interval 50 M                       45    72        13 %         156 (200) ms
//
//  - interval 10 M instructions. A seek restores a snapshot (p99 9-27 ms, the more on a long
//    recording, whose snapshots are mostly not yet cached) and replays up to one interval at
//    ~400 MIPS. On the long recording 20 M already reaches 104 ms at worst on a quiet host; under
//    load (average 3-7) the seek p99 was 104-286 ms at 20 M (never within 100 ms in 5 runs) and
//    55-204 ms at 10 M (within in 4 of 7): 10 M is the longest interval that keeps the target
//    with some room on a busy machine. It also halves the typical previous-write query (one
//    interval replayed: p50 44 ms at 10 M, 77 ms at 20 M). Its price is small: the record
//    overhead follows the bytes stored (~6 ms per MB on the recording thread: SQLite
//    commit/WAL/checkpoint about 60 %, page hashing, copying and inserts the rest), and bytes
//    per G grow slowly as the interval shrinks (113 vs 94 MB/G on the long run: +4
//    points of overhead, +20 % disk). No interval reaches the 10 % record target (50 M is still
//    13 %, and seeks then take 156 ms): that needs a cheaper snapshot write, not a longer interval.
//  - a keyframe every 16 snapshots: a cold restore reads at most one keyframe and 15 incremental
//    snapshots. At 10 M, every 4 costs +41 % size (168 MB/G) for no better seek (p99 44 ms vs 39);
//    every 64 saves 11 % (106 MB/G) but a cold restore may read 63 snapshots (seek max 98 ms in
//    every run, against 47-93 ms with 16).
//  - budget 400 snapshots: 4 G instructions at full density before thinning starts (the 2.17 G
//    run keeps all 219), ~450-480 MB of this write-heavy workload. Thinning saves less disk than
//    it costs in seeks: a budget of 32 on the 65-snapshot run (older half thinned to gaps of up to
//    40 M) made the file only 15 % smaller (101 MB/G) and seek p99 92 ms instead of 39 ms.
//    Thinning keeps recent history dense and older history log-spaced.

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
