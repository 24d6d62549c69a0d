// The whole machine: the QEMU-virt-compatible board (see board.ts), one hart, the guest image,
// and the deterministic run loop. Boots exactly as `qemu-system-riscv32 -M virt -bios none -kernel`:
// the reset ROM at 0x1000 jumps to the ELF entry with a0 = hart id and a1 = the device tree address.

import { PAGE_CODE, PAGE_SIZE, PhysicalBus } from '../bus/bus.js';
import type { GuestClock, MachineControl } from '../bus/device.js';
import { Executor } from '../cpu/executor.js';
import { Hart } from '../cpu/hart.js';
import { parseElf, type ElfImage } from '../loader/elf.js';
import { BOARD, RAM_BASE, DEFAULT_RAM_SIZE, ROM_BASE, boardRegions } from './board.js';
import { buildBoardDtb } from './fdt.js';
import { buildResetRom } from './reset-rom.js';
import { isZeroPage } from './state-hash.js';
import { Uart16550a } from '../devices/uart-16550a.js';
import { Clint } from '../devices/clint.js';
import { Plic } from '../devices/plic.js';
import { SifiveTest } from '../devices/sifive-test.js';
import { Htif } from '../devices/htif.js';
import { OhciController } from '../devices/ohci/ohci.js';
import { UsbHostApi } from '../devices/ohci/usb-host-api.js';
import { RunLoop } from './run-loop.js';
import type { StopReason, Watchpoint, WatchHit } from './stop-reason.js';
import type { Decoded } from '../isa/decode.js';
import { saveMachineState, loadMachineState, type Snapshotable } from './machine-state.js';
import { RamHashCache } from './state-hash.js';

export interface MachineConfig {
  /** The guest ELF. */
  readonly image: { readonly bytes: Uint8Array; readonly path?: string };
  /** RAM size in bytes (default 128 MiB, as QEMU's virt). */
  readonly ramSize?: number;
}

export interface RunOptions {
  /** Run until this many more instructions have retired (or the guest stops or idles first). */
  readonly maxInstructions: number;
  /**
   * Do not stop at a breakpoint on the current pc before running the instruction there: how a
   * debugger continues from the breakpoint it stopped at. Default true.
   */
  readonly skipBreakpointAtStart?: boolean;
  /** Also run until guest time (ticks) reaches this: picks one moment while the hart sleeps (see RunLoop.run). */
  readonly untilTicks?: number;
}

export class Machine {
  readonly bus: PhysicalBus;
  readonly hart: Hart;
  readonly executor: Executor;
  readonly uart: Uart16550a;
  readonly clint: Clint;
  readonly plic: Plic;
  /** The OHCI USB host controller (board region `ohci`). */
  readonly ohci: OhciController;
  /** The USB controller's host side: attach/detach devices, answer transfers (see usb-host-api.ts). */
  readonly usb: UsbHostApi;
  readonly elf: ElfImage;
  readonly fdtAddr: number;
  private readonly loop: RunLoop;
  private readonly stateParts: Snapshotable[];
  /** Receives each byte the guest transmits on UART0 (and HTIF console output). */
  onUartOutput: (byte: number) => void = () => {};

  static create(config: MachineConfig): Machine {
    return new Machine(config);
  }

