// The board: one list that says what is where (jor1k style). Everything else — the bus map, the
// PLIC wiring, the device tree — is derived from this list, so adding a device is adding an entry.
//
// Addresses, sizes and interrupt numbers are QEMU 7.2's virt machine (hw/riscv/virt.c virt_memmap,
// include/hw/riscv/virt.h), so a guest built for `qemu-system-riscv32 -M virt` runs unchanged.
//
//   name     base         size        PLIC  what
//   mrom     0x00001000   0x0000f000   -    reset ROM (reset-rom.ts)
//   test     0x00100000   0x00001000   -    SiFive test finisher (sifive-test.ts)
//   clint    0x02000000   0x00010000   -    CLINT: msip, mtimecmp, mtime (clint.ts)
//   plic     0x0c000000   0x00600000   -    PLIC, 96 sources, contexts 0 = M, 1 = S of hart 0 (plic.ts)
//   uart0    0x10000000   0x00000100   10   NS16550A (uart-16550a.ts)
//   ohci     0x10010000   0x00001000   12   OHCI 1.0a USB host controller, 2 root ports (devices/ohci/)
//   ram      0x80000000   128 MiB      -    main memory (size configurable)
//
// The OHCI controller is Hindsight's own (QEMU's virt has no USB host controller on its system
// bus). It sits after the virtio-mmio windows QEMU reserves (0x10001000-0x10008fff), on a PLIC
// source QEMU leaves free (virtio uses 1-8, the UART 10, the RTC 11, PCIe 32-35), and its node is
// compatible with Linux's ohci-platform driver ("generic-ohci", little-endian registers).
//
// `size` is the window the device tree advertises (QEMU's memmap). Some QEMU devices decode less
// than their window (the UART 8 bytes, the CLINT 0xc000); each device class's own `size` is what
// it decodes, and QEMU raises an access fault for the rest of the window.
//
// Adding a device: append an entry with its own MMIO window, a free PLIC source in `irq` (1..95,
// not 10 or 12) and an `fdt` builder that places its node under /soc with
// `interrupt-parent = <plic>` and `interrupts = <irq>` (see uart0 and ohci below).

import { FdtNode, regCells, unitName, type FdtContext, type FdtPlacement } from './fdt.js';

export const MiB = 1024 * 1024;
export const DEFAULT_RAM_SIZE = 128 * MiB;
export const RAM_BASE = 0x8000_0000;

/** Region kinds known to the machine. Extend the union when a device kind is added. */
export type BoardRegionKind = 'ram' | 'rom' | 'clint' | 'plic' | 'uart' | 'test' | 'ohci';

export interface BoardRegion {
  /** Unique name; also the default device-tree node name prefix. */
  readonly name: string;
  readonly kind: BoardRegionKind;
  readonly base: number;
  /** Window size in bytes (as in the device tree's `reg`). */
  readonly size: number;
  /** PLIC source number, for devices that interrupt. */
  readonly irq?: number;
  /** Node name prefix when it differs from `name` (e.g. uart0 → "serial"). */
  readonly fdtName?: string;
  /** This is the console: /chosen/stdout-path points at it. */
  readonly stdout?: boolean;
  /** Builds this region's device-tree node(s). */
  readonly fdt?: (region: BoardRegion, ctx: FdtContext) => FdtPlacement;
}

/** Nodes under /soc get `reg` from the region, and PLIC wiring if the region has an irq. */
function socNode(r: BoardRegion, ctx: FdtContext): FdtNode {
  const n = new FdtNode(unitName(r.fdtName ?? r.name, r.base));
  n.cells('reg', ...regCells(r.base, r.size));
  if (r.irq !== undefined) n.cells('interrupt-parent', ctx.plicPhandle).cells('interrupts', r.irq);
  return n;
}

/** QEMU 7.2 advertises riscv,ndev = 96 (VIRT_IRQCHIP_NUM_SOURCES); sources 1..95 can be raised. */
export const PLIC_NUM_SOURCES = 96;
/** VIRT_IRQCHIP_NUM_PRIO_BITS = 3: priorities 0..7. */
export const PLIC_NUM_PRIORITIES = 7;
/** The 16550's input clock, 3.6864 MHz (QEMU's clock-frequency 0x384000). */
export const UART_CLOCK_FREQUENCY = 0x384000;
/** Root hub ports of the OHCI controller (its HcRhDescriptorA.NDP). */
export const OHCI_NUM_PORTS = 2;

const MIP_MSIP = 3;
const MIP_MTIP = 7;
const MIP_SEIP = 9;
const MIP_MEIP = 11;

/**
 * The board, with RAM at the default size: one entry per region, in address order, addressable by
 * name (`BOARD.uart0.base`). `boardRegions(ramSize)` gives it as a list with another RAM size.
 */
