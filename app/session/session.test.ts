import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemoryTrace } from '../replay/trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../replay/trace/trace.js';
import { Timeline } from '../replay/timeline/timeline.js';
import { WriteIndex } from '../replay/write-index/write-index.js';
import type { MoveResult, ViewRequest } from '../protocol/dto.js';
import { DebugSession, type SessionPorts } from './session.js';
import { executeWatchingWrites, mergeWrites } from './instruction-writes.js';
import { PAGE_WATCHED } from '../engine/bus/bus.js';
import { SessionError, toProtocolError } from './errors.js';

const SHELL = 'assets/firmware/elf/shell.elf';
const DEMO = readFileSync('assets/firmware/shell-demo.txt', 'latin1');

function memoryPorts(): SessionPorts & { traces: Map<string, MemoryTrace> } {
  const traces = new Map<string, MemoryTrace>();
  let n = 0;
  return {
    traces,
    createdBy: 'hindsight-test',
    openTrace(path) {
      const t = traces.get(path);
      if (!t) throw new SessionError('bad-file', `no trace ${path}`);
      return t;
    },
    readFile: (path) => readFileSync(path),
    scratchRecording() {
      const path = `mem:${++n}`;
      return {
        path,
        create: (h) => {
          const t = new MemoryTrace({ ...h, formatVersion: TRACE_FORMAT_VERSION, guestImageSha256: 'test' });
          traces.set(path, t);
          return t;
        },
      };
    },
    copyRecording(from, to) {
      const t = traces.get(from);
      if (!t) throw new SessionError('bad-file', `no trace ${from}`);
      traces.set(to, t);
    },
  };
}

/** The shell recorded with its demo input, and a session on it. */
async function openShell(): Promise<{ session: DebugSession; ports: ReturnType<typeof memoryPorts>; events: string[] }> {
  const ports = memoryPorts();
  const events: string[] = [];
  const session = new DebugSession(ports, (e) => events.push(e));
  await session.handleAsync('openElf', { path: SHELL, serialInput: DEMO });
  return { session, ports, events };
}
// openElf answers later (it runs the guest in the shared record loop): recorded once, up front.
const shell = await openShell();

const VIEW: ViewRequest = { disasm: { before: 4, after: 4 }, console: { from: 0 }, memory: { addr: 0x80000000, len: 16 } };

