// The source-level services over real firmware: source lines at the pc, source files (found and
// not on this machine), breakpoints by line, call stacks, variables and hover evaluation, a
// stripped ELF, and the demo story's DMA write traced back to the driver line that asked for it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryTrace } from '../replay/trace/memory-trace.js';
import { TRACE_FORMAT_VERSION } from '../replay/trace/trace.js';
import { openTraceReader } from '../node/trace-store/index.js';
import { findSourceFile } from '../node/serve/source-lookup.js';
import type { VariableDto } from '../protocol/source-dto.js';
import { DebugSession, type SessionPorts } from './session.js';
import { SessionError, toProtocolError } from './errors.js';
import { guiltyFrame } from './dma-origin.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIRMWARE = path.join(ROOT, 'assets/firmware');
const elf = (name: string): string => path.join(FIRMWARE, 'elf', name);

function ports(): SessionPorts {
  const traces = new Map<string, MemoryTrace>();
  let n = 0;
  return {
    createdBy: 'hindsight-test',
    openTrace(p) {
      const t = traces.get(p);
      if (t) return t;
      return openTraceReader(p);
    },
    readFile: (p) => readFileSync(p),
    scratchRecording() {
      const p = `mem:${++n}`;
      return { path: p, create: (h) => { const t = new MemoryTrace({ ...h, formatVersion: TRACE_FORMAT_VERSION, guestImageSha256: 'test' }); traces.set(p, t); return t; } };
    },
    copyRecording() { throw new SessionError('bad-request', 'not in this test'); },
    // As `hindsight serve` looks (beside the ELF and its parents), without the bundled-firmware fallback.
    readSourceFile: (r) => findSourceFile(r, []),
  };
}

const code = (f: () => unknown): string => { try { f(); return 'none'; } catch (e) { return toProtocolError(e).code; } };

function find(vars: readonly VariableDto[], name: string): VariableDto {
  const v = vars.find((x) => x.name === name);
  if (!v) throw new Error(`no ${name} in ${vars.map((x) => x.name).join(', ')}`);
  return v;
}