export const BOARD = {
  mrom: { name: 'mrom', kind: 'rom', base: 0x0000_1000, size: 0xf000 },
  test: {
    name: 'test', kind: 'test', base: 0x0010_0000, size: 0x1000,
    fdt: (r, ctx) => {
      const phandle = ctx.phandle(r.name);
      const test = socNode(r, ctx).cells('phandle', phandle).strs('compatible', 'sifive,test1', 'sifive,test0', 'syscon');
      const syscon = (name: string, value: number): FdtNode =>
        new FdtNode(name).str('compatible', `syscon-${name}`).cells('regmap', phandle).cells('offset', 0).cells('value', value);
      return { soc: [test], root: [syscon('poweroff', 0x5555), syscon('reboot', 0x7777)] };
    },
  },
  clint: {
    name: 'clint', kind: 'clint', base: 0x0200_0000, size: 0x1_0000,
    fdt: (r, ctx) => ({
      soc: [socNode(r, ctx).strs('compatible', 'sifive,clint0', 'riscv,clint0')
        .cells('interrupts-extended', ctx.cpuIntcPhandle, MIP_MSIP, ctx.cpuIntcPhandle, MIP_MTIP)],
    }),
  },
  plic: {
    name: 'plic', kind: 'plic', base: 0x0c00_0000, size: 0x60_0000,
    fdt: (r, ctx) => ({
      soc: [socNode(r, ctx).cells('phandle', ctx.plicPhandle)
        .cells('#interrupt-cells', 1).cells('#address-cells', 0)
        .strs('compatible', 'sifive,plic-1.0.0', 'riscv,plic0').empty('interrupt-controller')
        .cells('interrupts-extended', ctx.cpuIntcPhandle, MIP_MEIP, ctx.cpuIntcPhandle, MIP_SEIP)
        .cells('riscv,ndev', PLIC_NUM_SOURCES)],
    }),
  },
  uart0: {
    name: 'uart0', kind: 'uart', base: 0x1000_0000, size: 0x100, irq: 10, fdtName: 'serial', stdout: true,
    fdt: (r, ctx) => ({
      soc: [socNode(r, ctx).str('compatible', 'ns16550a').cells('clock-frequency', UART_CLOCK_FREQUENCY)],
    }),
  },
  ohci: {
    name: 'ohci', kind: 'ohci', base: 0x1001_0000, size: 0x1000, irq: 12, fdtName: 'usb',
    fdt: (r, ctx) => ({
      soc: [socNode(r, ctx).str('compatible', 'generic-ohci').cells('num-ports', OHCI_NUM_PORTS)],
    }),
  },
  ram: { name: 'ram', kind: 'ram', base: RAM_BASE, size: DEFAULT_RAM_SIZE },
} satisfies Record<string, BoardRegion>;

export const ROM_BASE = BOARD.mrom.base;
export const ROM_SIZE = BOARD.mrom.size;

/** The board with `ramSize` bytes of RAM (a multiple of 4 KiB, at most 2 GiB so it ends by 2^32). */
export function boardRegions(ramSize: number = DEFAULT_RAM_SIZE): readonly BoardRegion[] {
  if (!Number.isInteger(ramSize) || ramSize <= 0 || ramSize % 4096 !== 0 || RAM_BASE + ramSize > 0x1_0000_0000) {
    throw new RangeError(`RAM size ${ramSize} must be a positive multiple of 4096 and end at or below 4 GiB`);
  }
  const regions: BoardRegion[] = Object.values(BOARD).map((r: BoardRegion) => (r.kind === 'ram' ? { ...r, size: ramSize } : r));
  validateBoard(regions);
  return regions;
}

export function findRegion(regions: readonly BoardRegion[], name: string): BoardRegion {
  const r = regions.find((x) => x.name === name);
  if (!r) throw new RangeError(`board has no region "${name}" (has ${regions.map((x) => x.name).join(', ')})`);
  return r;
}

/** Checks that names are unique, windows don't overlap and PLIC sources are valid and distinct. */
export function validateBoard(regions: readonly BoardRegion[]): void {
  const hex = (n: number): string => `0x${n.toString(16)}`;
  const sorted = [...regions].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.base + a.size > b.base) {
      throw new RangeError(`board regions overlap: ${a.name} [${hex(a.base)}, ${hex(a.base + a.size)}) and ${b.name} [${hex(b.base)}, ${hex(b.base + b.size)})`);
    }
  }
  const names = new Set<string>();
  const irqs = new Map<number, string>();
  for (const r of regions) {
    if (names.has(r.name)) throw new RangeError(`board region name "${r.name}" is used twice`);
    names.add(r.name);
    if (r.irq === undefined) continue;
    if (!Number.isInteger(r.irq) || r.irq < 1 || r.irq >= PLIC_NUM_SOURCES) {
      throw new RangeError(`${r.name}: PLIC source ${r.irq} is outside 1..${PLIC_NUM_SOURCES - 1}`);
    }
    const other = irqs.get(r.irq);
    if (other) throw new RangeError(`${r.name} and ${other} share PLIC source ${r.irq}`);
    irqs.set(r.irq, r.name);
  }
}
