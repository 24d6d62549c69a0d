// The OHCI controller inside the Machine: board map, device tree, PLIC wiring, the 'io' stop, idling
// while a transfer is pending, DMA seen by watchpoints, and slicing-independent determinism.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../machine/machine.js';
import { BOARD, boardRegions } from '../../machine/board.js';
import { buildBoardFdt } from '../../machine/fdt.js';
import { E, li, prng } from '../../cpu/test-asm.js';
import { buildElf32 } from '../../../replay/testing/elf-builder.js';
import type { StopReason } from '../../machine/stop-reason.js';
import type { UsbTransferRequest, UsbTransferResult } from './usb-types.js';
import type { UsbCompletion, UsbTransfer } from '../../../usb/usb-backend.js';
import { CS_CLF, CTL_CLE, CTL_PLE, FRAME_TICKS, HCFS_OPERATIONAL, INT_MIE, INT_RHSC, INT_WDH, PORT_PPS, PORT_PRS, REG } from './regs.js';
import { DEVICE_DESCRIPTOR, getDescriptor } from './test-kit.js';

const OHCI = BOARD.ohci.base;
const SCRATCH = 0x8001_0000;
const HCCA = 0x8002_0000;

/**
 * Polls HcInterruptStatus every ~400 instructions: ORs it into SCRATCH, clears it (write 1 to
 * clear), counts polls in SCRATCH+4. The delay loop keeps MMIO (single-stepped) rare.
 */
function pollProgram(): number[] {
  return [
    ...li(5, OHCI), ...li(6, SCRATCH),
    E('lw', { rd: 7, rs1: 5, imm: REG.InterruptStatus }), //    loop:
    E('lw', { rd: 29, rs1: 6, imm: 0 }),
    E('or', { rd: 29, rs1: 29, rs2: 7 }),
    E('sw', { rs1: 6, rs2: 29, imm: 0 }),
    E('sw', { rs1: 5, rs2: 7, imm: REG.InterruptStatus }),
    E('addi', { rd: 28, rs1: 28, imm: 1 }),
    E('sw', { rs1: 6, rs2: 28, imm: 4 }),
    E('addi', { rd: 30, rs1: 0, imm: 200 }),
    E('addi', { rd: 30, rs1: 30, imm: -1 }), //                 delay:
    E('bne', { rs1: 30, rs2: 0, imm: -4 }),
    E('jal', { rd: 0, imm: -40 }),
  ];
}

/** Sleeps in WFI with MEIE set; on each wake claims the PLIC, clears the OHCI status, counts wakes in SCRATCH+4. */
function wfiProgram(): number[] {
  return [
    ...li(5, 1 << 11), E('csrrs', { rd: 0, rs1: 5, csr: 0x304 }),
    ...li(6, 0x0c20_0004), ...li(7, OHCI), ...li(28, SCRATCH),
    E('wfi'),
    E('lw', { rd: 10, rs1: 6, imm: 0 }),
    E('lw', { rd: 11, rs1: 7, imm: REG.InterruptStatus }),
    E('sw', { rs1: 7, rs2: 11, imm: REG.InterruptStatus }),
    E('sw', { rs1: 28, rs2: 11, imm: 0 }),
    E('lw', { rd: 12, rs1: 28, imm: 4 }),
    E('addi', { rd: 12, rs1: 12, imm: 1 }),
    E('sw', { rs1: 28, rs2: 12, imm: 4 }),
    E('sw', { rs1: 6, rs2: 10, imm: 0 }),
    E('jal', { rd: 0, imm: -36 }), //                             back to the wfi
  ];
}

function boot(program: number[]): Machine {
  const code = new Uint8Array(program.length * 4);
  program.forEach((w, i) => new DataView(code.buffer).setUint32(i * 4, w >>> 0, true));
  return Machine.create({ image: { bytes: buildElf32(0x8000_0000, [{ addr: 0x8000_0000, bytes: code }]) }, ramSize: 16 << 20 });
}

const mmio = (m: Machine, off: number, v: number): void => { expect(m.bus.write(OHCI + off, 4, v >>> 0)).toBe(true); };
const w32 = (m: Machine, a: number, v: number): void => { m.bus.write(a, 4, v >>> 0); };
const r32 = (m: Machine, a: number): number => m.bus.read(a, 4) >>> 0;

