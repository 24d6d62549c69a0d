// NS16550A UART as QEMU 7.2 emulates it (hw/char/serial.c, serial_mm_init on the virt board:
// regshift 0, little-endian, baudbase 399193, a chardev without modem lines).
//
// Register map (byte registers, stride 1; any access size reads/writes the register at `offset`
// with the low byte, as serial_mm_read/write do):
//   off  DLAB=0 read   DLAB=0 write   DLAB=1
//   0    RBR           THR            DLL (divisor low)
//   1    IER           IER            DLM (divisor high)
//   2    IIR           FCR
//   3    LCR (bit 7 = DLAB)
//   4    MCR (bit 4 = loopback)
//   5    LSR (writes ignored)
//   6    MSR (writes ignored)
//   7    SCR
// QEMU decodes 8 bytes; the rest of the 0x100 device-tree window is an access fault in QEMU.
//
// Behaviour that matters for identical output and interrupts (all checked against QEMU 7.2.22):
// - THR write transmits at once (the host side never pushes back), then LSR.THRE|TEMT are set again
//   and the THR-empty interrupt is pending (thr_ipending) until IIR is read with THRI showing.
// - IER writes resample THRE only when IER.THRI changes (enabling THRI with THR empty interrupts).
// - The interrupt line is driven at every point QEMU calls serial_update_irq, with the same level
//   even when unchanged: QEMU 7.2's PLIC latches a pending bit on every raise, so repeats matter.
// - With the FIFO on, receiving or reading a byte arms the character-timeout (CTI) timer at
//   now + 4 character times, character time computed in float32 as QEMU does.

import type { AccessSize, GuestClock, IrqLine, MmioDevice, Snapshotable, TimedDevice } from '../bus/device.js';
import { StateFormatError, type StateReader, type StateWriter } from '../machine/state-codec.js';

const LCR_DLAB = 0x80;
const IER_MSI = 0x08;
const IER_RLSI = 0x04;
const IER_THRI = 0x02;
const IER_RDI = 0x01;
const IIR_NO_INT = 0x01;
const IIR_ID = 0x06;
const IIR_MSI = 0x00;
const IIR_THRI = 0x02;
const IIR_RDI = 0x04;
const IIR_RLSI = 0x06;
const IIR_CTI = 0x0c;
const IIR_FE = 0xc0;
const MCR_LOOP = 0x10;
const MCR_OUT2 = 0x08;
const MSR_DCD = 0x80;
const MSR_DSR = 0x20;
const MSR_CTS = 0x10;
const MSR_ANY_DELTA = 0x0f;
const LSR_TEMT = 0x40;
const LSR_THRE = 0x20;
const LSR_BI = 0x10;
const LSR_OE = 0x02;
const LSR_DR = 0x01;
const LSR_INT_ANY = 0x1e;
const FCR_XFR = 0x04;
const FCR_RFR = 0x02;
const FCR_FE = 0x01;
const FIFO_SIZE = 16;
/** Receive FIFO interrupt trigger levels selected by FCR bits 7:6. */
const TRIGGER_LEVELS: readonly number[] = [1, 4, 8, 14];
const NS_PER_SECOND = 1_000_000_000;

/** QEMU virt's serial_mm_init baudbase (3.6864 MHz / 16 would be 230400; QEMU passes 399193). */
export const VIRT_UART_BAUDBASE = 399193;

export interface Uart16550aOptions {
  name?: string;
  baudbase?: number;
}

export class Uart16550a implements MmioDevice, Snapshotable, TimedDevice {
  readonly name: string;
  /** Bytes QEMU decodes (regshift 0). */
  readonly size = 8;
  /** Access sizes QEMU accepts (bit n set = n-byte access valid). */
  readonly validSizes = 1 | 2 | 4;
  readonly stateName = 'uart-16550a';
  readonly stateVersion = 1;

