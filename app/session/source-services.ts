// The source-level services (sourceFile, lineAddresses, callStack, variables, expandVariable,
// evaluate) and the source parts of a view, over a SourceLevel and the timeline's machine. Kept
// out of session.ts so the session only dispatches.

import type { SourceView, SourceViewRequest, VariableRef } from '../protocol/source-dto.js';
import type { ElementWindow } from '../debuginfo/index.js';
import type { Machine } from '../engine/machine/machine.js';
import type { StoredSourceRead } from '../replay/trace/trace.js';
import { SessionError } from './errors.js';
import { int, obj, str } from './params.js';
import { sourceFile, type SourceFileRead, type SourceFileRequest } from './source-files.js';
import type { MachineAccess, SourceLevel } from './source-level.js';

export type SourceServiceName = 'sourceFile' | 'lineAddresses' | 'callStack' | 'variables' | 'expandVariable' | 'evaluate';

export const SOURCE_SERVICES: readonly SourceServiceName[] = ['sourceFile', 'lineAddresses', 'callStack', 'variables', 'expandVariable', 'evaluate'];

export function isSourceService(m: string): m is SourceServiceName {
  return (SOURCE_SERVICES as readonly string[]).includes(m);
}

const MAX_FRAME = 4096;
const MAX_LINE = 10_000_000;

export interface SourceContext {
  readonly src: SourceLevel;
  readonly machine: Machine;
  readonly imagePath: string | undefined;
  readonly readSourceFile: (r: SourceFileRequest) => SourceFileRead;
  /** The recording's stored copy of a source file (tried first), or null when it holds none. */
  readonly readStoredSource?: (path: string) => StoredSourceRead | null;
}

/** The machine at the timeline's position, as source-level code reads it. */
export function machineAccess(m: Machine): MachineAccess {
  const bus = m.bus;
  return {
    pc: m.hart.pc >>> 0,
    regs: Array.from(m.hart.x, (v) => v >>> 0),
    readMemory(addr, len) {
      // RAM and ROM only: a read of a device register can have side effects (a UART FIFO pops).
      if (len <= 0 || len > 1 << 20) return null;
      if (bus.isRam(addr, len)) {
        const off = (addr >>> 0) - bus.ramBase;
        return bus.ram.slice(off, off + len);
      }
      if (bus.romOffset(addr, len) >= 0) {
        const out = new Uint8Array(len);
        for (let i = 0; i < len; i++) out[i] = bus.read((addr + i) >>> 0, 1);
        return out;
      }
      return null;
    },
  };
}

export function runSourceService(method: SourceServiceName, p: Record<string, unknown>, ctx: SourceContext): unknown {
  const m = (): MachineAccess => machineAccess(ctx.machine);
  switch (method) {
    case 'sourceFile': return sourceFile(ctx.src, str(p, 'path'), ctx.imagePath, ctx.readSourceFile, ctx.readStoredSource);
    case 'lineAddresses': return ctx.src.lineAddresses(str(p, 'file'), int(p, 'line', 1, MAX_LINE));
    case 'callStack': return ctx.src.stack(m());
    case 'variables': return ctx.src.variables(m(), int(p, 'frame', 0, MAX_FRAME));
    case 'expandVariable': return ctx.src.expand(m(), variableRef(p.ref), p.elements === undefined ? undefined : elementWindow(obj(p.elements, 'elements')));
    case 'evaluate': return ctx.src.evaluate(m(), str(p, 'expr'), int(p, 'frame', 0, MAX_FRAME));
  }
}

/** Elements a client may ask for at once (the panel asks for groups of 100). */
const MAX_ELEMENTS = 1000;
/** A child index (an element of an array: 2^31 - 1 is more than any guest's RAM holds of bytes). */
const MAX_CHILD_INDEX = 0x7fff_ffff;

function elementWindow(o: Record<string, unknown>): ElementWindow {
  return { from: int(o, 'from', 0, MAX_CHILD_INDEX), count: int(o, 'count', 0, MAX_ELEMENTS) };
}

/** The source parts a view asked for. */
export function sourceView(req: SourceViewRequest, src: SourceLevel, machine: Machine): SourceView {
  const m = machineAccess(machine);
  return {
    ...(req.source ? { source: src.at(m) } : {}),
    ...(req.stack ? { stack: src.stack(m) } : {}),
    ...(req.variables ? { variables: src.variables(m, req.variables.frame) } : {}),
  };
}

/** Checks the source fields of a view request (the rest is checked by the session). */
export function sourceViewRequest(o: Record<string, unknown>): SourceViewRequest {
  const flag = (k: string): boolean | undefined => {
    if (o[k] === undefined) return undefined;
    if (typeof o[k] !== 'boolean') throw new SessionError('bad-request', `view.${k}: expected a boolean`);
    return o[k];
  };
  const source = flag('source');
  const stack = flag('stack');
  return {
    ...(source !== undefined ? { source } : {}),
    ...(stack !== undefined ? { stack } : {}),
    ...(o.variables !== undefined ? { variables: { frame: int(obj(o.variables, 'view.variables'), 'frame', 0, MAX_FRAME) } } : {}),
  };
}

function variableRef(v: unknown): VariableRef {
  const o = obj(v, 'ref');
  const root = str(o, 'root');
  const path = o.path;
  if (!Array.isArray(path) || path.length > 64 || path.some((i) => typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i > MAX_CHILD_INDEX)) {
    throw new SessionError('bad-request', `ref.path: expected up to 64 child indexes, each 0..${MAX_CHILD_INDEX}`);
  }
  return { root, path: path as number[] };
}