  private constructor(config: MachineConfig) {
    const ramSize = config.ramSize ?? DEFAULT_RAM_SIZE;
    this.bus = new PhysicalBus(RAM_BASE, ramSize);
    this.hart = new Hart(this.bus);
    this.executor = new Executor(this.hart, this.bus);
    const hart = this.hart;

    // Devices see the time of the instruction that is touching them (see Hart.currentInsn).
    const clock: GuestClock = { icount: () => hart.icount + hart.currentInsn, ticks: () => hart.ticks() + hart.currentInsn };
    const control: MachineControl = {
      requestExit: (code, source) => {
        if (!this.loop.exitRequest) this.loop.exitRequest = { code, source };
      },
    };
    const transmit = (b: number): void => this.onUartOutput(b);

    this.plic = new Plic(hart);
    this.clint = new Clint(clock, hart);
    this.uart = new Uart16550a(this.plic.line(BOARD.uart0.irq), transmit, clock);
    const finisher = new SifiveTest(control);
    this.bus.map(BOARD.clint.base, this.clint);
    this.bus.map(BOARD.plic.base, this.plic);
    this.bus.map(BOARD.uart0.base, this.uart);
    this.bus.map(BOARD.test.base, finisher);
    hart.readTime = () => this.clint.mtime();
    // The USB controller does DMA through the bus (writer 'dma'); it may skip idle frames while the hart waits.
    this.ohci = new OhciController(this.plic.line(BOARD.ohci.irq), this.bus, clock, { hartWaiting: () => hart.waiting });
    this.bus.map(BOARD.ohci.base, this.ohci);
    this.usb = new UsbHostApi(this.ohci, () => this.loop.requestHostAttention());

    this.elf = parseElf(config.image.bytes, {
      ...(config.image.path ? { source: config.image.path } : {}),
      loadable: (addr, size) => this.bus.isRam(addr, size),
      describe: () => `RAM 0x${RAM_BASE.toString(16)}-0x${(RAM_BASE + ramSize - 1).toString(16)}`,
    });
    for (const seg of this.elf.segments) {
      this.bus.ram.set(seg.bytes, seg.paddr - RAM_BASE);
      this.bus.noteRamLoaded(seg.paddr - RAM_BASE, seg.bytes.length);
      // memsz beyond filesz is already zero: RAM starts zeroed.
    }

    const dtb = buildBoardDtb(boardRegions(ramSize));
    // QEMU 7.2's ROM jumps to the RAM base whatever e_entry says; we jump to the ELF's entry, as the
    // ELF asks. The two agree for ELFs whose entry is at 0x80000000 (all the usual ones).
    const { rom, fdtAddr } = buildResetRom({
      kernelEntry: this.elf.lowestLoadAddr, startAddr: this.elf.entry, ramBase: RAM_BASE, ramSize, dtb,
    });
    this.bus.setRom(ROM_BASE, rom);
    this.fdtAddr = fdtAddr;
    this.bus.ram.set(dtb, fdtAddr - RAM_BASE);
    this.bus.noteRamLoaded(fdtAddr - RAM_BASE, dtb.length);

    this.stateParts = [this.clint, this.plic, this.uart, finisher, this.ohci];
    const tohost = this.elf.symbols.get('tohost');
    if (tohost) {
      const htif = new Htif({
        tohost: tohost.value,
        fromhost: this.elf.symbols.get('fromhost')?.value,
        memory: {
          read32: (pa) => this.bus.read(pa, 4) >>> 0,
          write32: (pa, v) => { this.bus.write(pa, 4, v); },
        },
        control,
        transmit,
      });
      htif.reset();
      this.bus.addStoreObserver(htif);
      this.stateParts.push(htif);
    }

    this.loop = new RunLoop(hart, this.executor, [this.clint, this.uart, this.ohci]);
    hart.pc = ROM_BASE | 0;
    this.bus.markAllClean();
  }

  get icount(): number {
    return this.hart.icount;
  }

  /**
   * Runs until `maxInstructions` more have retired, the guest exits or idles, or a breakpoint or
   * watchpoint stops it (see StopReason).
   */
  run(opts: RunOptions): StopReason {
    if (!(opts.maxInstructions >= 0)) throw new RangeError(`maxInstructions must be >= 0, got ${opts.maxInstructions}`);
    if (opts.skipBreakpointAtStart ?? true) this.executor.resumeFrom(this.hart.pc, this.hart.icount);
    else this.executor.resumeFrom(0, -1);
    this.executor.stopRequested = false;
    const reason = this.loop.run(this.hart.icount + opts.maxInstructions, opts.untilTicks);
    this.usb.throwCallbackError();
    return reason;
  }

  /** Replaces the breakpoints (instruction addresses). */
  setBreakpoints(pcs: Iterable<number>): void {
    this.executor.setBreakpoints(pcs);
  }

