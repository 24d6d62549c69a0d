import { describe, expect, it } from 'vitest';
import { BUCKET_PX, bucketize, shortCount, tickLabels, ticks, ticksIn } from './lanes.js';

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

describe('timeline lanes in a zoomed window', () => {
  it('buckets only the window, at its scale', () => {
    const markers = Array.from({ length: 1000 }, (_, i) => ({ icount: i * 10, title: `m${i}` }));
    const b = bucketize(markers, 2000, 300, 1000);
    expect(b.reduce((n, x) => n + x.count, 0)).toBe(101);
    expect(b[0]).toMatchObject({ icount: 1000, x: 0 });
    expect(b.at(-1)).toMatchObject({ icount: 2000, x: 300 });
  });

  it('ticks follow the window, with exact labels when zoomed deep', () => {
    expect(ticksIn(12_340, 12_400, 3)).toEqual([12_340, 12_360, 12_380, 12_400]);
    expect(tickLabels([12_340, 12_360])).toEqual(['12,340', '12,360']);
    expect(tickLabels([10_000, 20_000])).toEqual(['10k', '20k']);
    expect(ticksIn(3, 8, 10)).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
