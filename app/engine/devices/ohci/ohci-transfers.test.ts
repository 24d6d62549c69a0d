import { describe, expect, it } from 'vitest';
import { DEVICE_DESCRIPTOR, Rig, ScriptedDevice, getDescriptor, setAddress } from './test-kit.js';
import { CC, CS_BLF, CS_CLF, CTL_BLE, CTL_CLE, CTL_IE, CTL_PLE, HCFS_OPERATIONAL, INT_RHSC, INT_WDH, PORT_PRSC, PORT_CSC, REG } from './regs.js';
import { Plic } from '../plic.js';
import type { UsbTransferResult } from './usb-types.js';

const OK = (data: Uint8Array = new Uint8Array(0)): UsbTransferResult => ({ status: 'ok', data, actualLength: data.length });

/** Controller up, device on `port` reset and enabled, interrupt status clean. */
function ready(speed: 'low' | 'full' = 'full', rig = new Rig()): Rig {
  rig.init();
  rig.plugAndReset(1, speed);
  rig.setPort(1, PORT_CSC | PORT_PRSC);
  rig.w(REG.InterruptStatus, 0xffffffff);
  return rig;
}

/** Runs SET_ADDRESS(addr) on port 1's default address, answering it 'ok'. */
function address(rig: Rig, addr: number, lowSpeed = false): void {
  const ed = rig.ed({ fa: 0, mps: 8, lowSpeed });
  rig.linkControl(ed);
  rig.control(ed, setAddress(addr), 0);
  rig.w(REG.CommandStatus, CS_CLF);
  rig.frames(1);
  rig.complete(rig.requests.at(-1)!.id);
  rig.frames(1);
  rig.w(REG.InterruptStatus, 0xffffffff);
  rig.w(REG.ControlHeadED, 0);
}