/** Host-side HCD bring-up and PLIC routing of source 12 to M-mode; a full-speed device on port 1, reset. */
function bringUp(m: Machine): void {
  w32(m, 0x0c00_0000 + 4 * BOARD.ohci.irq, 1);
  w32(m, 0x0c00_2000, 1 << BOARD.ohci.irq);
  mmio(m, REG.HCCA, HCCA);
  mmio(m, REG.InterruptEnable, INT_MIE | INT_WDH | INT_RHSC);
  mmio(m, REG.RhPortStatus, PORT_PPS);
  mmio(m, REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_CLE);
  m.usb.attach(1, 'full');
  mmio(m, REG.RhPortStatus, PORT_PRS);
}

let nextFree = 0x8003_0000;
function alloc(n: number): number {
  const a = nextFree;
  nextFree += (n + 15) & ~15;
  return a;
}

/** A control ED at address 0 with GET_DESCRIPTOR(18); returns the data buffer. */
function queueGetDescriptor(m: Machine): number {
  const ed = alloc(16), setup = alloc(16), data = alloc(32), s = alloc(16), d = alloc(16), st = alloc(16), tail = alloc(16);
  m.bus.ram.set(getDescriptor(18), setup - 0x8000_0000);
  const td = (a: number, flags: number, cbp: number, len: number, next: number): void => {
    w32(m, a, flags); w32(m, a + 4, cbp); w32(m, a + 8, next); w32(m, a + 12, len ? cbp + len - 1 : 0);
  };
  td(s, (0xf << 28) | (2 << 24) | (6 << 21), setup, 8, d);
  td(d, (0xf << 28) | (3 << 24) | (6 << 21) | (2 << 19) | (1 << 18), data, 18, st);
  td(st, (0xf << 28) | (3 << 24) | (1 << 19), 0, 0, tail);
  w32(m, ed, 8 << 16); w32(m, ed + 4, tail); w32(m, ed + 8, s); w32(m, ed + 12, 0);
  mmio(m, REG.ControlHeadED, ed);
  mmio(m, REG.CommandStatus, CS_CLF);
  return data;
}

/** An interrupt IN ED at address 0 on every interrupt table entry, one 8-byte TD. */
function queueInterruptIn(m: Machine): void {
  const ed = alloc(16), td = alloc(16), buf = alloc(16), tail = alloc(16);
  w32(m, td, (0xf << 28) | (1 << 18)); w32(m, td + 4, buf); w32(m, td + 8, tail); w32(m, td + 12, buf + 7);
  w32(m, ed, (1 << 7) | (2 << 11) | (8 << 16)); w32(m, ed + 4, tail); w32(m, ed + 8, td); w32(m, ed + 12, 0);
  for (let i = 0; i < 32; i++) w32(m, HCCA + 4 * i, ed);
}

function runUntil(m: Machine, pred: (r: StopReason) => boolean, max = 200_000_000): StopReason {
  for (;;) {
    const r = m.run({ maxInstructions: 1_000_000 });
    if (pred(r) || m.icount > max) return r;
  }
}

