// What the UI should show, computed from the recording with the core itself (not through the UI).

import { openTraceReader } from '../app/node/trace-store/index.js';
import { ConsoleOutput } from '../app/session/console-output.js';

/** The console bytes before position `icount`, as text lines (what xterm shows with convertEol). */
export function expectedConsole(file: string, icount: number): { length: number; lines: string[] } {
  const reader = openTraceReader(file);
  try {
    const c = new ConsoleOutput(reader);
    const length = c.lengthAt(icount);
    const lines = c.slice(0, length).split('\n').map((l) => l.trimEnd());
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return { length, lines };
  } finally {
    reader.close();
  }
}

/** The visible console lines must be the last lines of the expected text. */
export function tailMatches(visible: string[], expected: string[]): boolean {
  if (visible.length === 0) return expected.length === 0;
  const tail = expected.slice(-visible.length);
  return tail.length === visible.length && tail.every((l, i) => l === visible[i]);
}