describe('DebugSession over the sample shell', () => {
  const { session, ports, events } = shell;
  const info = session.handle('recordingInfo', {})!;

  it('records the ELF with its input and opens the recording', () => {
    expect(info.origin).toBe('recorded');
    expect(info.end).toBeGreaterThan(20_000);
    expect(info.endReason).toMatch(/guest exit code 0/);
    expect(events).toContain('recordingOpened');
    expect(info.complete).toBe(true);
  });

  it('reads the recording ahead and rehearses it in idle steps that leave the position as it was', async () => {
    expect(new DebugSession(memoryPorts()).idleStep()).toBe(false);
    const fresh = await openShell();
    const s = fresh.session;
    const end = s.handle('recordingInfo', {})!.end;
    const before = s.handle('seek', { icount: Math.floor(end / 2), view: { disasm: { before: 2, after: 2 } } }).view;
    let steps = 0;
    while (s.idleStep()) steps++;
    // The shell's recording has a few snapshots: reading ahead takes one step each (the open
    // read the first), rehearsing one each before the end (up to 32), the last one's step says it is done.
    const snapshots = s.handle('timelineSummary', {}).snapshots;
    expect(steps).toBe(snapshots.length - 1 + Math.min(32, snapshots.filter((i) => i < end).length) - 1);
    expect(s.idleStep()).toBe(false);
    expect(s.handle('getState', { view: { disasm: { before: 2, after: 2 } } })).toEqual(before);
  });

  it('shows the console exactly up to the position', () => {
    const end = session.handle('consoleText', { upTo: info.end, from: 0 });
    expect(end.chunk).toContain('Hello from the guest');
    expect(end.chunk.endsWith('power off\n')).toBe(true);
    // At each UART chunk's first byte, the console ends just before that byte.
    const summary = session.handle('timelineSummary', {});
    expect(summary.uart.length).toBeGreaterThan(10);
    let prev = 0;
    for (const u of summary.uart) {
      const before = session.handle('consoleText', { upTo: u.icount, from: 0 });
      const after = session.handle('consoleText', { upTo: u.icount + 1, from: before.length });
      expect(after.length).toBe(before.length + 1);
      expect(after.from).toBe(before.length);
      expect(before.length).toBeGreaterThanOrEqual(prev);
      prev = before.length;
    }
    expect(summary.usb).toEqual([]); // no USB device attached: no transfers
    expect(summary.snapshots[0]).toBe(0);
  });

  it('seeks, steps and steps back with views', () => {
    const r = session.handle('seek', { icount: 1000, view: VIEW }) as MoveResult;
    expect(r.view.state.icount).toBe(1000);
    expect(r.view.state.registers.map((x) => x.name).slice(0, 3)).toEqual(['zero', 'ra', 'sp']);
    expect(r.view.disasm!.lines.some((l) => l.address === r.view.state.pc)).toBe(true);
    expect(r.view.memory!.bytes).toHaveLength(16);
    const s = session.handle('step', { view: {} });
    expect(s.view.state.icount).toBe(1001);
    const b = session.handle('stepBack', { view: {} });
    expect(b.view.state).toEqual(r.view.state);
    expect(session.handle('seek', { icount: 0, view: {} }).stop.kind).toBe('start');
    expect(session.handle('stepBack', { view: {} }).stop.kind).toBe('start');
    expect(session.handle('seek', { icount: info.end + 10, view: {} }).view.state.icount).toBe(info.end);
  });

  it('names exactly the RAM a step wrote, also a store of the value already there', () => {
    // Brute force, independent of the session: a watchpoint over all RAM stops after each write;
    // the first CPU store whose bytes were already those it wrote.
    const tl = new Timeline(ports.openTrace(info.path));
    const m = tl.machine;
    const ram = (addr: number, len: number): number[] => [...m.bus.ram.slice(addr - info.ramBase, addr - info.ramBase + len)];
    interface Hit { readonly icount: number; readonly addr: number; readonly len: number; readonly old: number[] }
    const hits: Hit[] = [];
    let same: Hit | undefined;
    tl.seek(1000);
    m.setWatchpoints([{ addr: info.ramBase, len: info.ramSize, kind: 'write' }], (h) => {
      hits.length = 0;
      if (h.writer === 'cpu') hits.push({ icount: h.icount, addr: h.addr, len: h.len, old: ram(h.addr, h.len) });
      return 'stop';
    });
    try {
      while (!same && tl.position < tl.end) {
        hits.length = 0;
        tl.replayTo(tl.end);
        const h = hits[0];
        if (h && tl.position === h.icount + 1 && ram(h.addr, h.len).join() === h.old.join()) same = h;
      }
    } finally {
      m.setWatchpoints([]);
    }
    expect(same).toBeDefined();
    const w = same!;
    const mem = { addr: (w.addr & ~15) >>> 0, len: 32 };
    const before = session.handle('seek', { icount: w.icount, view: { memory: mem } });
    const step = session.handle('step', { view: { memory: mem } });
    expect(step.view.state.icount).toBe(w.icount + 1);
    // The bytes did not change (a value comparison shows nothing), yet the view names them.
    expect(step.view.memory!.bytes).toEqual(before.view.memory!.bytes);
    expect(step.view.writes).toEqual([{ addr: w.addr, len: w.len, writer: 'cpu' }]);
    expect(before.view.writes).toBeUndefined(); // a seek names none
    expect(session.handle('stepBack', { view: {} }).view.writes).toBeUndefined(); // step back stays on the value comparison
  });

  it('executes a step onto a snapshot\'s position (never restores it), and names no writes at the end', () => {
    const snaps = session.handle('timelineSummary', {}).snapshots.filter((s) => s > 0);
    expect(snaps.length).toBeGreaterThan(0);
    for (const at of snaps) {
      const seek = session.handle('seek', { icount: at, view: {} });
      session.handle('seek', { icount: at - 1, view: {} });
      const step = session.handle('step', { view: {} });
      expect(step.view.state).toEqual(seek.view.state);
      expect(step.view.writes).toBeDefined();
    }
    // Executed: the timeline replays the instruction, it does not restore the snapshot taken there.
    const tl = new Timeline(ports.openTrace(info.path));
    let restores = 0;
    const restore = tl.restore.bind(tl);
    tl.restore = (i) => { restores++; restore(i); };
    tl.seek(snaps[0]! - 1);
    restores = 0;
    expect(executeWatchingWrites(tl)).not.toBeNull();
    expect(tl.position).toBe(snaps[0]);
    expect(restores).toBe(0);
    session.handle('seek', { icount: info.end - 1, view: {} });
    const last = session.handle('step', { view: {} });
    expect(last.stop.kind).toBe('end');
    expect(last.view.writes).toBeDefined();
    const past = session.handle('step', { view: {} });
    expect(past.stop.kind).toBe('end');
    expect(past.view.state.icount).toBe(info.end);
    expect(past.view.writes).toBeUndefined(); // nothing executed
  });

  it('removes the step\'s write watch, also when the replay fails, and leaves another watch alone', () => {
    const tl = new Timeline(ports.openTrace(info.path));
    const bus = tl.machine.bus;
    tl.seek(2000);
    expect(executeWatchingWrites(tl)).not.toBeNull();
    expect(bus.hasWriteWatch).toBe(false);
    const failing = Object.assign(Object.create(tl) as Timeline, { replayTo: () => { throw new Error('diverged'); } });
    expect(() => executeWatchingWrites(failing)).toThrow('diverged');
    expect(bus.hasWriteWatch).toBe(false);
    expect(bus.pageFlags.every((f) => (f & PAGE_WATCHED) === 0)).toBe(true);
    // A watchpoint set by someone else stays set, and still sees the step's writes.
    const seen: number[] = [];
    tl.machine.setWatchpoints([{ addr: info.ramBase, len: info.ramSize, kind: 'write' }], (h) => { seen.push(h.icount); return 'continue'; });
    const from = tl.position;
    while (seen.length === 0 && tl.position < tl.end) expect(executeWatchingWrites(tl)).toBeNull();
    expect(seen[0]).toBe(tl.position - 1);
    expect(tl.position).toBeGreaterThan(from);
    expect(bus.hasWriteWatch).toBe(true);
    tl.machine.setWatchpoints([]);
  });

  it('merges adjacent writes of one writer, in address order', () => {
    expect(mergeWrites([
      { addr: 0x103, len: 1, writer: 'cpu' }, { addr: 0x100, len: 2, writer: 'cpu' }, { addr: 0x102, len: 1, writer: 'cpu' },
      { addr: 0x104, len: 8, writer: 'dma' }, { addr: 0x10c, len: 4, writer: 'dma' }, { addr: 0x200, len: 4, writer: 'cpu' },
      { addr: 0x100, len: 1, writer: 'cpu' },
    ])).toEqual([
      { addr: 0x100, len: 4, writer: 'cpu' }, { addr: 0x104, len: 12, writer: 'dma' }, { addr: 0x200, len: 4, writer: 'cpu' },
    ]);
  });

  it('disassembles with symbol labels', () => {
    const main = session.handle('resolve', { expr: 'main' });
    const d = session.handle('disassemble', { around: main.addr + 8, before: 10, after: 3 });
    expect(d.lines.find((l) => l.address === main.addr)?.label).toBe('main');
    expect(d.lines.some((l) => l.address === main.addr + 8)).toBe(true);
    expect(d.lines.length).toBeGreaterThanOrEqual(5);
  });

  it('finds the previous write as the write index does, and stays at the position', () => {
    const reader = ports.openTrace(info.path);
    const index = new WriteIndex(new Timeline(reader));
    // The line buffer of the shell's read loop: written by every typed character.
    const syms = session.handle('symbols', {});
    const obj = syms.find((s) => s.kind === 'object' && s.size >= 4 && s.addr >= info.ramBase)!;
    const at = info.end;
    session.handle('seek', { icount: at, view: {} });
    const answer = session.handle('previousWrite', { addr: obj.addr, len: obj.size });
    const expected = index.previousWrite(obj.addr, obj.size, at);
    expect(answer.found).toBe(expected.found);
    if (answer.found && expected.found) {
      expect(answer.icount).toBe(expected.icount);
      expect(answer.pc).toBe(expected.pc);
      const there = session.handle('seek', { icount: answer.icount, view: {} });
      expect(there.view.state.pc).toBe(answer.pc);
    }
    session.handle('seek', { icount: 5000, view: {} });
    session.handle('previousWrite', { addr: obj.addr, len: obj.size });
    expect(session.handle('getState', { view: {} }).state.icount).toBe(5000);
  });

  it('continues to a breakpoint and reverse-continues back to it', () => {
    const main = session.handle('resolve', { expr: 'main' }).addr;
    session.handle('seek', { icount: 0, view: {} });
    const f = session.handle('continue', { breakpoints: [main], view: {} });
    expect(f.stop).toEqual({ kind: 'breakpoint', pc: main });
    const hit = f.view.state.icount;
    session.handle('seek', { icount: info.end, view: {} });
    const r = session.handle('reverseContinue', { breakpoints: [main], view: {} });
    expect(r.stop).toEqual({ kind: 'breakpoint', pc: main });
    expect(r.view.state.icount).toBe(hit);
    const none = session.handle('reverseContinue', { breakpoints: [main], view: {} });
    expect(none.stop.kind).toBe('not-found');
    expect(none.view.state.icount).toBe(hit);
  });

  it('continues until a position at the latest (the UI\'s Replay), stopping at breakpoints before it', () => {
    const main = session.handle('resolve', { expr: 'main' }).addr;
    session.handle('seek', { icount: 0, view: {} });
    const hit = session.handle('continue', { breakpoints: [main], view: {} }).view.state.icount;
    session.handle('seek', { icount: 0, view: {} });
    const short = session.handle('continue', { breakpoints: [main], until: hit - 1, view: {} });
    expect(short.stop).toEqual({ kind: 'position' });
    expect(short.view.state.icount).toBe(hit - 1);
    // Behind the position: stays put.
    expect(session.handle('continue', { breakpoints: [], until: 10, view: {} }).view.state.icount).toBe(hit - 1);
    const through = session.handle('continue', { breakpoints: [main], until: hit + 100, view: {} });
    expect(through.stop).toEqual({ kind: 'breakpoint', pc: main });
    expect(through.view.state.icount).toBe(hit);
    // Past the end: the end.
    const last = session.handle('continue', { breakpoints: [], until: info.end + 1000, view: {} });
    expect(last.view.state.icount).toBe(info.end);
    expect(last.stop.kind).toBe('exit'); // this guest powers off at the end
    const code = (): string => { try { session.handle('continue', { breakpoints: [], until: -1, view: {} }); return 'none'; } catch (e) { return toProtocolError(e).code; } };
    expect(code()).toBe('bad-request');
  });

  it('answers bad params and addresses with clear errors', () => {
    const code = (f: () => unknown): string => { try { f(); return 'none'; } catch (e) { return toProtocolError(e).code; } };
    expect(code(() => session.handle('seek', { icount: -1, view: {} }))).toBe('bad-request');
    expect(code(() => session.handle('seek', { icount: '5', view: {} } as never))).toBe('bad-request');
    expect(code(() => session.handle('nosuch' as never, {} as never))).toBe('bad-request');
    expect(code(() => session.handle('previousWrite', { addr: 0x1000, len: 4 }))).toBe('bad-address');
    expect(code(() => session.handle('resolve', { expr: 'no_such_symbol' }))).toBe('bad-address');
    expect(session.handle('readMemory', { addr: 0x10000000, len: 2 }).bytes).toEqual([null, null]);
  });

  it('says no recording is open before one is', () => {
    const s = new DebugSession(memoryPorts());
    expect(s.handle('recordingInfo', {})).toBeNull();
    expect(() => s.handle('getState', { view: {} })).toThrow(/no recording/);
  });
});
