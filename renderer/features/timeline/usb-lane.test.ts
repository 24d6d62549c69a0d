import { describe, expect, it } from 'vitest';
import type { UsbTransferMarker, UsbTransferStatus } from '../../../app/protocol/index.js';
import { BUCKET_PX } from './lanes.js';
import { usbBucketTitle, usbBuckets } from './usb-lane.js';

const m = (number: number, icount: number, status: UsbTransferStatus = 'ok'): UsbTransferMarker =>
  ({ number, icount, endIcount: icount, status, title: `#${number} ${status}` });

describe('the USB lane', () => {
  it('keeps a single STALL among thousands of good transfers visible and clickable', () => {
    const markers = Array.from({ length: 5000 }, (_, i) => m(i, i * 10, i === 3333 ? 'stall' : i === 3334 ? 'timeout' : 'ok'));
    const b = usbBuckets(markers, 50_000, 200);
    expect(b.length).toBeLessThanOrEqual(200 / BUCKET_PX + 1);
    expect(b.reduce((n, x) => n + x.count, 0)).toBe(5000);
    const bad = b.filter((x) => x.status !== 'ok');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ status: 'stall', failed: 2, marker: { number: 3333 } });
    expect(bad[0]!.first).toBeLessThanOrEqual(3333);
    expect(bad[0]!.last).toBeGreaterThanOrEqual(3334);
    expect(usbBucketTitle(bad[0]!)).toMatch(/, 2 not ok; first not ok: #3333 stall$/);
  });

  it('gives each transfer its own marker when there is room, clicking through to it', () => {
    const b = usbBuckets([m(0, 0), m(1, 500, 'cancelled'), m(2, 1000)], 1000, 300);
    expect(b.map((x) => [x.marker.number, x.status, x.count])).toEqual([[0, 'ok', 1], [1, 'cancelled', 1], [2, 'ok', 1]]);
    expect(usbBucketTitle(b[1]!)).toBe('#1 cancelled');
  });
});
