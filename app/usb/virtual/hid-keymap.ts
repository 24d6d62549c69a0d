// Keyboard usages (HID Usage Tables 1.12, section 10, Keyboard/Keypad page 0x07), modifier bits of the
// boot report's first byte (HID 1.11 appendix B.1 / 8.3), and US-layout ASCII → usage mapping.

/** Modifier byte bits (HID 1.11, 8.3; usages 0xE0..0xE7 in order). */
export const MOD = {
  LEFT_CTRL: 0x01, LEFT_SHIFT: 0x02, LEFT_ALT: 0x04, LEFT_GUI: 0x08,
  RIGHT_CTRL: 0x10, RIGHT_SHIFT: 0x20, RIGHT_ALT: 0x40, RIGHT_GUI: 0x80,
} as const;

/** Non-character keys, for pressKey(). Letters are 0x04 + (letter - 'a'); digits 1..9 are 0x1e.., 0 is 0x27. */
export const KEY = {
  A: 0x04, Z: 0x1d, ENTER: 0x28, ESCAPE: 0x29, BACKSPACE: 0x2a, TAB: 0x2b, SPACE: 0x2c, CAPS_LOCK: 0x39,
  F1: 0x3a, F2: 0x3b, F3: 0x3c, F4: 0x3d, F5: 0x3e, F6: 0x3f, F7: 0x40, F8: 0x41, F9: 0x42, F10: 0x43, F11: 0x44, F12: 0x45,
  PRINT_SCREEN: 0x46, SCROLL_LOCK: 0x47, PAUSE: 0x48, INSERT: 0x49, HOME: 0x4a, PAGE_UP: 0x4b, DELETE: 0x4c, END: 0x4d,
  PAGE_DOWN: 0x4e, RIGHT: 0x4f, LEFT: 0x50, DOWN: 0x51, UP: 0x52, NUM_LOCK: 0x53,
} as const;

/** Highest usage the boot report descriptor declares (Logical/Usage Maximum 101, HID 1.11 E.6). */
export const MAX_BOOT_USAGE = 0x65;

export interface KeyStroke { readonly usage: number; readonly modifiers: number }

// US layout: unshifted and shifted characters of each key from 0x2c (space) to 0x38 (slash).
const PUNCTUATION: readonly [number, string, string][] = [
  [0x2c, ' ', ''], [0x2d, '-', '_'], [0x2e, '=', '+'], [0x2f, '[', '{'], [0x30, ']', '}'], [0x31, '\\', '|'],
  [0x33, ';', ':'], [0x34, "'", '"'], [0x35, '`', '~'], [0x36, ',', '<'], [0x37, '.', '>'], [0x38, '/', '?'],
];
const SHIFTED_DIGITS = '!@#$%^&*()'; // shift + 1..9, 0

const MAP = new Map<string, KeyStroke>();
(() => {
  for (let i = 0; i < 26; i++) {
    MAP.set(String.fromCharCode(0x61 + i), { usage: 0x04 + i, modifiers: 0 });
    MAP.set(String.fromCharCode(0x41 + i), { usage: 0x04 + i, modifiers: MOD.LEFT_SHIFT });
  }
  for (let d = 1; d <= 10; d++) {
    const usage = 0x1e + d - 1; // 1..9 then 0 (usage 0x27)
    MAP.set(String(d % 10), { usage, modifiers: 0 });
    MAP.set(SHIFTED_DIGITS[d - 1]!, { usage, modifiers: MOD.LEFT_SHIFT });
  }
  for (const [usage, plain, shifted] of PUNCTUATION) {
    MAP.set(plain, { usage, modifiers: 0 });
    if (shifted) MAP.set(shifted, { usage, modifiers: MOD.LEFT_SHIFT });
  }
  MAP.set('\n', { usage: KEY.ENTER, modifiers: 0 });
  MAP.set('\r', { usage: KEY.ENTER, modifiers: 0 });
  MAP.set('\t', { usage: KEY.TAB, modifiers: 0 });
  MAP.set('\b', { usage: KEY.BACKSPACE, modifiers: 0 });
  MAP.set('\x1b', { usage: KEY.ESCAPE, modifiers: 0 });
})();

/** The key (and shift) that types `ch` on a US keyboard, or undefined. */
export const keyForChar = (ch: string): KeyStroke | undefined => MAP.get(ch);

export class UntypeableCharacterError extends Error {
  readonly char: string;
  readonly index: number;
  constructor(char: string, index: number) {
    const cp = char.codePointAt(0)!;
    const shown = cp >= 0x20 && cp !== 0x7f ? ` '${char}'` : '';
    super(`cannot type U+${cp.toString(16).toUpperCase().padStart(4, '0')}${shown} at index ${index}: ` +
      'the virtual keyboard has a US layout and types printable ASCII, newline, tab, backspace and escape only');
    this.name = 'UntypeableCharacterError';
    this.char = char;
    this.index = index;
  }
}

/**
 * Keystrokes for a text; "\r\n" counts as one Enter. Throws UntypeableCharacterError for the first
 * character it cannot type, before anything is queued (so a script never types half a line).
 */
export function keystrokesFor(text: string): KeyStroke[] {
  const out: KeyStroke[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\r' && text[i + 1] === '\n') continue;
    const k = MAP.get(ch);
    if (!k) throw new UntypeableCharacterError(String.fromCodePoint(text.codePointAt(i)!), i);
    out.push(k);
  }
  return out;
}
