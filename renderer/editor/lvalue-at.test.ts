import { describe, expect, it } from 'vitest';
import { lvalueAt } from './lvalue-at.js';

const at = (line: string, word: string, offset = 0): string | null => lvalueAt(line, line.indexOf(word) + 1 + offset)?.expr ?? null;

describe('lvalueAt', () => {
  const line = '    return ohci_transfer(dev->pipe0, &setup, data, length, USB_CONTROL_TIMEOUT_MS, actual);';
  it('reads the chain to the left of the identifier under the mouse', () => {
    expect(at(line, 'pipe0')).toBe('dev->pipe0');
    expect(at(line, 'dev')).toBe('dev');
    expect(at(line, 'setup')).toBe('setup');
    expect(at('x = devices[2].desc.idVendor;', 'idVendor', 3)).toBe('devices[2].desc.idVendor');
    expect(at('x = devices[2].desc.idVendor;', 'desc')).toBe('devices[2].desc');
    expect(at('a . b -> c', 'c')).toBe('a.b->c');
  });
  it('is null on calls, keywords, numbers and blanks', () => {
    expect(at(line, 'ohci_transfer')).toBeNull();
    expect(at(line, 'return')).toBeNull();
    expect(lvalueAt('x = 42;', 6)).toBeNull();
    expect(lvalueAt('    ', 2)).toBeNull();
  });
});
