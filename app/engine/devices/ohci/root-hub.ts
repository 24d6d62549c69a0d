// The OHCI root hub (OHCI 1.0a §7.4): HcRhDescriptorA/B, HcRhStatus and HcRhPortStatus[1..2],
// with the devices the host attaches behind its ports.
//
// HcRhPortStatus bits read one thing and write another (7.4.4):
//   bit  read                         write 1
//   0    CCS  CurrentConnectStatus    ClearPortEnable (PES = 0)
//   1    PES  PortEnableStatus        SetPortEnable (no device: sets CSC instead)
//   2    PSS  PortSuspendStatus       SetPortSuspend (no device: sets CSC instead)
//   3    POCI PortOverCurrentIndicator ClearSuspendStatus (starts 20 ms of resume signalling)
//   4    PRS  PortResetStatus         SetPortReset (no device: sets CSC instead; else 10 ms of reset)
//   8    PPS  PortPowerStatus         SetPortPower
//   9    LSDA LowSpeedDeviceAttached  ClearPortPower
//   16-20 CSC, PESC, PSSC, OCIC, PRSC (status changes)   write 1 to clear
// Power (7.4.1, 7.4.4): with NPS set the ports are always powered (PPS reads 1). Otherwise a port
// obeys Set/ClearPortPower when PSM = 1 and its PortPowerControlMask bit is set, and
// Set/ClearGlobalPower (HcRhStatus LPSC/LPS) otherwise. An unpowered port shows no device and
// loses enable, suspend and reset state.
// RootHubStatusChange is raised whenever the hub sets a change bit (connect, disconnect, reset or
// resume complete, a write to a disconnected port), not on the HCD's own writes (QEMU raises it on
// any register change; the spec's wording is "has changed", and hardware raises it on events).
// Over-current is not modelled (NOCP): OCI, POCI and OCIC never become 1.

import type { OhciState, PortState } from './state.js';
import type { UsbPortSpeed } from './usb-types.js';
import {
  NUM_PORTS, PORT_CCS, PORT_CHANGE_BITS, PORT_CSC, PORT_LSDA, PORT_PES, PORT_PESC, PORT_POCI, PORT_PPS, PORT_PRS,
  PORT_PRSC, PORT_PSS, PORT_PSSC, PORT_RESET_TICKS, PORT_RESUME_TICKS, RHA_NPS, RHA_PSM, RHA_WRITABLE, RHB_MASK,
  RHS_CRWE, RHS_DRWE, RHS_LPS, RHS_LPSC, RHS_OCIC,
} from './regs.js';

export interface RootHubEvents {
  /** The hub set a status-change bit (RHSC). `connect` when it was a connect/disconnect (remote wakeup). */
  statusChange(connect: boolean): void;
  /** Reset signalling began on `port` (1-based): the device behind it is reset. */
  portReset(port: number): void;
  /** Transfers to `port` (1-based) can no longer reach the device (reset, disable, power off, detach). */
  abortPort(port: number): void;
}

/** What the UI shows about a port. */
export interface RootPortInfo {
  readonly port: number;
  /** A device is plugged in (by the host), powered or not. */
  readonly attached: boolean;
  readonly speed: UsbPortSpeed | null;
  readonly powered: boolean;
  readonly connected: boolean;
  readonly enabled: boolean;
  readonly suspended: boolean;
  readonly resetting: boolean;
  /** The guest-visible address of the device (0 = default), or null with no device. */
  readonly address: number | null;
  /** HcRhPortStatus as the guest reads it. */
  readonly status: number;
}

export class RootHub {
  constructor(private readonly s: OhciState, private readonly ev: RootHubEvents) {}

  /** Power-on state: ports unpowered, devices (if attached) still plugged in at address 0. */
  hardReset(): void {
    for (const p of this.s.ports) {
      p.ctrl = 0;
      p.resetAt = Infinity;
      p.resumeAt = Infinity;
      p.address = p.speed ? 0 : -1;
    }
  }

  /**
   * The bus reset of HCFS = UsbReset (5.1.1.3.3, 7.1.2): every port loses enable, suspend and reset
   * state, and every connected device sees reset signalling.
   */
  busReset(): void {
    this.s.ports.forEach((p, i) => {
      const connected = (p.ctrl & PORT_CCS) !== 0;
      if (p.ctrl & (PORT_PES | PORT_PSS | PORT_PRS) || connected) this.ev.abortPort(i + 1);
      p.ctrl &= ~(PORT_PES | PORT_PSS | PORT_PRS);
      p.resetAt = Infinity;
      p.resumeAt = Infinity;
      if (p.speed) p.address = 0;
      if (connected) this.ev.portReset(i + 1);
    });
  }

