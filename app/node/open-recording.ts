// Opens a recording for a command, turning format problems into clear CLI errors.

import { TraceFormatError, type TraceReader } from '../replay/trace/trace.js';
import { Timeline } from '../replay/timeline/timeline.js';
import { openTraceReader } from './trace-store/index.js';
import { CliError } from './io.js';

export function openRecording(file: string): TraceReader {
  try {
    return openTraceReader(file);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new CliError(e.message);
    throw e;
  }
}

export function openTimeline(reader: TraceReader): Timeline {
  try {
    return new Timeline(reader);
  } catch (e) {
    if (e instanceof TraceFormatError) throw new CliError(e.message);
    throw e;
  }
}