describe('OHCI control transfers', () => {
  it('enumerates: GET_DESCRIPTOR goes out as one request; the answer lands in RAM by DMA, done queue, WDH', () => {
    const rig = ready();
    const ed = rig.ed({ fa: 0, en: 0, mps: 8 });
    rig.linkControl(ed);
    const t = rig.control(ed, getDescriptor(18), 18);
    const buffer = rig.td(t.data!).cbp;
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    expect(rig.requests).toEqual([{
      id: 1, port: 1, address: 0, endpoint: 0, kind: 'control', dirIn: true,
      setup: { bmRequestType: 0x80, bRequest: 6, wValue: 0x100, wIndex: 0, wLength: 18 }, data: new Uint8Array(0), length: 18,
    }]);
    rig.frames(5); // busy: nothing more goes out, nothing is retired
    expect(rig.requests).toHaveLength(1);
    expect(rig.td(t.setup).cc).toBe(CC.NotAccessed);
    expect(rig.hc.pendingTransfers().map((r) => r.id)).toEqual([1]);

    const dmaWrites: { addr: number; size: number; writer: string }[] = [];
    rig.bus.setWriteWatch([{ paddr: buffer, size: 18 }], { beforeWrite: (addr, size, writer) => { dmaWrites.push({ addr, size, writer }); } });
    expect(rig.complete(1, OK(DEVICE_DESCRIPTOR))).toBe(true);
    expect(rig.hc.pendingTransfers()).toEqual([]);
    expect(rig.irq).toBe(false);
    rig.frames(1);
    expect(dmaWrites).toEqual([{ addr: buffer, size: 18, writer: 'dma' }]);
    expect(rig.bytes(buffer, 18)).toEqual(DEVICE_DESCRIPTOR);
    for (const td of [t.setup, t.data!, t.status]) expect(rig.td(td)).toMatchObject({ cc: CC.NoError, cbp: 0, ec: 0 });
    // Toggles: SETUP DATA0, data DATA1 (18 bytes at MPS 8: 3 packets → next 0), status DATA1.
    expect([rig.td(t.setup).t, rig.td(t.data!).t, rig.td(t.status).t]).toEqual([3, 2, 2]);
    // Reverse completion order, written to HccaDoneHead at the frame boundary; no other interrupt pending.
    expect(rig.doneQueue()).toEqual({ head: t.status, tds: [t.status, t.data!, t.setup] });
    expect(rig.r(REG.DoneHead)).toBe(0);
    expect(rig.r(REG.InterruptStatus) & INT_WDH).toBe(INT_WDH);
    expect(rig.irq).toBe(true);
    expect(rig.edHead(ed)).toMatchObject({ td: rig.r32(ed + 4), halted: false });
    expect(rig.r(REG.CommandStatus) & CS_CLF).toBe(CS_CLF); // a TD was found in the pass
    rig.frames(1);
    expect(rig.r(REG.CommandStatus) & CS_CLF).toBe(0); // the next pass found none
  });

  it('raises PLIC source 12 (QEMU 7.2 semantics: pending until claimed)', () => {
    const plic = new Plic({ setPending: () => {} });
    const rig = ready('full', new Rig(plic.line(12)));
    const ed = rig.ed({ mps: 64 });
    rig.linkControl(ed);
    rig.control(ed, getDescriptor(8), 8);
    rig.w(REG.CommandStatus, CS_CLF);
    plic.write(0x1000 + 4 * 0, 4, 0); // pending is read-only; make sure it starts clear
    const pending = (): number => (plic.read(0x1000, 4) >>> 12) & 1;
    rig.frames(1);
    plic.write(12 * 4, 4, 1); plic.write(0x2000, 4, 1 << 12);
    expect(plic.read(0x200004, 4)).toBe(12); // the RHSC of plugAndReset was pending; claim it
    plic.write(0x200004, 4, 12);
    expect(pending()).toBe(0);
    rig.complete(1, OK(DEVICE_DESCRIPTOR.subarray(0, 8)));
    rig.frames(1);
    expect(pending()).toBe(1);
    expect(plic.read(0x200004, 4)).toBe(12);
  });

  it('sets the address from a successful SET_ADDRESS; the old address then reaches nobody', () => {
    const rig = ready();
    address(rig, 7);
    expect(rig.requests[0]).toMatchObject({ kind: 'control', dirIn: false, length: 0, setup: { bRequest: 5, wValue: 7 } });
    expect(rig.hc.portInfo(1).address).toBe(7);
    const at0 = rig.ed({ fa: 0, mps: 8 });
    const at7 = rig.ed({ fa: 7, mps: 8 });
    rig.linkControl(at0, at7);
    const t0 = rig.control(at0, getDescriptor(18), 18);
    rig.control(at7, getDescriptor(18), 18);
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    // Address 0: nobody answers; the controller retires it itself, without a request.
    expect(rig.td(t0.setup)).toMatchObject({ cc: CC.DeviceNotResponding, ec: 3 });
    expect(rig.edHead(at0).halted).toBe(true);
    expect(rig.requests.slice(1).map((r) => [r.port, r.address])).toEqual([[1, 7]]);
  });

  it('gathers a control OUT data stage into the request and completes its TDs', () => {
    const rig = ready();
    const ed = rig.ed({ mps: 8 });
    rig.linkControl(ed);
    const payload = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    const t = rig.control(ed, Uint8Array.of(0x21, 9, 0, 2, 0, 0, 10, 0), 10, payload);
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    expect(rig.requests[0]).toMatchObject({ kind: 'control', dirIn: false, data: payload, length: 10 });
    rig.complete(1, { status: 'ok', actualLength: 10 });
    rig.frames(1);
    expect([t.setup, t.data!, t.status].map((a) => rig.td(a).cc)).toEqual([0, 0, 0]);
  });

  it('spreads a short answer over several data TDs (bufferRounding) and asks only for the room there is', () => {
    const rig = ready();
    const ed = rig.ed({ mps: 64 });
    rig.linkControl(ed);
    const s = rig.queue(ed, { dp: 0, data: getDescriptor(255, 2), t: 2, di: 7 });
    const d1 = rig.queue(ed, { dp: 2, len: 64, t: 3, r: true, di: 7 });
    const d2 = rig.queue(ed, { dp: 2, len: 64, r: true, di: 7 });
    const st = rig.queue(ed, { dp: 1, t: 3, di: 0 });
    const b2 = rig.td(d2).cbp;
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    expect(rig.requests[0]!.length).toBe(128); // min(wLength 255, 128 bytes of TDs)
    const answer = Uint8Array.from({ length: 70 }, (_, i) => i);
    rig.complete(1, OK(answer));
    rig.frames(1);
    expect(rig.td(d1)).toMatchObject({ cc: 0, cbp: 0 });
    expect(rig.td(d2)).toMatchObject({ cc: 0, cbp: b2 + 6 });
    expect(rig.bytes(b2, 6)).toEqual(answer.subarray(64));
    expect(rig.td(st).cc).toBe(0);
    expect(rig.doneQueue().tds).toEqual([st, d2, d1, s]);
  });

  it('STALL in the data stage: SETUP done, the data TD gets Stall, the ED halts, the status TD stays queued', () => {
    const rig = ready();
    const ed = rig.ed({ mps: 8 });
    rig.linkControl(ed);
    const t = rig.control(ed, getDescriptor(18, 3, 9), 18);
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    rig.complete(1, { status: 'stall', data: new Uint8Array(0), actualLength: 0 });
    rig.frames(1);
    expect(rig.td(t.setup).cc).toBe(CC.NoError);
    expect(rig.td(t.data!)).toMatchObject({ cc: CC.Stall, ec: 0 });
    expect(rig.td(t.status).cc).toBe(CC.NotAccessed);
    expect(rig.edHead(ed)).toEqual({ td: t.status, halted: true, carry: 1 }); // carry: after the SETUP (DATA0)
    // Linux's DI = 6 on the TDs before the status TD: the done queue is written 6 frames later.
    expect(rig.r(REG.DoneHead)).toBe(t.data!);
    rig.frames(5);
    expect(rig.r(REG.InterruptStatus) & INT_WDH).toBe(0);
    rig.frames(1);
    expect(rig.r(REG.InterruptStatus) & INT_WDH).toBe(INT_WDH);
    expect(rig.doneQueue().tds).toEqual([t.data!, t.setup]);
    expect(rig.requests).toHaveLength(1); // halted: nothing more
  });

  it('STALL with no data stage lands on the status TD', () => {
    const rig = ready();
    const ed = rig.ed({ mps: 8 });
    rig.linkControl(ed);
    const t = rig.control(ed, Uint8Array.of(0, 9, 5, 0, 0, 0, 0, 0), 0);
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(1);
    rig.complete(1, { status: 'stall', data: new Uint8Array(0), actualLength: 0 });
    rig.frames(1);
    expect([rig.td(t.setup).cc, rig.td(t.status).cc]).toEqual([CC.NoError, CC.Stall]);
  });

  it('waits for the status stage to be queued before issuing a control transfer', () => {
    const rig = ready();
    const ed = rig.ed({ mps: 8 });
    rig.linkControl(ed);
    rig.queue(ed, { dp: 0, data: getDescriptor(18), t: 2 });
    rig.queue(ed, { dp: 2, len: 18, t: 3, r: true });
    rig.w(REG.CommandStatus, CS_CLF);
    rig.frames(3);
    expect(rig.requests).toHaveLength(0);
    rig.queue(ed, { dp: 1, t: 3 });
    rig.frames(1);
    expect(rig.requests).toHaveLength(1);
  });
});

