import { describe, expect, it } from 'vitest';
import { BUCKET_PX, bucketize, shortCount, ticks } from './lanes.js';

describe('timeline lanes', () => {
  it('groups markers into pixel buckets, keeping the first position of each', () => {
    const markers = Array.from({ length: 1000 }, (_, i) => ({ icount: i * 10, title: `m${i}` }));
    const b = bucketize(markers, 10_000, 300);
    expect(b.length).toBeLessThanOrEqual(300 / BUCKET_PX + 1);
    expect(b.reduce((n, x) => n + x.count, 0)).toBe(1000);
    expect(b[0]).toMatchObject({ icount: 0, x: 0, title: 'm0' });
    for (let i = 1; i < b.length; i++) expect(b[i]!.x).toBeGreaterThan(b[i - 1]!.x);
  });

  it('makes round ruler ticks', () => {
    expect(ticks(25_246, 10)).toEqual([0, 5000, 10000, 15000, 20000, 25000]);
    expect(shortCount(300_000_000)).toBe('300M');
    expect(shortCount(25_246)).toBe('25.2k');
  });
});
