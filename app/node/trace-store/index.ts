// The SQLite recording store (.hsrec): the Node implementation of app/replay/trace/trace.ts.

export { createTraceWriter, TraceExistsError, type NewTraceHeader, type TraceWriterOptions } from './sqlite-trace-writer.js';
export { createThreadedTraceWriter } from './threaded-trace-writer.js';
export { openTraceReader } from './sqlite-trace-reader.js';
export { APPLICATION_ID, TRACE_FILE_EXTENSION } from './schema.js';
