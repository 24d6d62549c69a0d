import { describe, expect, it } from 'vitest';
import { isZeroPage } from './state-hash.js';

describe('isZeroPage', () => {
  it('sees one non-zero word at any offset of the page, and only in that page', () => {
    const ram = new Int32Array(3 * 1024);
    for (let w = 0; w < 1024; w++) {
      ram.fill(0);
      ram[1024 + w] = w === 0 ? -1 : 1 << (w % 32);
      expect([isZeroPage(ram, 0), isZeroPage(ram, 1), isZeroPage(ram, 2)]).toEqual([true, false, true]);
    }
  });
});
