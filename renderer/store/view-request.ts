// What each move asks the host to answer with: everything the panels show, in one round trip.

import type { ViewRequest } from '../../app/protocol/index.js';
import type { Store } from './types.js';

export const DISASM_BEFORE = 20;
export const DISASM_AFTER = 30;

export function viewRequest(s: Store): ViewRequest {
  return {
    disasm: { before: DISASM_BEFORE, after: DISASM_AFTER },
    console: { from: s.consoleBytes.length },
    ...(s.memAddr !== null ? { memory: { addr: s.memAddr, len: s.memLen } } : {}),
    // Source line, call stack and frame 0's variables (a move shows frame 0): still one round trip.
    source: true, stack: true, variables: { frame: 0 },
  };
}

/**
 * What a seek from the scrubber asks for: everything but the source line, the call stack and the
 * variables (the dearest part for the host and for the page: a source editor that changes file and
 * line 25 times a second costs the page ~15 % of its frame time, measured, and is unreadable at
 * that pace). Once the scrubber stops, one request with the whole view (`viewRequest`) fills them
 * in; until then those panels show the last settled position, dimmed.
 */
export function scrubViewRequest(s: Store): ViewRequest {
  const { source: _source, stack: _stack, variables: _variables, ...rest } = viewRequest(s);
  return rest;
}

/** What each frame of a Replay asks for: the scrubber's view and the source line (20 frames a second, watched). */
export function playbackViewRequest(s: Store): ViewRequest {
  return { ...scrubViewRequest(s), source: true };
}