describe('OHCI bulk and interrupt transfers', () => {
  it('bulk OUT and IN, toggles carried in the ED, buffers crossing a 4 KiB page', () => {
    const rig = ready();
    address(rig, 3);
    const out = rig.ed({ fa: 3, en: 2, dir: 1, mps: 64 });
    const inn = rig.ed({ fa: 3, en: 1, dir: 2, mps: 64 });
    rig.linkBulk(out, inn);
    const payload = Uint8Array.from({ length: 100 }, (_, i) => 255 - i);
    const o1 = rig.queue(out, { dp: 1, data: payload });
    const page = rig.alloc(0x2000, 0x1000);
    const i1 = rig.queue(inn, { dp: 2, len: 64, buffer: page + 0xff0, bePage: page + 0x1000 });
    rig.w(REG.CommandStatus, CS_BLF);
    rig.frames(1);
    expect(rig.requests.slice(1).map(({ id, kind, dirIn, endpoint, length, data }) => ({ id, kind, dirIn, endpoint, length, n: data.length })))
      .toEqual([{ id: 2, kind: 'bulk', dirIn: false, endpoint: 2, length: 100, n: 100 }, { id: 3, kind: 'bulk', dirIn: true, endpoint: 1, length: 64, n: 0 }]);
    expect(rig.requests[1]!.data).toEqual(payload);
    const answer = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
    rig.complete(3, OK(answer));
    rig.complete(2, { status: 'ok', data: new Uint8Array(0), actualLength: 100 });
    rig.frames(1);
    expect(rig.td(o1)).toMatchObject({ cc: 0, cbp: 0, t: 2 }); // 2 packets: DATA0, DATA1 → next DATA0
    expect(rig.edHead(out).carry).toBe(0);
    expect(rig.td(i1)).toMatchObject({ cc: 0, cbp: 0, t: 3 }); // 1 packet → next DATA1
    expect(rig.edHead(inn).carry).toBe(1);
    expect(rig.bytes(page + 0xff0, 16)).toEqual(answer.subarray(0, 16));
    expect(rig.bytes(page + 0x1000, 48)).toEqual(answer.subarray(16));
    // Bulk list walked out → in: out retired first, so the done queue is in → out.
    expect(rig.doneQueue().tds).toEqual([i1, o1]);
  });

  it('short IN: NoError with bufferRounding (CBP past the data), DataUnderrun and a halted ED without', () => {
    for (const r of [true, false]) {
      const rig = ready();
      address(rig, 3);
      const ed = rig.ed({ fa: 3, en: 1, dir: 2, mps: 64 });
      rig.linkBulk(ed);
      const td = rig.queue(ed, { dp: 2, len: 64, r });
      const next = rig.queue(ed, { dp: 2, len: 64, r });
      const buf = rig.td(td).cbp;
      rig.w(REG.CommandStatus, CS_BLF);
      rig.frames(1);
      rig.complete(rig.requests.at(-1)!.id, OK(Uint8Array.of(9, 8, 7)));
      rig.frames(1);
      expect(rig.td(td)).toMatchObject({ cc: r ? CC.NoError : CC.DataUnderrun, cbp: buf + 3 });
      expect(rig.edHead(ed)).toMatchObject({ td: next, halted: !r });
      expect(rig.bytes(buf, 3)).toEqual(Uint8Array.of(9, 8, 7));
      expect(rig.requests).toHaveLength(r ? 3 : 2); // with R the next TD went out in the same frame
    }
  });

  it('babble → DataOverrun; more data than the TD holds → DataOverrun; errors map to condition codes', () => {
    const cases: [UsbTransferResult, number, number][] = [
      [{ status: 'babble', data: new Uint8Array(0), actualLength: 0 }, CC.DataOverrun, 0],
      [OK(new Uint8Array(20)), CC.DataOverrun, 0],
      [{ status: 'timeout', data: new Uint8Array(0), actualLength: 0 }, CC.DeviceNotResponding, 3],
      [{ status: 'nodev', data: new Uint8Array(0), actualLength: 0 }, CC.DeviceNotResponding, 3],
      [{ status: 'error', data: new Uint8Array(0), actualLength: 0 }, CC.UnexpectedPID, 3],
      [{ status: 'stall', data: new Uint8Array(0), actualLength: 0 }, CC.Stall, 0],
    ];
    for (const [result, cc, ec] of cases) {
      const rig = ready();
      address(rig, 3);
      const ed = rig.ed({ fa: 3, en: 1, dir: 2, mps: 8 });
      rig.linkBulk(ed);
      const td = rig.queue(ed, { dp: 2, len: 16 });
      rig.w(REG.CommandStatus, CS_BLF);
      rig.frames(1);
      rig.complete(rig.requests.at(-1)!.id, result);
      rig.frames(1);
      expect(rig.td(td), result.status).toMatchObject({ cc, ec });
      expect(rig.edHead(ed).halted).toBe(true);
    }
  });

  it('an interrupt IN stays pending until the device answers, then the next TD goes out', () => {
    const rig = ready('low');
    address(rig, 2, true);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8, lowSpeed: true });
    rig.linkPeriodic(ed);
    const td1 = rig.queue(ed, { dp: 2, len: 8, r: true });
    rig.frames(1);
    expect(rig.requests.at(-1)).toMatchObject({ kind: 'interrupt', dirIn: true, endpoint: 1, length: 8, port: 1, address: 2 });
    const id = rig.requests.at(-1)!.id;
    rig.frames(100);
    expect(rig.requests.at(-1)!.id).toBe(id);
    expect(rig.td(td1).cc).toBe(CC.NotAccessed);
    rig.complete(id, OK(Uint8Array.of(0, 0, 4, 0, 0, 0, 0, 0))); // the 'a' key
    const td2 = rig.queue(ed, { dp: 2, len: 8, r: true });
    rig.frames(1);
    expect(rig.td(td1).cc).toBe(CC.NoError);
    expect(rig.requests.at(-1)!.id).toBe(id + 1);
    expect(rig.edHead(ed).td).toBe(td2);
  });

  it('a speed mismatch between ED.S and the device reaches nobody: DeviceNotResponding, no request', () => {
    const rig = ready('full');
    address(rig, 2);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8, lowSpeed: true });
    rig.linkPeriodic(ed);
    const td = rig.queue(ed, { dp: 2, len: 8 });
    const before = rig.requests.length;
    rig.frames(1);
    expect(rig.td(td).cc).toBe(CC.DeviceNotResponding);
    expect(rig.requests).toHaveLength(before);
  });

  it('isochronous EDs are not supported: their TDs retire with BufferOverrun (IN), the ED does not halt', () => {
    const rig = ready();
    address(rig, 2);
    rig.w(REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_IE | CTL_CLE | CTL_BLE);
    const ed = rig.alloc(16);
    const td = rig.alloc(32, 32);
    const tail = rig.alloc(32, 32);
    rig.w32(ed, 2 | (1 << 7) | (2 << 11) | (1 << 15) | (192 << 16));
    rig.w32(ed + 4, tail);
    rig.w32(ed + 8, td);
    rig.w32(ed + 12, 0);
    rig.w32(td, 0xf << 28);
    rig.w32(td + 8, tail);
    rig.linkPeriodic(ed);
    rig.frames(1);
    expect(rig.td(td).cc).toBe(CC.BufferOverrun);
    expect(rig.edHead(ed)).toMatchObject({ td: tail, halted: false });
    expect(rig.requests.filter((r) => r.kind !== 'control')).toEqual([]);
  });
});