  private readonly baudbase: number;
  private divider = 0;
  private rbr = 0;
  private thr = 0;
  private tsr = 0;
  private ier = 0;
  private iir = 0;
  private lcr = 0;
  private mcr = 0;
  private lsr = 0;
  private msr = 0;
  private scr = 0;
  private fcr = 0;
  private thrIpending = false;
  private timeoutIpending = false;
  private recvFifoItl = 0;
  private readonly fifo = new Uint8Array(FIFO_SIZE);
  private fifoHead = 0;
  private fifoCount = 0;
  /** Character time in ticks (ns), as serial_update_parameters computes it. */
  private charTransmitTime = 0;
  /** Tick at which the CTI timer fires, or Infinity. */
  private timeoutDeadline = Infinity;

  constructor(
    private readonly irq: IrqLine,
    private readonly transmit: (byte: number) => void,
    private readonly clock: GuestClock,
    options: Uart16550aOptions = {},
  ) {
    this.name = options.name ?? 'uart0';
    this.baudbase = options.baudbase ?? VIRT_UART_BAUDBASE;
    this.reset();
  }

  /** Power-on state (serial_reset). */
  reset(): void {
    this.rbr = 0;
    this.ier = 0;
    this.iir = IIR_NO_INT;
    this.lcr = 0;
    this.lsr = LSR_TEMT | LSR_THRE;
    this.msr = MSR_DCD | MSR_DSR | MSR_CTS;
    this.divider = 0x0c;
    this.mcr = MCR_OUT2;
    this.scr = 0;
    this.fcr = 0;
    // QEMU's reset value, (NANOSECONDS_PER_SECOND / 9600) * 10 in integer arithmetic.
    this.charTransmitTime = Math.floor(NS_PER_SECOND / 9600) * 10;
    this.timeoutIpending = false;
    this.timeoutDeadline = Infinity;
    this.fifoHead = 0;
    this.fifoCount = 0;
    this.thrIpending = false;
    this.irq.set(false);
  }

  // ---- host side -------------------------------------------------------------------------------

  /** How many bytes the host may deliver now (serial_can_receive: paced by the trigger level). */
  receiveCapacity(): number {
    if (this.fcr & FCR_FE) {
      if (this.fifoCount >= FIFO_SIZE) return 0;
      return this.fifoCount <= this.recvFifoItl ? this.recvFifoItl - this.fifoCount : 1;
    }
    return this.lsr & LSR_DR ? 0 : 1;
  }

  canReceive(): boolean {
    return this.receiveCapacity() > 0;
  }

  /** A byte arrives on the line (serial_receive1). Overruns set LSR.OE, as on hardware. */
  receive(byte: number): void {
    if (this.fcr & FCR_FE) {
      this.fifoPut(byte & 0xff);
      this.lsr |= LSR_DR;
      this.timeoutDeadline = this.clock.ticks() + this.charTransmitTime * 4;
    } else {
      if (this.lsr & LSR_DR) this.lsr |= LSR_OE;
      this.rbr = byte & 0xff;
      this.lsr |= LSR_DR;
    }
    this.updateIrq();
  }

  /** A break condition arrives (serial_receive_break). */
  receiveBreak(): void {
    this.rbr = 0;
    this.fifoPut(0);
    this.lsr |= LSR_BI | LSR_DR;
    this.updateIrq();
  }

  // ---- time ------------------------------------------------------------------------------------

  nextDeadline(): number {
    return this.timeoutDeadline;
  }

  /** The FIFO character timeout (fifo_timeout_int). */
  onDeadline(): void {
    if (this.clock.ticks() < this.timeoutDeadline) return;
    this.timeoutDeadline = Infinity;
    if (this.fifoCount > 0) {
      this.timeoutIpending = true;
      this.updateIrq();
    }
  }

  // ---- MMIO ------------------------------------------------------------------------------------

