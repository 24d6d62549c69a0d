// Versioned save/load of the machine's non-RAM state: the hart's architectural state, the run
// loop's pending exit, and one section per device. RAM is saved separately (page by page) by the
// snapshot code, because it is large and mostly unchanged between snapshots.
//
// Layout: magic "HSMS", format version, then sections [name, version, length, bytes].

import type { Snapshotable } from '../bus/device.js';
import type { Hart } from '../cpu/hart.js';
import type { RunLoop } from './run-loop.js';
import { StateFormatError, StateReader, StateWriter } from './state-codec.js';

export type { Snapshotable };

const MAGIC = 0x534d5348; // "HSMS" little-endian
export const MACHINE_STATE_VERSION = 1;
const HART_STATE_VERSION = 1;

function saveHart(h: Hart, w: StateWriter): void {
  w.i32array(h.x);
  w.i32(h.pc).u53(h.icount).u53(h.idleTicks).u8(h.priv).bool(h.waiting);
  for (const v of [h.mstatus, h.medeleg, h.mideleg, h.mie, h.mipHw, h.mipSw, h.mtvec, h.mscratch, h.mepc, h.mcause,
    h.mtval, h.mcounteren, h.mcountinhibit, h.menvcfg, h.stvec, h.sscratch, h.sepc, h.scause, h.stval, h.scounteren,
    h.senvcfg, h.satp, h.reservation]) w.i32(v);
  w.i32array(h.pmpcfg).i32array(h.pmpaddr);
  w.str(h.minstretOffset.toString()).str(h.mcycleOffset.toString());
}

function loadHart(h: Hart, r: StateReader): void {
  r.i32array(h.x);
  h.x[0] = 0;
  h.pc = r.i32();
  h.icount = r.u53();
  h.idleTicks = r.u53();
  h.priv = r.u8();
  h.waiting = r.bool();
  h.mstatus = r.i32(); h.medeleg = r.i32(); h.mideleg = r.i32(); h.mie = r.i32(); h.mipHw = r.i32(); h.mipSw = r.i32();
  h.mtvec = r.i32(); h.mscratch = r.i32(); h.mepc = r.i32(); h.mcause = r.i32(); h.mtval = r.i32();
  h.mcounteren = r.i32(); h.mcountinhibit = r.i32(); h.menvcfg = r.i32(); h.stvec = r.i32(); h.sscratch = r.i32();
  h.sepc = r.i32(); h.scause = r.i32(); h.stval = r.i32(); h.scounteren = r.i32(); h.senvcfg = r.i32();
  h.satp = r.i32(); h.reservation = r.i32();
  r.i32array(h.pmpcfg);
  r.i32array(h.pmpaddr);
  h.minstretOffset = BigInt(r.str());
  h.mcycleOffset = BigInt(r.str());
  h.exit = 0;
}

export function saveMachineState(hart: Hart, loop: RunLoop, parts: readonly Snapshotable[]): Uint8Array {
  const w = new StateWriter(4096);
  w.u32(MAGIC).u32(MACHINE_STATE_VERSION);
  const section = (name: string, version: number, fill: (w: StateWriter) => void): void => {
    const inner = new StateWriter();
    fill(inner);
    w.str(name).u32(version).bytes(inner.finish());
  };
  section('hart', HART_STATE_VERSION, (s) => saveHart(hart, s));
  section('run-loop', 1, (s) => {
    s.bool(loop.exitRequest !== null);
    if (loop.exitRequest) s.i32(loop.exitRequest.code).str(loop.exitRequest.source);
  });
  for (const p of parts) section(p.stateName, p.stateVersion, (s) => p.saveState(s));
  return w.finish();
}

/**
 * Guest time (ticks) of a saved state, without loading it: which moment of a sleeping hart it was
 * taken at (while the hart sleeps in WFI its icount stands still and time goes on).
 */
export function savedStateTicks(bytes: Uint8Array): number {
  const r = new StateReader(bytes, 'machine state');
  if (r.u32() !== MAGIC) throw new StateFormatError('machine state: bad magic (not a Hindsight machine state)');
  const version = r.u32();
  if (version !== MACHINE_STATE_VERSION) throw new StateFormatError(`machine state: made by format version ${version}, this is version ${MACHINE_STATE_VERSION}`);
  while (r.remaining > 0) {
    const name = r.str();
    r.u32();
    const data = r.bytes();
    if (name !== 'hart') continue;
    const h = new StateReader(data, 'machine state section "hart"');
    h.i32array(); // x registers
    h.i32(); // pc
    const icount = h.u53();
    return icount + h.u53(); // + idleTicks
  }
  throw new StateFormatError('machine state: section "hart" is missing');
}

export function loadMachineState(bytes: Uint8Array, hart: Hart, loop: RunLoop, parts: readonly Snapshotable[]): void {
  const r = new StateReader(bytes, 'machine state');
  if (r.u32() !== MAGIC) throw new StateFormatError('machine state: bad magic (not a Hindsight machine state)');
  const version = r.u32();
  if (version !== MACHINE_STATE_VERSION) {
    throw new StateFormatError(`machine state: made by format version ${version}, this is version ${MACHINE_STATE_VERSION}`);
  }
  const sections = new Map<string, { version: number; data: Uint8Array }>();
  while (r.remaining > 0) {
    const name = r.str();
    const v = r.u32();
    sections.set(name, { version: v, data: r.bytes() });
  }
  const take = (name: string): { version: number; reader: StateReader } => {
    const s = sections.get(name);
    if (!s) throw new StateFormatError(`machine state: section "${name}" is missing`);
    return { version: s.version, reader: new StateReader(s.data, `machine state section "${name}"`) };
  };
  const hs = take('hart');
  if (hs.version !== HART_STATE_VERSION) throw new StateFormatError(`hart state version ${hs.version} is not supported`);
  loadHart(hart, hs.reader);
  hs.reader.expectEnd();
  const ls = take('run-loop').reader;
  loop.exitRequest = ls.bool() ? { code: ls.i32(), source: ls.str() } : null;
  for (const p of parts) {
    const s = take(p.stateName);
    p.loadState(s.reader, s.version);
    s.reader.expectEnd();
  }
}