  /**
   * Replaces the watchpoints. Each access that hits one is passed to `onHit`, which says whether
   * run() should stop after the accessing instruction ('stop', the default) or go on. Write hits
   * are reported before the bytes change, so `onHit` can read the old contents.
   * Write watches run at nearly full speed; read and access watches run one instruction at a time.
   */
  setWatchpoints(watches: readonly Watchpoint[], onHit: (hit: WatchHit) => 'stop' | 'continue' = () => 'stop'): void {
    const writes = watches.filter((w) => w.kind !== 'read');
    const reads = watches.filter((w) => w.kind !== 'write');
    const report = (hit: WatchHit): void => {
      if (onHit(hit) === 'stop' && !this.loop.stopRequest) {
        this.loop.stopRequest = { kind: 'watchpoint', hit };
        this.executor.stopRequested = true;
      }
    };
    this.bus.setWriteWatch(writes.map((w) => ({ paddr: w.addr, size: w.len })), writes.length === 0 ? null : {
      beforeWrite: (paddr, size, writer) => {
        const w = writes.find((x) => paddr < (x.addr >>> 0) + x.len && (x.addr >>> 0) < paddr + size);
        if (w) report({ watch: w, access: 'write', icount: this.hart.icount, pc: this.hart.pc >>> 0, addr: paddr, len: size, writer });
      },
    });
    if (reads.length === 0) {
      this.executor.setEachInstructionHooks(null);
      return;
    }
    let pending: WatchHit | null = null;
    const hart = this.hart;
    this.executor.setEachInstructionHooks((d: Decoded) => {
      const k = d.spec?.kind;
      if (k !== 'load' && k !== 'lr' && k !== 'amo') return;
      const ea = ((hart.x[d.rs1]! + d.imm) | 0) >>> 0;
      const size = d.spec!.size!;
      const w = reads.find((x) => ea < (x.addr >>> 0) + x.len && (x.addr >>> 0) < ea + size);
      if (w) pending = { watch: w, access: 'read', icount: hart.icount, pc: hart.pc >>> 0, addr: ea, len: size, writer: 'cpu' };
    }, () => {
      // Report only if the access happened (the instruction retired rather than trapped).
      if (pending && hart.icount > pending.icount) report(pending);
      pending = null;
    });
  }

  /** The exit the guest requested, if it has. */
  get exitRequest(): { code: number; source: string } | null {
    return this.loop.exitRequest;
  }

  uartCanReceive(): boolean {
    return this.uart.canReceive();
  }

  /** Delivers one byte to UART0's receiver. Call only between run() calls (a canonical point). */
  uartReceive(byte: number): void {
    this.uart.receive(byte);
  }

  /** CPU and device state (not RAM), versioned. */
  saveState(): Uint8Array {
    return saveMachineState(this.hart, this.loop, this.stateParts);
  }

  private pageEquals(page: number, data: Uint8Array | null): boolean {
    const ram32 = this.bus.ram32;
    const base = page * (PAGE_SIZE / 4);
    if (data === null) {
      for (let i = 0; i < PAGE_SIZE / 4; i++) if (ram32[base + i] !== 0) return false;
      return true;
    }
    const ram = this.bus.ram;
    const off = page * PAGE_SIZE;
    for (let i = 0; i < PAGE_SIZE; i++) if (ram[off + i] !== data[i]) return false;
    return true;
  }

  /** Hash of the complete machine state: CPU, devices and all of RAM. */
  stateHash(): string {
    return new RamHashCache(this.bus.ram32).digest(this.saveState());
  }

  /** The complete state (CPU, devices and a copy of RAM); restore with restoreFull. */
  saveFull(): { state: Uint8Array; ram: Uint8Array } {
    return { state: this.saveState(), ram: this.bus.ram.slice() };
  }

  restoreFull(full: { state: Uint8Array; ram: Uint8Array }): void {
    if (full.ram.length !== this.bus.ram.length) {
      throw new RangeError(`snapshot RAM is ${full.ram.length} bytes, this machine has ${this.bus.ram.length}`);
    }
    this.bus.ram.set(full.ram);
    for (let p = 0; p < this.bus.ram32.length / (PAGE_SIZE / 4); p++) if (!isZeroPage(this.bus.ram32, p)) this.bus.noteRamLoaded(p * PAGE_SIZE, PAGE_SIZE);
    this.executor.flushAll();
    this.loadState(full.state);
    this.bus.markAllClean();
  }

  /** Restores CPU and device state (RAM is restored separately, e.g. page by page). */
  loadState(bytes: Uint8Array): void {
    loadMachineState(bytes, this.hart, this.loop, this.stateParts);
    this.loop.hostAttention = false;
    this.executor.flushJumpCache();
    this.hart.updateTranslation();
  }

  /**
   * Replaces one RAM page (restoring a snapshot), dropping decoded code from it. `data` null means
   * a zero page. Not a guest write: no dirty marking, write summaries or watch hooks.
   */
  restoreRamPage(page: number, data: Uint8Array | null): void {
    if (this.bus.pageFlags[page]! & PAGE_CODE) {
      // Code pages usually come back unchanged (a keyframe's copy of the same program): keep
      // their compiled blocks instead of recompiling them after every seek.
      if (this.pageEquals(page, data)) return;
      this.executor.invalidateRamPage(page);
      this.bus.pageFlags[page]! &= ~PAGE_CODE;
    }
    const off = page * PAGE_SIZE;
    if (data) {
      this.bus.ram.set(data, off);
      this.bus.noteRamLoaded(off, PAGE_SIZE);
    } else {
      this.bus.ram.fill(0, off, off + PAGE_SIZE);
    }
  }
}