  read(offset: number, _size: AccessSize): number {
    switch (offset) {
      case 0:
        if (this.lcr & LCR_DLAB) return this.divider & 0xff;
        return this.readRbr();
      case 1:
        return this.lcr & LCR_DLAB ? (this.divider >>> 8) & 0xff : this.ier;
      case 2: {
        const ret = this.iir;
        if ((ret & IIR_ID) === IIR_THRI) {
          this.thrIpending = false;
          this.updateIrq();
        }
        return ret;
      }
      case 3:
        return this.lcr;
      case 4:
        return this.mcr;
      case 5: {
        const ret = this.lsr;
        if (this.lsr & (LSR_BI | LSR_OE)) {
          this.lsr &= ~(LSR_BI | LSR_OE);
          this.updateIrq();
        }
        return ret;
      }
      case 6:
        if (this.mcr & MCR_LOOP) {
          // Loopback wires the modem outputs to the inputs: OUT2/OUT1 → DCD/RI, RTS → CTS, DTR → DSR.
          return ((this.mcr & 0x0c) << 4) | ((this.mcr & 0x02) << 3) | ((this.mcr & 0x01) << 5);
        }
        // No modem lines behind the chardev: MSR stays at its reset value; delta bits never set.
        return this.msr;
      case 7:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _size: AccessSize, value: number): void {
    const val = value & 0xff;
    switch (offset) {
      case 0:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0xff00) | val;
          this.updateParameters();
        } else {
          this.writeThr(val);
        }
        return;
      case 1:
        if (this.lcr & LCR_DLAB) {
          this.divider = (this.divider & 0x00ff) | (val << 8);
          this.updateParameters();
        } else {
          const changed = (this.ier ^ val) & 0x0f;
          this.ier = val & 0x0f;
          // Enabling THRI with THR empty raises the interrupt even if an IIR read had masked it.
          if (changed & IER_THRI) this.thrIpending = (this.ier & IER_THRI) !== 0 && (this.lsr & LSR_THRE) !== 0;
          if (changed) this.updateIrq();
        }
        return;
      case 2:
        this.writeFcr(val);
        return;
      case 3:
        this.lcr = val;
        this.updateParameters();
        return;
      case 4:
        this.mcr = val & 0x1f;
        return;
      case 7:
        this.scr = val;
        return;
      default:
        return; // LSR, MSR: read-only
    }
  }

  // ---- internals -------------------------------------------------------------------------------

  private readRbr(): number {
    let ret: number;
    if (this.fcr & FCR_FE) {
      ret = this.fifoCount === 0 ? 0 : this.fifoPop();
      if (this.fifoCount === 0) {
        this.lsr &= ~(LSR_DR | LSR_BI);
      } else {
        this.timeoutDeadline = this.clock.ticks() + this.charTransmitTime * 4;
      }
      this.timeoutIpending = false;
    } else {
      ret = this.rbr;
      this.lsr &= ~(LSR_DR | LSR_BI);
    }
    this.updateIrq();
    return ret;
  }

  private writeThr(val: number): void {
    this.thr = val;
    // The transmit FIFO always drains at once (the host never pushes back), so it is never
    // observable beyond this call: transmit the byte straight from THR.
    this.thrIpending = false;
    this.lsr &= ~(LSR_THRE | LSR_TEMT);
    this.updateIrq();
    this.tsr = this.thr;
    this.lsr |= LSR_THRE;
    if (!this.thrIpending) {
      this.thrIpending = true;
      this.updateIrq();
    }
    if (this.mcr & MCR_LOOP) {
      this.receive(this.tsr);
    } else {
      this.transmit(this.tsr);
    }
    this.lsr |= LSR_TEMT;
  }

  private writeFcr(value: number): void {
    let val = value;
    // Toggling the enable bit flushes both FIFOs.
    if ((val ^ this.fcr) & FCR_FE) val |= FCR_XFR | FCR_RFR;
    if (val & FCR_RFR) {
      this.lsr &= ~(LSR_DR | LSR_BI);
      this.timeoutDeadline = Infinity;
      this.timeoutIpending = false;
      this.fifoHead = 0;
      this.fifoCount = 0;
    }
    if (val & FCR_XFR) {
      this.lsr |= LSR_THRE;
      this.thrIpending = true;
    }
    this.fcr = val & 0xc9;
    if (this.fcr & FCR_FE) {
      this.iir |= IIR_FE;
      this.recvFifoItl = TRIGGER_LEVELS[(val >>> 6) & 3]!;
    } else {
      this.iir &= ~IIR_FE;
    }
    this.updateIrq();
  }

  /** serial_update_parameters: character time = 1e9 / (baudbase / divisor) * frame bits, in float32. */
  private updateParameters(): void {
    let frame = 1;
    if (this.lcr & 0x08) frame++;
    frame += (this.lcr & 0x04 ? 2 : 1) + (this.lcr & 0x03) + 5;
    const speed = this.divider === 0 ? 3500 : Math.fround(this.baudbase / this.divider);
    this.charTransmitTime = Math.trunc(Math.fround(Math.fround(NS_PER_SECOND / speed) * frame));
  }

  private updateIrq(): void {
    let id = IIR_NO_INT;
    const ier = this.ier;
    if (ier & IER_RLSI && this.lsr & LSR_INT_ANY) {
      id = IIR_RLSI;
    } else if (ier & IER_RDI && this.timeoutIpending) {
      id = IIR_CTI;
    } else if (ier & IER_RDI && this.lsr & LSR_DR && (!(this.fcr & FCR_FE) || this.fifoCount >= this.recvFifoItl)) {
      id = IIR_RDI;
    } else if (ier & IER_THRI && this.thrIpending) {
      id = IIR_THRI;
    } else if (ier & IER_MSI && this.msr & MSR_ANY_DELTA) {
      id = IIR_MSI;
    }
    this.iir = id | (this.iir & 0xf0);
    this.irq.set(id !== IIR_NO_INT);
  }

  private fifoPut(byte: number): void {
    // Receive overruns do not overwrite FIFO contents.
    if (this.fifoCount === FIFO_SIZE) {
      this.lsr |= LSR_OE;
      return;
    }
    this.fifo[(this.fifoHead + this.fifoCount) % FIFO_SIZE] = byte;
    this.fifoCount++;
  }

  private fifoPop(): number {
    const b = this.fifo[this.fifoHead]!;
    this.fifoHead = (this.fifoHead + 1) % FIFO_SIZE;
    this.fifoCount--;
    return b;
  }

  // ---- state -----------------------------------------------------------------------------------

  saveState(w: StateWriter): void {
    w.u16(this.divider).u8(this.rbr).u8(this.thr).u8(this.tsr).u8(this.ier).u8(this.iir).u8(this.lcr)
      .u8(this.mcr).u8(this.lsr).u8(this.msr).u8(this.scr).u8(this.fcr)
      .bool(this.thrIpending).bool(this.timeoutIpending).u8(this.recvFifoItl)
      .u32(this.charTransmitTime).f64(this.timeoutDeadline);
    // FIFO contents in order, so equal queues save equal bytes whatever the ring position.
    w.u8(this.fifoCount);
    for (let i = 0; i < this.fifoCount; i++) w.u8(this.fifo[(this.fifoHead + i) % FIFO_SIZE]!);
  }

  loadState(r: StateReader, version: number): void {
    if (version !== 1) throw new StateFormatError(`${this.stateName}: cannot read state version ${version} (this build reads 1)`);
    this.divider = r.u16();
    this.rbr = r.u8(); this.thr = r.u8(); this.tsr = r.u8(); this.ier = r.u8(); this.iir = r.u8();
    this.lcr = r.u8(); this.mcr = r.u8(); this.lsr = r.u8(); this.msr = r.u8(); this.scr = r.u8(); this.fcr = r.u8();
    this.thrIpending = r.bool();
    this.timeoutIpending = r.bool();
    this.recvFifoItl = r.u8();
    this.charTransmitTime = r.u32();
    this.timeoutDeadline = r.f64();
    const n = r.u8();
    if (n > FIFO_SIZE) throw new StateFormatError(`${this.stateName}: receive FIFO holds ${n} bytes (max ${FIFO_SIZE})`);
    this.fifo.fill(0);
    for (let i = 0; i < n; i++) this.fifo[i] = r.u8();
    this.fifoHead = 0;
    this.fifoCount = n;
  }
}
