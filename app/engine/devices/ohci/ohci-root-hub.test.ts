import { describe, expect, it } from 'vitest';
import { Rig } from './test-kit.js';
import {
  FRAME_TICKS, HCFS_OPERATIONAL, HCFS_RESUME, HCFS_SUSPEND, INT_RD, INT_RHSC, PORT_CCS, PORT_CSC, PORT_LSDA, PORT_PES,
  PORT_PESC, PORT_POCI, PORT_PPS, PORT_PRS, PORT_PRSC, PORT_PSS, PORT_PSSC, REG, RHA_NPS, RHA_PSM, RHS_CRWE, RHS_DRWE,
  RHS_LPS, RHS_LPSC, RHS_OCIC,
} from './regs.js';

const RESET_TICKS = 10 * FRAME_TICKS;

function rhsc(rig: Rig): boolean {
  const set = (rig.r(REG.InterruptStatus) & INT_RHSC) !== 0;
  rig.w(REG.InterruptStatus, INT_RHSC);
  return set;
}

describe('OHCI root hub (OHCI 1.0a 7.4)', () => {
  it('shows a device only on a powered port: CCS, CSC, LSDA and RHSC on connect', () => {
    const rig = new Rig();
    rig.hc.attach(1, 'low');
    expect(rig.port(1)).toBe(0); // unpowered
    expect(rhsc(rig)).toBe(false);
    rig.setPort(1, PORT_PPS);
    expect(rig.port(1)).toBe(PORT_PPS | PORT_CCS | PORT_LSDA | PORT_CSC);
    expect(rhsc(rig)).toBe(true);
    expect(rig.hc.portInfo(1)).toMatchObject({ attached: true, speed: 'low', powered: true, connected: true, enabled: false, address: 0 });
    rig.setPort(1, PORT_CSC); // write 1 to clear
    expect(rig.port(1)).toBe(PORT_PPS | PORT_CCS | PORT_LSDA);
    expect(rhsc(rig)).toBe(false); // the HCD's own write is no status change
    rig.hc.attach(2, 'full');
    rig.setPort(2, PORT_PPS);
    expect(rig.port(2)).toBe(PORT_PPS | PORT_CCS | PORT_CSC);
    expect(() => rig.hc.attach(2, 'full')).toThrow(/port 2 already has a device/);
    expect(() => rig.hc.attach(3, 'full')).toThrow(/ports are 1\.\.2/);
  });

  it('obeys per-port power when PSM and PPCM say so, global power otherwise, and NPS always', () => {
    const rig = new Rig();
    rig.hc.attach(1, 'full');
    rig.w(REG.RhStatus, RHS_LPSC); // SetGlobalPower: ignored by ports under per-port control
    expect(rig.port(1)).toBe(0);
    rig.w(REG.RhDescriptorB, 0); // no PPCM: both ports follow the global switch
    rig.w(REG.RhStatus, RHS_LPSC);
    expect(rig.port(1)).toBe(PORT_PPS | PORT_CCS | PORT_CSC);
    expect(rig.port(2)).toBe(PORT_PPS);
    rig.setPort(1, 1 << 9); // ClearPortPower: ignored under global control
    expect(rig.port(1) & PORT_PPS).toBe(PORT_PPS);
    rig.w(REG.RhStatus, RHS_LPS); // ClearGlobalPower
    expect(rig.port(1) & (PORT_PPS | PORT_CCS)).toBe(0);
    rig.w(REG.RhDescriptorA, RHA_NPS | RHA_PSM);
    expect(rig.r(REG.RhDescriptorA) & 0xff).toBe(2); // NDP is read-only
    expect(rig.port(1) & (PORT_PPS | PORT_CCS)).toBe(PORT_PPS | PORT_CCS); // always powered
    expect(rig.port(2) & PORT_PPS).toBe(PORT_PPS);
  });

  it('resets a port for exactly 10 ms of guest time, then sets PES and PRSC and raises RHSC', () => {
    const rig = new Rig();
    rig.init();
    rig.hc.attach(1, 'full');
    rhsc(rig);
    rig.setTime(3_000_123);
    rig.setPort(1, PORT_PRS);
    expect(rig.resets).toEqual([1]);
    expect(rig.port(1) & (PORT_PRS | PORT_PES | PORT_PRSC)).toBe(PORT_PRS);
    expect(rig.hc.portInfo(1).resetting).toBe(true);
    rig.advanceTo(3_000_123 + RESET_TICKS - 1);
    expect(rig.port(1) & (PORT_PRS | PORT_PES | PORT_PRSC)).toBe(PORT_PRS);
    expect(rhsc(rig)).toBe(false);
    rig.advanceTo(3_000_123 + RESET_TICKS);
    expect(rig.port(1) & (PORT_PRS | PORT_PES | PORT_PRSC)).toBe(PORT_PES | PORT_PRSC);
    expect(rig.irq).toBe(true);
    expect(rhsc(rig)).toBe(true);
    rig.setPort(1, PORT_PRSC | PORT_CSC);
    expect(rig.port(1)).toBe(PORT_PPS | PORT_CCS | PORT_PES);
  });

  it('answers Set{PortEnable,PortSuspend,PortReset} on an empty port with CSC (and RHSC)', () => {
    const rig = new Rig();
    rig.setPort(2, PORT_PPS);
    for (const bit of [PORT_PES, PORT_PSS, PORT_PRS]) {
      rig.setPort(2, bit);
      expect(rig.port(2)).toBe(PORT_PPS | PORT_CSC);
      expect(rhsc(rig)).toBe(true);
      rig.setPort(2, PORT_CSC);
    }
    expect(rig.resets).toEqual([]);
  });

  it('ClearPortEnable disables without PESC; suspend and a 20 ms resume end with PSSC', () => {
    const rig = new Rig();
    rig.init();
    rig.plugAndReset(1);
    rig.setPort(1, PORT_CSC | PORT_PRSC);
    rig.setPort(1, PORT_PSS);
    expect(rig.port(1) & PORT_PSS).toBe(PORT_PSS);
    const t0 = rig.clock.t;
    rig.setPort(1, PORT_POCI); // ClearSuspendStatus: resume signalling
    rig.advanceTo(t0 + 20 * FRAME_TICKS - 1);
    expect(rig.port(1) & (PORT_PSS | PORT_PSSC)).toBe(PORT_PSS);
    rig.advanceTo(t0 + 20 * FRAME_TICKS);
    expect(rig.port(1) & (PORT_PSS | PORT_PSSC)).toBe(PORT_PSSC);
    rig.setPort(1, PORT_CCS); // ClearPortEnable
    expect(rig.port(1) & (PORT_PES | PORT_PESC)).toBe(0);
    rig.setPort(1, PORT_PES); // SetPortEnable
    expect(rig.port(1) & PORT_PES).toBe(PORT_PES);
  });

  it('disconnect clears CCS/PES and sets CSC and PESC; detach of an empty port is false', () => {
    const rig = new Rig();
    rig.init();
    rig.plugAndReset(2, 'low');
    rig.setPort(2, PORT_CSC | PORT_PRSC);
    rhsc(rig);
    expect(rig.hc.detach(2)).toBe(true);
    expect(rig.port(2)).toBe(PORT_PPS | PORT_CSC | PORT_PESC);
    expect(rhsc(rig)).toBe(true);
    expect(rig.hc.detach(2)).toBe(false);
    expect(rig.hc.portInfo(2)).toMatchObject({ attached: false, speed: null, address: null });
  });

  it('a detach during reset cancels the reset', () => {
    const rig = new Rig();
    rig.init();
    rig.hc.attach(1, 'full');
    rig.setPort(1, PORT_PRS);
    rig.hc.detach(1);
    rig.advance(RESET_TICKS * 2);
    expect(rig.port(1) & (PORT_PRS | PORT_PES | PORT_PRSC)).toBe(0);
  });

  it('HcRhStatus: DRWE set/clear, OCIC write-1-to-clear, LPS/LPSC read 0', () => {
    const rig = new Rig();
    rig.w(REG.RhStatus, RHS_DRWE);
    expect(rig.r(REG.RhStatus)).toBe(RHS_DRWE);
    rig.w(REG.RhStatus, RHS_CRWE);
    expect(rig.r(REG.RhStatus)).toBe(0);
    rig.w(REG.RhStatus, RHS_OCIC | RHS_LPSC);
    expect(rig.r(REG.RhStatus)).toBe(0);
  });

  it('a connect while suspended with DRWE is a remote wakeup: UsbResume and ResumeDetected', () => {
    const rig = new Rig();
    rig.init();
    rig.w(REG.RhStatus, RHS_DRWE);
    rig.w(REG.Control, (rig.r(REG.Control) & ~0xc0) | HCFS_SUSPEND);
    rig.hc.attach(1, 'full');
    expect(rig.r(REG.Control) & 0xc0).toBe(HCFS_RESUME);
    expect(rig.r(REG.InterruptStatus) & INT_RD).toBe(INT_RD);
    rig.w(REG.Control, (rig.r(REG.Control) & ~0xc0) | HCFS_OPERATIONAL);
    expect(rig.hc.nextDeadline()).toBe(rig.clock.t + FRAME_TICKS);
  });
});
