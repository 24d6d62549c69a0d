import { describe, expect, it } from 'vitest';
import { unpacked } from './engine.js';

describe('workers outside the asar', () => {
  it('points a packaged app\'s worker at its unpacked copy, and leaves development paths alone', () => {
    expect(unpacked('/opt/Hindsight/resources/app.asar/dist/serve-worker.mjs')).toBe('/opt/Hindsight/resources/app.asar.unpacked/dist/serve-worker.mjs');
    expect(unpacked('C:\\Hindsight\\resources\\app.asar\\dist\\gdb-worker.mjs')).toBe('C:\\Hindsight\\resources\\app.asar.unpacked\\dist\\gdb-worker.mjs');
    expect(unpacked('/work/main/dist/serve-worker.mjs')).toBe('/work/main/dist/serve-worker.mjs');
  });
});
