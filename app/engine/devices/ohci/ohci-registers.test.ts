import { describe, expect, it } from 'vitest';
import { Rig } from './test-kit.js';
import {
  CS_BLF, CS_CLF, CS_HCR, CS_OCR, CTL_CLE, CTL_IR, CTL_PLE, FRAME_TICKS, HCFS_OPERATIONAL, HCFS_RESET, HCFS_SUSPEND,
  INT_FNO, INT_MIE, INT_OC, INT_RHSC, INT_SF, INT_UE, REG,
} from './regs.js';
import { BOARD, OHCI_NUM_PORTS } from '../../machine/board.js';
import { NUM_PORTS } from './regs.js';

describe('OHCI operational registers (OHCI 1.0a chapter 7)', () => {
  it('has the reset values of a hardware reset', () => {
    const { r } = bind(new Rig());
    expect(r(REG.Revision)).toBe(0x10);
    expect(r(REG.Control)).toBe(HCFS_RESET);
    expect([r(REG.CommandStatus), r(REG.InterruptStatus), r(REG.InterruptEnable), r(REG.HCCA)]).toEqual([0, 0, 0, 0]);
    expect([r(REG.PeriodCurrentED), r(REG.ControlHeadED), r(REG.ControlCurrentED), r(REG.BulkHeadED), r(REG.BulkCurrentED), r(REG.DoneHead)])
      .toEqual([0, 0, 0, 0, 0, 0]);
    expect(r(REG.FmInterval)).toBe((0x2778 << 16) | 0x2edf);
    expect([r(REG.FmRemaining), r(REG.FmNumber), r(REG.PeriodicStart), r(REG.LSThreshold)]).toEqual([0, 0, 0, 0x628]);
    // 2 ports, per-port power switching, no over-current protection, POTPGT 2 ms; PPCM set for both ports.
    expect(r(REG.RhDescriptorA)).toBe(0x01001102);
    expect(r(REG.RhDescriptorB)).toBe(0x00060000);
    expect([r(REG.RhStatus), r(REG.RhPortStatus), r(REG.RhPortStatus + 4)]).toEqual([0, 0, 0]);
    expect(r(0x5c)).toBe(0); // past the last port
    expect(NUM_PORTS).toBe(OHCI_NUM_PORTS);
    expect(BOARD.ohci.irq).toBe(12);
  });

  it('decodes only 32-bit accesses (narrower ones are access faults on the bus)', () => {
    const rig = new Rig();
    expect(rig.hc.validSizes).toBe(4);
    rig.bus.map(0x1001_0000, rig.hc);
    expect(rig.bus.read(0x1001_0000, 4)).toBe(0x10);
    expect(rig.bus.read(0x1001_0000, 2)).toBe(-1);
    expect(rig.bus.write(0x1001_0004, 1, 0xff)).toBe(false);
    expect(rig.bus.read(0x1001_0100, 4)).toBe(-1); // outside the decoded 256 bytes
  });

  it('keeps the writable fields and ignores writes to read-only registers', () => {
    const { r, w } = bind(new Rig());
    w(REG.FmInterval, 0xffffffff);
    expect(r(REG.FmInterval)).toBe(0xffff3fff);
    w(REG.PeriodicStart, 0xffffffff);
    w(REG.LSThreshold, 0xffffffff);
    expect([r(REG.PeriodicStart), r(REG.LSThreshold)]).toEqual([0x3fff, 0xfff]);
    for (const reg of [REG.Revision, REG.PeriodCurrentED, REG.DoneHead, REG.FmRemaining, REG.FmNumber]) w(reg, 0x12345670);
    expect([r(REG.Revision), r(REG.PeriodCurrentED), r(REG.DoneHead), r(REG.FmRemaining), r(REG.FmNumber)]).toEqual([0x10, 0, 0, 0, 0]);
    w(REG.Control, 0xffffffff);
    expect(r(REG.Control)).toBe(0x7ff);
    w(REG.HCCA, 0x8000_1000);
    w(REG.ControlHeadED, 0x8000_2010);
    w(REG.BulkCurrentED, 0x8000_3020);
    expect([r(REG.HCCA), r(REG.ControlHeadED), r(REG.BulkCurrentED)]).toEqual([0x8000_1000, 0x8000_2010, 0x8000_3020]);
    // Misaligned pointers read back masked (as hardware), and are reported when used (robustness tests).
    w(REG.HCCA, 0x8000_10ff);
    expect(r(REG.HCCA)).toBe(0x8000_1000);
  });

  it('sets CLF/BLF with 1s, ignores 0s, and OCR hands ownership over at once (IR cleared, OC set)', () => {
    const { r, w } = bind(new Rig());
    w(REG.CommandStatus, CS_CLF);
    w(REG.CommandStatus, CS_BLF);
    w(REG.CommandStatus, 0);
    expect(r(REG.CommandStatus)).toBe(CS_CLF | CS_BLF);
    w(REG.Control, CTL_IR);
    w(REG.CommandStatus, CS_OCR);
    expect(r(REG.Control) & CTL_IR).toBe(0);
    expect(r(REG.InterruptStatus) & INT_OC).toBe(INT_OC);
    expect(r(REG.CommandStatus) & CS_OCR).toBe(0);
  });

  it('drives the interrupt line from status & enable when MIE is set, and clears status with 1s', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.hc.attach(1, 'full');
    rig.setPort(1, 0x100); // SetPortPower: connect → CSC → RHSC
    expect(r(REG.InterruptStatus) & INT_RHSC).toBe(INT_RHSC);
    expect(rig.irq).toBe(false);
    w(REG.InterruptEnable, INT_RHSC);
    expect(rig.irq).toBe(false); // MIE still clear
    w(REG.InterruptEnable, INT_MIE);
    expect(rig.irq).toBe(true);
    expect(r(REG.InterruptEnable)).toBe((INT_MIE | INT_RHSC) >>> 0);
    expect(r(REG.InterruptDisable)).toBe((INT_MIE | INT_RHSC) >>> 0);
    w(REG.InterruptDisable, INT_RHSC);
    expect(rig.irq).toBe(false);
    w(REG.InterruptEnable, INT_RHSC);
    expect(rig.irq).toBe(true);
    w(REG.Control, CTL_IR); // routed to SMI: not to the PLIC line
    expect(rig.irq).toBe(false);
    w(REG.Control, 0);
    expect(rig.irq).toBe(true);
    w(REG.InterruptStatus, INT_RHSC);
    expect(r(REG.InterruptStatus)).toBe(0);
    expect(rig.irq).toBe(false);
  });

  it('starts frames when UsbOperational is entered: SOF every 1,000,000 ticks, at exact tick counts', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.hcca = rig.alloc(256, 256);
    w(REG.HCCA, rig.hcca);
    rig.setTime(12_345);
    w(REG.Control, HCFS_OPERATIONAL);
    expect(r(REG.InterruptStatus) & INT_SF).toBe(INT_SF); // the SOF of the first frame
    w(REG.InterruptStatus, INT_SF);
    expect(rig.hc.nextDeadline()).toBe(12_345 + FRAME_TICKS);
    rig.advanceTo(12_345 + FRAME_TICKS - 1);
    expect([r(REG.FmNumber), r(REG.InterruptStatus) & INT_SF]).toEqual([0, 0]);
    rig.advanceTo(12_345 + FRAME_TICKS);
    expect([r(REG.FmNumber), r(REG.InterruptStatus) & INT_SF]).toEqual([1, INT_SF]);
    expect(rig.r32(rig.hcca + 0x80)).toBe(1); // HccaFrameNumber, HccaPad1 = 0
    rig.advanceTo(12_345 + 7 * FRAME_TICKS);
    expect(r(REG.FmNumber)).toBe(7);
    expect(rig.r32(rig.hcca + 0x80)).toBe(7);
    w(REG.Control, HCFS_SUSPEND);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    rig.advance(10 * FRAME_TICKS);
    expect(r(REG.FmNumber)).toBe(7);
  });

  it('counts HcFmRemaining down from FI in 12 MHz bit times, with FRT loaded from FIT each frame', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.hcca = rig.alloc(256, 256);
    w(REG.HCCA, rig.hcca);
    w(REG.FmInterval, (1 << 31) | (0x2778 << 16) | 11999);
    w(REG.Control, HCFS_OPERATIONAL);
    expect(r(REG.FmRemaining)).toBe(11999); // FRT still 0 until the first boundary
    rig.advanceTo(1000); // 12 bit times
    expect(r(REG.FmRemaining)).toBe(11999 - 12);
    rig.advanceTo(500_000);
    expect(r(REG.FmRemaining)).toBe(11999 - 6000);
    rig.advanceTo(FRAME_TICKS);
    expect(r(REG.FmRemaining)).toBe(((1 << 31) | 11999) >>> 0);
    rig.advanceTo(FRAME_TICKS + 999_999);
    expect(r(REG.FmRemaining) & 0x3fff).toBe(0);
  });

  it('sets FNO when bit 15 of the frame number toggles', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.hcca = rig.alloc(256, 256);
    w(REG.HCCA, rig.hcca);
    w(REG.Control, HCFS_OPERATIONAL);
    rig.frames(0x7fff);
    expect(r(REG.FmNumber)).toBe(0x7fff);
    expect(r(REG.InterruptStatus) & INT_FNO).toBe(0);
    rig.frames(1);
    expect(r(REG.FmNumber)).toBe(0x8000);
    expect(r(REG.InterruptStatus) & INT_FNO).toBe(INT_FNO);
    w(REG.InterruptStatus, INT_FNO);
    rig.frames(0x7fff);
    expect(r(REG.InterruptStatus) & INT_FNO).toBe(0);
    rig.frames(1);
    expect([r(REG.FmNumber), r(REG.InterruptStatus) & INT_FNO]).toEqual([0, INT_FNO]);
  });

  it('HostControllerReset: registers to reset values, UsbSuspend, IR kept, frames stopped, root hub kept', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.init();
    rig.hc.attach(1, 'full');
    rig.frames(3);
    w(REG.Control, r(REG.Control) | CTL_IR);
    w(REG.CommandStatus, CS_HCR);
    expect(r(REG.Control)).toBe(HCFS_SUSPEND | CTL_IR);
    expect([r(REG.CommandStatus), r(REG.InterruptStatus), r(REG.InterruptEnable), r(REG.HCCA), r(REG.FmNumber)]).toEqual([0, 0, 0, 0, 0]);
    expect(r(REG.FmInterval)).toBe((0x2778 << 16) | 0x2edf);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    expect(rig.port(1) & 0x103).toBe(0x101); // still powered and connected
  });

  it('UsbReset resets the bus: ports lose enable, devices see a reset, frames stop', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.init();
    rig.plugAndReset(1);
    expect(rig.port(1) & 0x3).toBe(0x3);
    rig.resets.length = 0;
    w(REG.Control, HCFS_RESET | CTL_PLE | CTL_CLE);
    expect(rig.port(1) & 0x3).toBe(0x1);
    expect(rig.resets).toEqual([1]);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    expect(r(REG.Control) & 0xc0).toBe(HCFS_RESET);
  });

  it('keeps UnrecoverableError until a reset, with the reason in status()', () => {
    const rig = new Rig();
    const { r, w } = bind(rig);
    rig.init();
    w(REG.HCCA, 0x4000_0000); // not RAM
    rig.frames(1);
    expect(r(REG.InterruptStatus) & INT_UE).toBe(INT_UE);
    expect(rig.irq).toBe(true);
    expect(rig.hc.status().unrecoverable).toMatch(/HCCA interrupt table entry at 0x40000000 .* outside RAM/);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    const fn = r(REG.FmNumber);
    rig.frames(5);
    expect(r(REG.FmNumber)).toBe(fn);
    w(REG.CommandStatus, CS_HCR);
    expect(rig.hc.status().unrecoverable).toBeNull();
    w(REG.HCCA, rig.hcca);
    w(REG.Control, HCFS_OPERATIONAL);
    rig.frames(2);
    expect(r(REG.FmNumber)).toBe(2);
  });
});

function bind(rig: Rig): { r: (o: number) => number; w: (o: number, v: number) => void } {
  return { r: (o) => rig.r(o), w: (o, v) => rig.w(o, v) };
}