  port(port: number): PortState {
    if (!Number.isInteger(port) || port < 1 || port > NUM_PORTS) {
      throw new RangeError(`root hub port ${port} does not exist (ports are 1..${NUM_PORTS})`);
    }
    return this.s.ports[port - 1]!;
  }

  private powered(i: number): boolean {
    return (this.s.rhDescA & RHA_NPS) !== 0 || (this.s.ports[i]!.ctrl & PORT_PPS) !== 0;
  }

  /** The port obeys Set/ClearPortPower rather than Set/ClearGlobalPower. */
  private perPortPower(i: number): boolean {
    return (this.s.rhDescA & RHA_PSM) !== 0 && ((this.s.rhDescB >>> 16) & (1 << (i + 1))) !== 0;
  }

  /** Sets PPS and applies the power transition, if the effective power changed. */
  private setPower(i: number, on: boolean): void {
    const p = this.s.ports[i]!;
    const was = this.powered(i);
    p.ctrl = on ? p.ctrl | PORT_PPS : p.ctrl & ~PORT_PPS;
    this.powerChanged(i, was);
  }

  private powerChanged(i: number, was: boolean): void {
    const now = this.powered(i);
    if (now === was) return;
    const p = this.s.ports[i]!;
    if (now) {
      if (p.speed) this.connect(i);
      return;
    }
    if (p.ctrl & (PORT_CCS | PORT_PES)) this.ev.abortPort(i + 1);
    p.ctrl &= ~(PORT_CCS | PORT_PES | PORT_PSS | PORT_PRS | PORT_LSDA);
    p.resetAt = Infinity;
    p.resumeAt = Infinity;
    if (p.speed) p.address = 0;
  }

  private connect(i: number): void {
    const p = this.s.ports[i]!;
    p.ctrl |= PORT_CCS | PORT_CSC;
    p.ctrl = p.speed === 'low' ? p.ctrl | PORT_LSDA : p.ctrl & ~PORT_LSDA;
    this.ev.statusChange(true);
  }

  // ---- host side -------------------------------------------------------------------------------

  /** A device is plugged into `port` (1-based). Throws if the port is taken. */
  attach(port: number, speed: UsbPortSpeed): void {
    const p = this.port(port);
    if (speed !== 'low' && speed !== 'full') throw new RangeError(`OHCI root ports take low- or full-speed devices, not "${String(speed)}"`);
    if (p.speed) throw new RangeError(`root hub port ${port} already has a device attached; detach it first`);
    p.speed = speed;
    p.address = 0;
    if (this.powered(port - 1)) this.connect(port - 1);
  }

  /** The device on `port` is unplugged. Returns false if there was none. */
  detach(port: number): boolean {
    const p = this.port(port);
    if (!p.speed) return false;
    this.ev.abortPort(port);
    let change = false;
    if (p.ctrl & PORT_CCS) { p.ctrl |= PORT_CSC; change = true; }
    if (p.ctrl & PORT_PES) { p.ctrl |= PORT_PESC; change = true; }
    p.ctrl &= ~(PORT_CCS | PORT_PES | PORT_PSS | PORT_PRS | PORT_LSDA);
    p.resetAt = Infinity;
    p.resumeAt = Infinity;
    p.speed = null;
    p.address = -1;
    if (change) this.ev.statusChange(true);
    return true;
  }

  /** The port index (0-based) whose enabled, awake device answers to `address`, or -1. Lowest port wins. */
  findDevice(address: number): number {
    return this.s.ports.findIndex((p) => p.speed !== null && p.address === address
      && (p.ctrl & (PORT_CCS | PORT_PES | PORT_PSS | PORT_PRS)) === (PORT_CCS | PORT_PES));
  }

  info(port: number): RootPortInfo {
    const p = this.port(port);
    const c = this.readPort(port - 1);
    return {
      port, attached: p.speed !== null, speed: p.speed, powered: this.powered(port - 1), connected: (c & PORT_CCS) !== 0,
      enabled: (c & PORT_PES) !== 0, suspended: (c & PORT_PSS) !== 0, resetting: (c & PORT_PRS) !== 0,
      address: p.speed ? p.address : null, status: c,
    };
  }