describe('OHCI in the Machine', () => {
  it('is on the board at 0x10010000, PLIC source 12, with a generic-ohci device-tree node', () => {
    expect(BOARD.ohci).toMatchObject({ kind: 'ohci', base: 0x1001_0000, size: 0x1000, irq: 12 });
    const soc = buildBoardFdt(boardRegions()).children.find((c) => c.name === 'soc')!;
    const usb = soc.children.find((c) => c.name === 'usb@10010000')!;
    const prop = (n: string): number[] => Array.from(usb.properties.find((p) => p.name === n)!.value);
    expect(String.fromCharCode(...prop('compatible'))).toBe('generic-ohci\0');
    expect(prop('interrupts')).toEqual([0, 0, 0, 12]);
    expect(prop('reg')).toEqual([0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0]);
    expect(prop('num-ports')).toEqual([0, 0, 0, 2]);
    const m = boot(pollProgram());
    expect(r32(m, OHCI + REG.Revision)).toBe(0x10);
    expect(m.bus.read(OHCI + 0x100, 4)).toBe(-1); // past the decoded registers: access fault
  });

  it('returns { kind: "io" } right after a transfer request, only when the host listens', () => {
    const listening = boot(pollProgram());
    const deaf = boot(pollProgram());
    const requests: UsbTransferRequest[] = [];
    listening.usb.onTransferRequest = (r) => { requests.push(r); };
    for (const m of [listening, deaf]) {
      bringUp(m);
      m.run({ maxInstructions: 12 * FRAME_TICKS });
      queueGetDescriptor(m);
    }
    const r = listening.run({ maxInstructions: 5 * FRAME_TICKS });
    expect(r).toEqual({ kind: 'io' });
    expect(requests).toHaveLength(1);
    const at = listening.icount;
    expect(deaf.run({ maxInstructions: 5 * FRAME_TICKS })).toEqual({ kind: 'limit' });
    expect(deaf.usb.pendingTransfers()).toHaveLength(1);
    // The request went out at the same instruction in both.
    expect(deaf.usb.pendingTransfers()[0]).toEqual(requests[0]);
    expect(deaf.icount).toBeGreaterThan(at);
    // Compile-time check that the engine's mirror types fit app/usb's backend contract.
    const asTransfer: UsbTransfer = requests[0]!;
    const completion: UsbCompletion = { status: 'ok', data: DEVICE_DESCRIPTOR, actualLength: 18 };
    const asResult: UsbTransferResult = completion;
    expect(asTransfer.kind).toBe('control');
    expect(listening.usb.completeTransfer(requests[0]!.id, asResult)).toBe(true);
    expect(listening.run({ maxInstructions: 5 * FRAME_TICKS })).toEqual({ kind: 'limit' });
    expect(r32(listening, SCRATCH) & INT_WDH).toBe(INT_WDH); // the guest saw WDH
  });

  it('DMA into RAM is writer "dma" for watchpoints; WDH raises PLIC source 12', () => {
    const m = boot(pollProgram());
    bringUp(m);
    m.run({ maxInstructions: 12 * FRAME_TICKS });
    const data = queueGetDescriptor(m);
    m.usb.onTransferRequest = () => {};
    expect(runUntil(m, (r) => r.kind === 'io').kind).toBe('io');
    m.usb.completeTransfer(m.usb.pendingTransfers()[0]!.id, { status: 'ok', data: DEVICE_DESCRIPTOR, actualLength: 18 });
    m.setWatchpoints([{ addr: data, len: 18, kind: 'write' }]);
    const r = m.run({ maxInstructions: 5 * FRAME_TICKS });
    expect(r.kind).toBe('watchpoint');
    if (r.kind === 'watchpoint') expect(r.hit).toMatchObject({ writer: 'dma', addr: data, len: 18, access: 'write' });
    m.setWatchpoints([]);
    m.run({ maxInstructions: 1000 });
    expect(m.bus.ram.slice(data - 0x8000_0000, data - 0x8000_0000 + 18)).toEqual(DEVICE_DESCRIPTOR);
    expect((r32(m, 0x0c00_1000) >>> 12) & 1).toBe(1); // PLIC pending (nobody claims in this guest)
  });

  it('a guest sleeping on a pending interrupt IN makes run() return idle, not spin; an answer wakes it', () => {
    const m = boot(wfiProgram());
    const requests: UsbTransferRequest[] = [];
    m.usb.onTransferRequest = (r) => { requests.push(r); };
    bringUp(m);
    expect(m.run({ maxInstructions: 1_000_000 })).toEqual({ kind: 'idle' }); // woke for RHSC, sleeps again
    queueInterruptIn(m);
    m.usb.rescan(); // the host wrote guest RAM while the hart waits: tell the (quiet) controller
    const t0 = m.hart.ticks();
    expect(m.run({ maxInstructions: 1_000_000 })).toEqual({ kind: 'io' });
    const icount = m.icount;
    const r = m.run({ maxInstructions: 1_000_000 });
    expect(r).toEqual({ kind: 'idle' });
    expect(m.icount).toBe(icount);
    expect(m.hart.ticks() - t0).toBeLessThan(40 * FRAME_TICKS); // ~32 quiet frames, then no more deadlines
    const wakes = r32(m, SCRATCH + 4);
    expect(m.usb.completeTransfer(requests[0]!.id, { status: 'ok', data: Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0), actualLength: 8 })).toBe(true);
    expect(m.run({ maxInstructions: 1_000_000 })).toEqual({ kind: 'idle' });
    expect(r32(m, SCRATCH + 4)).toBe(wakes + 1);
    expect(r32(m, SCRATCH) & INT_WDH).toBe(INT_WDH);
    // The frame counter is right for the time that passed (no frames lost while skipping).
    const ticksSinceStart = m.hart.ticks();
    const fn = r32(m, OHCI + REG.FmNumber);
    expect(Math.abs(fn - Math.floor(ticksSinceStart / FRAME_TICKS))).toBeLessThanOrEqual(1);
  });

  it('gives the same state whatever the slicing, with requests answered at the io stops', () => {
    const drive = (slice: () => number): { hash: string; icount: number; ids: number[]; wdh: number } => {
      nextFree = 0x8003_0000;
      const m = boot(pollProgram());
      const ids: number[] = [];
      m.usb.onTransferRequest = (r) => { ids.push(r.id); };
      bringUp(m);
      const milestone = 12 * FRAME_TICKS; // the port reset is over: queue work (an input at a fixed icount)
      const end = 60 * FRAME_TICKS;
      let wdh = 0;
      while (m.icount < end) {
        const stop = m.icount < milestone ? milestone : end;
        const r = m.run({ maxInstructions: Math.min(slice(), stop - m.icount) });
        if (m.icount === milestone && ids.length === 0 && m.usb.pendingTransfers().length === 0) {
          queueGetDescriptor(m);
          queueInterruptIn(m);
        }
        if (r.kind === 'io') {
          for (const p of m.usb.pendingTransfers()) {
            const answer = p.setup ? DEVICE_DESCRIPTOR.subarray(0, p.length) : Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
            m.usb.completeTransfer(p.id, { status: 'ok', data: answer, actualLength: answer.length });
          }
        }
        wdh |= r32(m, SCRATCH) & INT_WDH;
      }
      return { hash: m.stateHash(), icount: m.icount, ids, wdh };
    };
    const whole = drive(() => 1e9);
    expect(whole.ids.length).toBeGreaterThanOrEqual(2);
    expect(whole.wdh).toBe(INT_WDH);
    const rand = prng(99);
    const sliced = drive(() => 1 + ((rand() >>> 0) % 300_000));
    expect(sliced).toEqual(whole);
  });

  it('a host callback that throws surfaces from run() at a canonical point, the frame left whole', () => {
    const m = boot(pollProgram());
    bringUp(m);
    m.run({ maxInstructions: 12 * FRAME_TICKS });
    queueGetDescriptor(m);
    m.usb.onTransferRequest = (r) => { r.data.fill(0xee); throw new Error(`backend refused ${r.id}`); };
    expect(() => m.run({ maxInstructions: 5 * FRAME_TICKS })).toThrow('backend refused 1');
    const pending = m.usb.pendingTransfers();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.setup).toMatchObject({ bRequest: 6, wLength: 18 });
    const state = m.saveState();
    m.usb.onTransferRequest = null;
    expect(m.run({ maxInstructions: 1000 })).toEqual({ kind: 'limit' });
    const other = boot(pollProgram());
    other.loadState(state);
    expect(other.saveState()).toEqual(state);
  });

  it('save → load → save of a machine with a transfer in flight gives the same bytes', () => {
    const m = boot(pollProgram());
    bringUp(m);
    m.run({ maxInstructions: 12 * FRAME_TICKS });
    queueGetDescriptor(m);
    m.run({ maxInstructions: 2 * FRAME_TICKS });
    expect(m.usb.pendingTransfers()).toHaveLength(1);
    const s1 = m.saveState();
    const other = boot(pollProgram());
    other.loadState(s1);
    expect(other.saveState()).toEqual(s1);
    expect(other.usb.pendingTransfers()).toEqual(m.usb.pendingTransfers());
  });
});