describe('OHCI done queue and cancellation', () => {
  it('delays WDH by the TD DelayInterrupt count, and holds the done queue while WDH is set', () => {
    const rig = ready();
    address(rig, 3);
    const ed = rig.ed({ fa: 3, en: 1, dir: 2, mps: 64 });
    rig.linkBulk(ed);
    const td = rig.queue(ed, { dp: 2, len: 8, di: 3 });
    rig.w(REG.CommandStatus, CS_BLF);
    rig.frames(1);
    rig.complete(rig.requests.at(-1)!.id, OK(new Uint8Array(8)));
    rig.frames(1); // retired in this frame: counter 3
    expect(rig.r(REG.DoneHead)).toBe(td);
    rig.frames(2);
    expect(rig.r(REG.InterruptStatus) & INT_WDH).toBe(0);
    rig.frames(1);
    expect(rig.r(REG.InterruptStatus) & INT_WDH).toBe(INT_WDH);
    expect(rig.doneQueue().tds).toEqual([td]);

    // WDH still set: the next done TD waits in HcDoneHead.
    const td2 = rig.queue(ed, { dp: 2, len: 8 });
    rig.w(REG.CommandStatus, CS_BLF);
    rig.frames(1);
    rig.complete(rig.requests.at(-1)!.id, OK(new Uint8Array(8)));
    rig.frames(3);
    expect(rig.r(REG.DoneHead)).toBe(td2);
    expect(rig.doneQueue().tds).toEqual([td]);
    rig.w(REG.InterruptStatus, INT_WDH);
    rig.frames(1);
    expect(rig.doneQueue().tds).toEqual([td2]);
    expect(rig.r(REG.DoneHead)).toBe(0);
  });

  it('sets bit 0 of HccaDoneHead when another enabled interrupt is pending', () => {
    const rig = ready();
    address(rig, 3);
    const ed = rig.ed({ fa: 3, en: 1, dir: 2 });
    rig.linkBulk(ed);
    const td = rig.queue(ed, { dp: 2, len: 8 });
    rig.w(REG.CommandStatus, CS_BLF);
    rig.frames(1);
    rig.complete(rig.requests.at(-1)!.id, OK(new Uint8Array(8)));
    rig.hc.attach(2, 'full'); // RHSC pending and enabled
    rig.frames(1);
    expect(rig.r(REG.InterruptStatus) & INT_RHSC).toBe(INT_RHSC);
    expect(rig.doneQueue().head).toBe((td | 1) >>> 0);
  });

  it('a detach during a transfer cancels it at the host and completes it with DeviceNotResponding', () => {
    const rig = ready();
    address(rig, 2);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8 });
    rig.linkPeriodic(ed);
    const td = rig.queue(ed, { dp: 2, len: 8 });
    rig.frames(1);
    const id = rig.requests.at(-1)!.id;
    rig.hc.detach(1);
    expect(rig.cancels).toEqual([id]);
    expect(rig.complete(id, OK(new Uint8Array(8)))).toBe(false); // late: ignored
    rig.frames(1);
    expect(rig.td(td)).toMatchObject({ cc: CC.DeviceNotResponding, ec: 3 });
    expect(rig.edHead(ed).halted).toBe(true);
  });

  it('a port reset during a transfer cancels it too', () => {
    const rig = ready();
    address(rig, 2);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8 });
    rig.linkPeriodic(ed);
    rig.queue(ed, { dp: 2, len: 8 });
    rig.frames(1);
    rig.setPort(1, 1 << 4);
    expect(rig.cancels).toEqual([rig.requests.at(-1)!.id]);
    expect(rig.resets).toEqual([1, 1]);
    expect(rig.hc.portInfo(1).address).toBe(0);
  });

  it('cancels when the driver skips the ED, unlinks it, or disables its list; re-issues after un-skipping', () => {
    const rig = ready();
    address(rig, 2);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8 });
    rig.linkPeriodic(ed);
    const td = rig.queue(ed, { dp: 2, len: 8 });
    rig.frames(1);
    const first = rig.requests.at(-1)!.id;
    rig.w32(ed, rig.r32(ed) | (1 << 14)); // sKip
    rig.frames(1);
    expect(rig.cancels).toEqual([first]);
    expect(rig.td(td).cc).toBe(CC.NotAccessed);
    rig.w32(ed, rig.r32(ed) & ~(1 << 14));
    rig.frames(1);
    const second = rig.requests.at(-1)!.id;
    expect(second).toBe(first + 1);
    for (let i = 0; i < 32; i++) rig.w32(rig.hcca + 4 * i, 0); // unlink from the interrupt tree
    rig.frames(1);
    expect(rig.cancels).toEqual([first, second]);

    const bulk = rig.ed({ fa: 2, en: 3, dir: 2 });
    rig.linkBulk(bulk);
    rig.queue(bulk, { dp: 2, len: 8 });
    rig.w(REG.CommandStatus, CS_BLF);
    rig.frames(1);
    const third = rig.requests.at(-1)!.id;
    rig.w(REG.Control, rig.r(REG.Control) & ~CTL_BLE);
    rig.frames(1);
    expect(rig.cancels).toEqual([first, second, third]);
  });

  it('an interrupt ED in a 32 ms branch is not mistaken for unlinked in the frames that do not walk it', () => {
    const rig = ready();
    address(rig, 2);
    const ed = rig.ed({ fa: 2, en: 1, dir: 2, mps: 8 });
    rig.w32(rig.hcca + 4 * ((rig.r(REG.FmNumber) + 1) & 31), ed);
    rig.queue(ed, { dp: 2, len: 8 });
    rig.frames(40);
    expect(rig.requests.filter((r) => r.kind === 'interrupt')).toHaveLength(1);
    expect(rig.cancels).toEqual([]);
  });

  it('a scripted device answers a whole enumeration sequence', () => {
    const rig = ready();
    const dev = new ScriptedDevice(rig, (r) => {
      if (r.setup?.bRequest === 6) return OK(DEVICE_DESCRIPTOR.subarray(0, r.length));
      return OK();
    });
    const ed0 = rig.ed({ fa: 0, mps: 8 });
    rig.linkControl(ed0);
    const a = rig.control(ed0, getDescriptor(8), 8);
    const b = rig.control(ed0, setAddress(5), 0);
    rig.w(REG.CommandStatus, CS_CLF);
    dev.run(6);
    expect(rig.td(a.status).cc).toBe(0);
    expect(rig.td(b.status).cc).toBe(0);
    const ed5 = rig.ed({ fa: 5, mps: 8 });
    rig.linkControl(ed5);
    const c = rig.control(ed5, getDescriptor(18), 18);
    rig.w(REG.CommandStatus, CS_CLF);
    dev.run(3);
    expect(rig.bytes(rig.td(c.data!).be - 17, 18)).toEqual(DEVICE_DESCRIPTOR);
    expect(dev.log.map((r) => [r.address, r.setup?.bRequest, r.length])).toEqual([[0, 6, 8], [0, 5, 0], [5, 6, 18]]);
  });
});