  // ---- time ------------------------------------------------------------------------------------

  nextDeadline(): number {
    let d = Infinity;
    for (const p of this.s.ports) d = Math.min(d, p.resetAt, p.resumeAt);
    return d;
  }

  onDeadline(now: number): void {
    for (const p of this.s.ports) {
      if (p.resetAt <= now) {
        // End of reset signalling (7.4.4 PRSC): the port is enabled.
        p.resetAt = Infinity;
        p.ctrl = (p.ctrl & ~PORT_PRS) | PORT_PES | PORT_PRSC;
        this.ev.statusChange(false);
      }
      if (p.resumeAt <= now) {
        p.resumeAt = Infinity;
        p.ctrl = (p.ctrl & ~PORT_PSS) | PORT_PSSC;
        this.ev.statusChange(false);
      }
    }
  }

  // ---- registers -------------------------------------------------------------------------------

  readPort(i: number): number {
    const p = this.s.ports[i]!;
    return ((this.s.rhDescA & RHA_NPS ? p.ctrl | PORT_PPS : p.ctrl) & ~PORT_POCI) >>> 0;
  }

  readStatus(): number {
    return (this.s.rhStatus & (RHS_DRWE | RHS_OCIC)) >>> 0;
  }

  writeDescA(v: number): void {
    const was = this.s.ports.map((_, i) => this.powered(i));
    this.s.rhDescA = ((this.s.rhDescA & ~RHA_WRITABLE) | (v & RHA_WRITABLE)) >>> 0;
    was.forEach((w, i) => this.powerChanged(i, w));
  }

  writeDescB(v: number): void {
    this.s.rhDescB = (v & RHB_MASK) >>> 0;
  }

  writeStatus(v: number): void {
    if (v & RHS_OCIC) this.s.rhStatus &= ~RHS_OCIC;
    if (v & RHS_DRWE) this.s.rhStatus |= RHS_DRWE;
    if (v & RHS_CRWE) this.s.rhStatus &= ~RHS_DRWE;
    // ClearGlobalPower / SetGlobalPower act on the ports not under per-port control.
    if (v & (RHS_LPS | RHS_LPSC)) {
      for (let i = 0; i < this.s.ports.length; i++) {
        if (this.perPortPower(i)) continue;
        if (v & RHS_LPS) this.setPower(i, false);
        if (v & RHS_LPSC) this.setPower(i, true);
      }
    }
  }

  writePort(i: number, v: number, now: number): void {
    const p = this.s.ports[i]!;
    if (v & PORT_CHANGE_BITS) p.ctrl &= ~(v & PORT_CHANGE_BITS);
    if (v & PORT_CCS && p.ctrl & PORT_PES) {
      p.ctrl &= ~PORT_PES;
      this.ev.abortPort(i + 1);
    }
    if (v & PORT_PES && this.ifConnected(i)) p.ctrl |= PORT_PES;
    if (v & PORT_PSS && this.ifConnected(i)) p.ctrl |= PORT_PSS;
    if (v & PORT_POCI && p.ctrl & PORT_PSS && p.resumeAt === Infinity) p.resumeAt = now + PORT_RESUME_TICKS;
    if (v & PORT_PRS && this.ifConnected(i) && !(p.ctrl & PORT_PRS)) {
      p.ctrl = (p.ctrl | PORT_PRS) & ~(PORT_PES | PORT_PSS);
      p.resetAt = now + PORT_RESET_TICKS;
      p.resumeAt = Infinity;
      p.address = 0;
      this.ev.abortPort(i + 1);
      this.ev.portReset(i + 1);
    }
    // ClearPortPower before SetPortPower: writing both leaves the port powered (as QEMU).
    if (v & PORT_LSDA && this.perPortPower(i)) this.setPower(i, false);
    if (v & PORT_PPS && this.perPortPower(i)) this.setPower(i, true);
  }

  /** For Set{PortEnable,PortSuspend,PortReset}: false, and CSC set, when no device is connected. */
  private ifConnected(i: number): boolean {
    const p = this.s.ports[i]!;
    if (p.ctrl & PORT_CCS) return true;
    p.ctrl |= PORT_CSC;
    this.ev.statusChange(false);
    return false;
  }
}