describe('source level over the sample shell', () => {
  const session = new DebugSession(ports());
  beforeAll(async () => { await session.handleAsync('openElf', { path: elf('shell.elf'), serialInput: readFileSync(path.join(FIRMWARE, 'shell-demo.txt'), 'latin1') }); });

  it('puts a breakpoint on a source line, stops there, and shows the line, stack and locals', () => {
    const file = session.handle('sourceFile', { path: 'main-shell.c' });
    expect(file.found).toBe(true);
    if (!file.found) return;
    expect(file.hostPath).toBe(path.join(FIRMWARE, 'main-shell.c'));
    expect(file.text).toBe(readFileSync(path.join(FIRMWARE, 'main-shell.c'), 'utf8'));
    // The line that runs a command: `static void run_command(char *line)`'s dispatch loop.
    const lines = file.text.split('\n');
    const target = lines.findIndex((l) => /^\s*read_line\(/.test(l) || /read_line\(line/.test(l)) + 1;
    expect(target).toBeGreaterThan(0);
    expect(file.codeLines).toContain(target);
    const at = session.handle('lineAddresses', { file: 'main-shell.c', line: target });
    expect(at.line).toBe(target);
    expect(at.addresses.length).toBeGreaterThan(0);
    session.handle('seek', { icount: 0, view: {} });
    const hit = session.handle('continue', { breakpoints: [...at.addresses], view: { source: true, stack: true, variables: { frame: 0 } } });
    expect(hit.stop.kind).toBe('breakpoint');
    expect(hit.view.source?.location).toMatchObject({ file: 'main-shell.c', line: target });
    const frames = hit.view.stack!.frames;
    expect(frames[frames.length - 1]!.function).toBe('main');
    expect(frames[0]!.location?.line).toBe(target);
    const vars = hit.view.variables!;
    expect(vars.frame).toBe(0);
    expect(vars.globals.map((g) => g.name)).toEqual(expect.arrayContaining(['devices', 'n_devices', 'commands']));
    // Each global in memory has the range the UI asks previous/next write about.
    const devices = find(vars.globals, 'devices');
    expect(devices.address).toBe(session.handle('resolve', { expr: 'devices' }).addr);
    expect(devices.size).toBe(session.handle('resolve', { expr: 'devices' }).len);
    // The list holds roots only: an aggregate says it expands, its children come from expandVariable.
    expect(devices).toMatchObject({ expandable: true });
    expect(devices.children).toBeUndefined();
    expect(find(vars.globals, 'n_devices')).toMatchObject({ expandable: false });
  });

  it('expands a variable level by level and evaluates lvalues for hover', () => {
    const nd = session.handle('evaluate', { expr: 'n_devices', frame: 0 });
    expect(nd.typeName).toBe('int');
    expect(nd.display).toBe('0'); // no USB device attached in this recording
    const root = session.handle('expandVariable', { ref: { root: 'g:devices', path: [] } });
    expect(root.children).toHaveLength(4);
    const d0 = session.handle('expandVariable', { ref: { root: 'g:devices', path: [0] } });
    expect(d0.children!.map((c) => c.name)).toEqual(expect.arrayContaining(['port', 'ep0', 'config', 'desc', 'product']));
    const port = session.handle('evaluate', { expr: 'devices[0].desc.idVendor', frame: 0 });
    expect(port).toMatchObject({ name: 'idVendor', typeName: 'uint16_t', size: 2 });
    expect(port.address).toBe(find(d0.children!, 'desc').address! + 8);
    // The ref of an evaluated node expands like any other.
    const again = session.handle('expandVariable', { ref: port.ref });
    expect(again.display).toBe(port.display);
    expect(code(() => session.handle('evaluate', { expr: 'no_such_variable', frame: 0 }))).toBe('bad-address');
    expect(code(() => session.handle('evaluate', { expr: 'devices[0]+1', frame: 0 }))).toBe('bad-request');
    expect(code(() => session.handle('evaluate', { expr: 'devices[0].nope', frame: 0 }))).toBe('bad-address');
    expect(code(() => session.handle('expandVariable', { ref: { root: 'x', path: [] } }))).toBe('bad-request');
    expect(code(() => session.handle('variables', { frame: -1 }))).toBe('bad-request');
  });

  it('expands any window of a long array, and names each element by its real index', () => {
    const d0 = session.handle('expandVariable', { ref: { root: 'g:devices', path: [0] } });
    const ci = d0.children!.findIndex((c) => c.name === 'config');
    const config = d0.children![ci]!; // uint8_t config[512]
    const first = session.handle('expandVariable', { ref: config.ref });
    expect(first).toMatchObject({ elementCount: 512, expandable: true });
    expect(first.children!.map((c) => c.name)).toEqual(Array.from({ length: 100 }, (_, i) => `[${i}]`));
    const tail = session.handle('expandVariable', { ref: config.ref, elements: { from: 400, count: 200 } });
    expect(tail.children!.map((c) => c.name)).toEqual(Array.from({ length: 112 }, (_, i) => `[${400 + i}]`));
    expect(tail.children!.map((c) => c.ref.path)).toEqual(Array.from({ length: 112 }, (_, i) => [0, ci, 400 + i]));
    expect(tail.children![111]!.address).toBe(config.address! + 511);
    // An element past any window is a ref like the others.
    const last = session.handle('expandVariable', { ref: { root: 'g:devices', path: [0, ci, 511] } });
    expect(last).toMatchObject({ name: '[511]', address: config.address! + 511, size: 1, display: tail.children![111]!.display });
    expect(code(() => session.handle('expandVariable', { ref: { root: 'g:devices', path: [0, ci, 512] } }))).toBe('bad-request');
    // Hover follows any index too, and names the same node.
    expect(session.handle('evaluate', { expr: 'devices[0].config[511]', frame: 0 })).toMatchObject({ ref: last.ref, address: last.address, display: last.display });
    expect(code(() => session.handle('evaluate', { expr: 'devices[0].config[512]', frame: 0 }))).toBe('bad-address');
    expect(code(() => session.handle('expandVariable', { ref: config.ref, elements: { from: 0, count: 5000 } }))).toBe('bad-request');
  });

  it('says when a source file is not on this machine, or not a source of the image', () => {
    // A file of another folder than the unit's main source (found beside the ELF's parent).
    const ohci = session.handle('sourceFile', { path: 'lib/ohci.c' });
    expect(ohci).toMatchObject({ found: true, hostPath: path.join(FIRMWARE, 'lib/ohci.c') });
    const libc = session.handle('sourceFile', { path: '../../../newlib/libc/tinystdio/vfprintf.c' });
    expect(libc.found).toBe(false);
    if (!libc.found) {
      expect(libc.reason).toMatch(/not on this machine/);
      expect(libc.codeLines.length).toBeGreaterThan(0);
    }
    const other = session.handle('sourceFile', { path: '/etc/passwd' });
    expect(other).toMatchObject({ found: false, reason: expect.stringMatching(/not a source file of the guest image/) });
  });

  it('says where the pc has no source line (the reset ROM)', () => {
    const r = session.handle('seek', { icount: 0, view: { source: true, stack: true } });
    expect(r.view.source).toEqual({ location: null, note: 'no source line for 0x1000' });
    // One frame at the pc, with nothing known about it.
    expect(r.view.stack!.frames).toMatchObject([{ pc: 0x1000, function: null, location: null }]);
  });
});

describe('a stripped ELF', () => {
  const session = new DebugSession(ports());
  beforeAll(async () => { await session.handleAsync('openElf', { path: elf('workload-O0-stripped.elf'), maxInsns: 200_000 }); });

  it('says there is no DWARF in the source, variables and hover answers', () => {
    const v = session.handle('seek', { icount: 100_000, view: { source: true, stack: true, variables: { frame: 0 } } }).view;
    expect(v.source!.location).toBeNull();
    expect(v.source!.note).toMatch(/no DWARF .*stripped/);
    expect(v.variables!.note).toMatch(/stripped/);
    expect(v.variables!.globals).toEqual([]);
    expect(v.stack!.note).toMatch(/stripped/);
    expect(code(() => session.handle('evaluate', { expr: 'sort_buf', frame: 0 }))).toBe('bad-address');
  });
});

describe('guiltyFrame', () => {
  const f = (fn: string, file: string, line: number) => ({ index: 0, pc: 0, function: fn, inlined: false, method: 'cfi', location: { file, line, column: 0, function: fn } });
  it('is the first frame that differs from the previous request, else the first outside frame 0\'s file', () => {
    const common = [f('ohci_sleep', 'lib/ohci.c', 10), f('usb_control', 'lib/usb.c', 59)];
    expect(guiltyFrame([...common, f('enumerate', 'lib/usb.c', 245)], [...common, f('enumerate', 'lib/usb.c', 234)])).toBe(2);
    expect(guiltyFrame([...common, f('enumerate', 'lib/usb.c', 245)], null)).toBe(1);
    expect(guiltyFrame([], null)).toBeNull();
  });
});

// The demo story: shell-demo-bug.elf with a virtual CDC-ACM device faults; the corrupted pointer's
// previous write is the controller's DMA, traced to the driver line that asked for wTotalLength bytes.
const CLI = path.join(ROOT, 'bin/hindsight.mjs');
const built = spawnSync(process.execPath, [CLI, 'help'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!built)(`the demo bug${built ? '' : ' (skipped: the CLI is not built: npm run build)'}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hindsight-demo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const record = (name: string): string => {
    const out = path.join(dir, `${name}.hsrec`);
    const input = path.join(dir, 'input.txt');
    rmSync(input, { force: true });
    spawnSync('sh', ['-c', `printf 'lsusb\\necho hi\\npoweroff\\n' > ${input}`]);
    const r = spawnSync(process.execPath, [CLI, 'record', elf(`${name}.elf`), '--usb', 'virtual:cdc-acm', '--serial-in', input, '-o', out, '--force'], { encoding: 'utf8' });
    expect([0, 3]).toContain(r.status);
    return out;
  };

  it('faults on the overwritten pipe pointer; previous write is the DMA of GET_DESCRIPTOR(CONFIGURATION) asked for by enumerate', () => {
    const session = new DebugSession(ports());
    const info = session.handle('openRecording', { path: record('shell-demo-bug') });
    expect(info.endReason).toMatch(/exit code 3/);
    const summary = session.handle('timelineSummary', {});
    expect(summary.traps).toHaveLength(1);
    const fault = summary.traps[0]!;
    expect(fault.cause).toMatch(/load access fault/);
    const at = session.handle('seek', { icount: fault.icount, view: { source: true, stack: true, variables: { frame: 0 } } }).view;
    expect(at.source!.location!.file).toBe('lib/ohci.c');
    const frames = at.stack!.frames;
    const control = frames.findIndex((f) => f.function === 'usb_control');
    expect(control).toBeGreaterThan(0);
    // In usb_control's frame, dev->pipe0 holds descriptor bytes, not a pointer into RAM.
    const pipe = session.handle('evaluate', { expr: 'dev->pipe0', frame: control });
    expect(pipe.display).toMatch(/^0x2[0-9a-f]{6}$/);
    expect(pipe.address).toBeDefined();
    const w = session.handle('previousWrite', { addr: pipe.address!, len: pipe.size });
    expect(w).toMatchObject({ found: true, writer: 'dma' });
    if (!w.found) return;
    expect(w.new).toBe(pipe.display.slice(2).padStart(8, '0').match(/../g)!.reverse().join(''));
    const dma = w.dma!;
    expect(dma.request).toMatch(/GET_DESCRIPTOR\(CONFIGURATION/);
    expect(dma.requestedLength).toBe(67);
    expect(dma.actualLength).toBe(67);
    expect(dma.guilty).not.toBeNull();
    const guilty = dma.requestedBy[dma.guilty!]!;
    const usbC = readFileSync(path.join(FIRMWARE, 'lib/usb.c'), 'utf8').split('\n');
    expect(guilty.location!.file).toBe('lib/usb.c');
    expect(usbC[guilty.location!.line - 1]).toMatch(/get_descriptor\(dev, USB_DT_CONFIG, 0, 0, dev->config, total, &got\)/);
    // Further back: the CPU store that set the pointer in the first place.
    const earlier = session.handle('previousWrite', { addr: pipe.address!, len: pipe.size, at: w.icount });
    expect(earlier).toMatchObject({ found: true, writer: 'cpu' });
  });

  it('the control build (shell.elf) does not fault with the same device and input', () => {
    const session = new DebugSession(ports());
    const info = session.handle('openRecording', { path: record('shell') });
    expect(info.endReason).toMatch(/exit code 0/);
    expect(session.handle('timelineSummary', {}).traps).toEqual([]);
  });
});
