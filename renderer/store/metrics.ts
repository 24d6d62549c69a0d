// Browser-side timing of seeks, read by the e2e tests (window.__hindsightMetrics) and nothing else.

export interface SeekSample {
  /** Position asked for. */
  readonly icount: number;
  /** performance.now() when the request was sent and when its answer was applied to the store. */
  readonly sentAt: number;
  readonly appliedAt: number;
  /** The next animation frame after it was applied (React has rendered it; the browser paints next). */
  shownAt?: number;
}

export interface Metrics {
  seeks: SeekSample[];
  /** Seek requests that were replaced by a newer target before they were sent (coalesced while dragging). */
  coalesced: number;
}

export const metrics: Metrics = { seeks: [], coalesced: 0 };
(globalThis as unknown as { __hindsightMetrics: Metrics }).__hindsightMetrics = metrics;
