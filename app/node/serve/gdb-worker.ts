// Entry of the gdb server's worker thread (bundled as dist/gdb-worker.mjs; see gdb-host.ts).
//
// It has its own reader and Timeline over the recording file, so gdb and the UI move through the
// same recording independently, and a long reverse-continue in gdb never stalls the UI's session.
// The recording is opened read-only. It serves one gdb at a time over TCP, and the next one after
// that one leaves, until the host says stop.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { ReplayTarget } from '../../gdb/replay-target.js';
import { Timeline } from '../../replay/timeline/timeline.js';
import type { TraceReader } from '../../replay/trace/trace.js';
import { listenGdbTcp, type GdbTcpServer } from '../gdb-server-tcp.js';
import { openTraceReader } from '../trace-store/index.js';
import type { FromGdbWorker, GdbWorkerData, ToGdbWorker } from './gdb-host.js';

const port = parentPort;
if (!port) throw new Error('gdb-worker must run in a worker thread');
const data = workerData as GdbWorkerData;
const post = (m: FromGdbWorker): void => port.postMessage(m);

function listenError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const at = `${data.host}:${data.port}`;
  if (code === 'EADDRINUSE') return `cannot listen on ${at}: the port is in use (choose another, or 0 for a free one)`;
  if (code === 'EACCES') return `cannot listen on ${at}: permission denied (ports below 1024 need privileges)`;
  return `cannot listen on ${at}: ${(e as Error).message}`;
}

let reader: TraceReader | null = null;
let server: GdbTcpServer | null = null;

const shutDown = (): void => {
  server?.close();
  reader?.close();
  port.close();
};

port.on('message', (m: ToGdbWorker) => {
  if (m.type === 'stop') shutDown();
});

try {
  reader = openTraceReader(data.recordingPath);
  if (data.writeImageTo) {
    // gdb reads symbols and DWARF from an ELF on disk; the recording holds the guest image.
    mkdirSync(path.dirname(data.writeImageTo), { recursive: true });
    writeFileSync(data.writeImageTo, reader.header.guestImage);
  }
  const timeline = new Timeline(reader);
  timeline.seek(Math.min(data.at, timeline.end));
  const target = new ReplayTarget(timeline);
  try {
    server = await listenGdbTcp({
      host: data.host, port: data.port, target, keepListening: true,
      log: (line) => post({ type: 'log', line }),
      onClient: (connected, address) => post({ type: 'client', connected, address }),
    });
  } catch (e) {
    throw new Error(listenError(e));
  }
  post({ type: 'listening', host: server.host, port: server.port, at: timeline.position });
} catch (e) {
  post({ type: 'failed', message: e instanceof Error ? e.message : String(e) });
  shutDown();
}
