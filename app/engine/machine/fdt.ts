// Flattened device tree (DTB) writer, format version 17 (Devicetree Specification v0.4, chapter 5),
// plus the builder for this board's tree, modelled on what QEMU 7.2's virt machine generates
// (hw/riscv/virt.c create_fdt*) for the devices Hindsight has.
//
// Blob layout (as libfdt/QEMU lay it out): 40-byte header, memory reservation block at 0x28
// (8-aligned, terminated by a zero entry), structure block, strings block. Big-endian throughout.

import type { BoardRegion } from './board.js';

const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1;
const FDT_END_NODE = 2;
const FDT_PROP = 3;
const FDT_END = 9;
const HEADER_SIZE = 40;

export class FdtError extends Error {
  override name = 'FdtError';
}

export interface FdtProperty {
  readonly name: string;
  readonly value: Uint8Array;
}

// Devicetree spec 2.2.1 / 2.2.4: allowed characters in node and property names.
const NODE_NAME = /^[0-9A-Za-z,._+-]{1,31}(@[0-9A-Za-z,._+-]+)?$/;
const PROP_NAME = /^[0-9A-Za-z,._+?#-]{1,31}$/;

/** ASCII only: the engine has no TextEncoder, and DT strings are ASCII by convention. */
function ascii(s: string, what: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7e) throw new FdtError(`${what}: character ${JSON.stringify(s[i])} at index ${i} is not printable ASCII`);
    out.push(c);
  }
  return out;
}

function u32be(values: readonly number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => {
    if (!Number.isInteger(x) || x < 0 || x > 0xffff_ffff) throw new FdtError(`cell value ${x} is not a 32-bit unsigned integer`);
    v.setUint32(i * 4, x);
  });
  return b;
}

/** A node under construction. Properties and children keep insertion order. */
export class FdtNode {
  readonly properties: FdtProperty[] = [];
  readonly children: FdtNode[] = [];

  constructor(readonly name: string) {}

  /** Raw bytes. */
  prop(name: string, value: Uint8Array): this {
    if (this.properties.some((p) => p.name === name)) throw new FdtError(`node "${this.name}": duplicate property "${name}"`);
    this.properties.push({ name, value });
    return this;
  }
  /** Present-but-empty property (a boolean, e.g. `interrupt-controller`). */
  empty(name: string): this { return this.prop(name, new Uint8Array(0)); }
  /** One or more 32-bit cells. */
  cells(name: string, ...values: number[]): this { return this.prop(name, u32be(values)); }
  /** A 64-bit value as two cells (hi, lo); `value` must be a safe integer. */
  u64(name: string, value: number): this { return this.cells(name, ...splitU64(value)); }
  /** A NUL-terminated string. */
  str(name: string, value: string): this { return this.strs(name, value); }
  /** A string list (each NUL-terminated), e.g. `compatible`. */
  strs(name: string, ...values: string[]): this {
    const bytes: number[] = [];
    for (const s of values) bytes.push(...ascii(s, `property "${name}"`), 0);
    return this.prop(name, Uint8Array.from(bytes));
  }
  /** Adds an existing node as a child. */
  child(node: FdtNode): this {
    if (this.children.some((c) => c.name === node.name)) throw new FdtError(`node "${this.name}": duplicate child "${node.name}"`);
    this.children.push(node);
    return this;
  }
  /** Creates, adds and returns a child. */
  add(name: string): FdtNode {
    const n = new FdtNode(name);
    this.child(n);
    return n;
  }
}

/** Splits a safe non-negative integer into [hi, lo] 32-bit cells. */
export function splitU64(value: number): [number, number] {
  if (!Number.isSafeInteger(value) || value < 0) throw new FdtError(`64-bit value ${value} is not a safe non-negative integer`);
  const hi = Math.floor(value / 0x1_0000_0000);
  return [hi, value - hi * 0x1_0000_0000];
}

export interface DtbOptions {
  /** Physical id of the boot CPU (header field boot_cpuid_phys). */
  bootCpuid?: number;
  /** Memory reservation block entries. */
  memReserve?: readonly { address: number; size: number }[];
}

/** Serialises a tree to a DTB (version 17, last compatible 16). */
export function encodeDtb(root: FdtNode, options: DtbOptions = {}): Uint8Array {
  if (root.name !== '') throw new FdtError(`the root node's name must be empty, got "${root.name}"`);
  const strings: number[] = [];
  const stringOffsets = new Map<string, number>();
  const struct: number[] = [];
  const push32 = (v: number): void => { struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff); };
  const pad4 = (): void => { while (struct.length % 4 !== 0) struct.push(0); };
  const nameOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.push(...ascii(name, 'property name'), 0);
      stringOffsets.set(name, off);
    }
    return off;
  };

  const walk = (node: FdtNode, path: string): void => {
    if (node !== root && !NODE_NAME.test(node.name)) throw new FdtError(`${path}: invalid node name "${node.name}"`);
    push32(FDT_BEGIN_NODE);
    struct.push(...ascii(node.name, `${path} node name`), 0);
    pad4();
    for (const p of node.properties) {
      if (!PROP_NAME.test(p.name)) throw new FdtError(`${path}: invalid property name "${p.name}"`);
      push32(FDT_PROP);
      push32(p.value.length);
      push32(nameOffset(p.name));
      for (const b of p.value) struct.push(b);
      pad4();
    }
    for (const c of node.children) walk(c, path === '/' ? `/${c.name}` : `${path}/${c.name}`);
    push32(FDT_END_NODE);
  };
  walk(root, '/');
  push32(FDT_END);

  const reserve = options.memReserve ?? [];
  const rsvOff = HEADER_SIZE; // already 8-aligned
  const structOff = rsvOff + (reserve.length + 1) * 16;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strings.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, FDT_MAGIC);
  v.setUint32(4, total);
  v.setUint32(8, structOff);
  v.setUint32(12, stringsOff);
  v.setUint32(16, rsvOff);
  v.setUint32(20, 17);
  v.setUint32(24, 16);
  v.setUint32(28, options.bootCpuid ?? 0);
  v.setUint32(32, strings.length);
  v.setUint32(36, struct.length);
  reserve.forEach((r, i) => {
    const [ah, al] = splitU64(r.address);
    const [sh, sl] = splitU64(r.size);
    v.setUint32(rsvOff + i * 16, ah); v.setUint32(rsvOff + i * 16 + 4, al);
    v.setUint32(rsvOff + i * 16 + 8, sh); v.setUint32(rsvOff + i * 16 + 12, sl);
  });
  out.set(struct, structOff);
  out.set(strings, stringsOff);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The board's tree.

/** What a board region's node builder may refer to. Phandles are allocated deterministically. */
export interface FdtContext {
  readonly cpuPhandle: number;
  readonly cpuIntcPhandle: number;
  readonly plicPhandle: number;
  /** The phandle of the region with this name (allocated on first request, in request order). */
  phandle(regionName: string): number;
}

/** Where a region's nodes go: under /soc (devices) or at the root (e.g. poweroff/reboot). */
export interface FdtPlacement {
  readonly soc?: readonly FdtNode[];
  readonly root?: readonly FdtNode[];
}

export interface BoardFdtOptions {
  /** riscv,isa of cpu@0 (ISA string in the form QEMU 7.2 prints it). */
  isa?: string;
  /** /chosen/bootargs, omitted when absent (QEMU omits it without -append). */
  bootargs?: string;
  /** Guest timer frequency: QEMU virt's CLINT runs at 10 MHz. */
  timebaseFrequency?: number;
}

export const DEFAULT_ISA = 'rv32imac_zicsr_zifencei';
export const VIRT_TIMEBASE_FREQUENCY = 10_000_000;

/** `name@hexbase`, as QEMU names nodes. */
export function unitName(name: string, base: number): string {
  return `${name}@${base.toString(16)}`;
}

/** The `reg` cells of a region with #address-cells = #size-cells = 2. */
export function regCells(base: number, size: number): number[] {
  return [...splitU64(base), ...splitU64(size)];
}

/**
 * Builds the device tree of a board from its region list (see board.ts). Fixed phandles follow
 * QEMU 7.2's allocation order: cpu 1, cpu interrupt controller 2, PLIC 3, then regions on request.
 */
export function buildBoardFdt(regions: readonly BoardRegion[], options: BoardFdtOptions = {}): FdtNode {
  const ram = regions.find((r) => r.kind === 'ram');
  if (!ram) throw new FdtError('board has no RAM region');
  const handles = new Map<string, number>();
  let next = 4;
  const ctx: FdtContext = {
    cpuPhandle: 1,
    cpuIntcPhandle: 2,
    plicPhandle: 3,
    phandle(name: string): number {
      let h = handles.get(name);
      if (h === undefined) {
        if (!regions.some((r) => r.name === name)) throw new FdtError(`phandle requested for unknown region "${name}"`);
        h = next++;
        handles.set(name, h);
      }
      return h;
    },
  };

  const root = new FdtNode('');
  root.cells('#address-cells', 2).cells('#size-cells', 2);
  root.str('compatible', 'riscv-virtio').str('model', 'riscv-virtio,qemu');

  const chosen = root.add('chosen');
  const cpus = root.add('cpus');
  cpus.cells('#address-cells', 1).cells('#size-cells', 0);
  cpus.cells('timebase-frequency', options.timebaseFrequency ?? VIRT_TIMEBASE_FREQUENCY);
  const cpu = cpus.add('cpu@0');
  cpu.cells('phandle', ctx.cpuPhandle).str('device_type', 'cpu').cells('reg', 0).str('status', 'okay');
  cpu.str('compatible', 'riscv').str('riscv,isa', options.isa ?? DEFAULT_ISA).str('mmu-type', 'riscv,sv32');
  const intc = cpu.add('interrupt-controller');
  // #address-cells = 0 is not in QEMU 7.2's tree (later QEMU adds it): without it dtc warns.
  intc.cells('#interrupt-cells', 1).cells('#address-cells', 0).empty('interrupt-controller').str('compatible', 'riscv,cpu-intc');
  intc.cells('phandle', ctx.cpuIntcPhandle);
  cpus.add('cpu-map').add('cluster0').add('core0').cells('cpu', ctx.cpuPhandle);

  root.add(unitName('memory', ram.base)).str('device_type', 'memory').cells('reg', ...regCells(ram.base, ram.size));

  const soc = root.add('soc');
  soc.cells('#address-cells', 2).cells('#size-cells', 2).str('compatible', 'simple-bus').empty('ranges');

  for (const r of regions) {
    if (!r.fdt) continue;
    const placed = r.fdt(r, ctx);
    for (const n of placed.soc ?? []) soc.child(n);
    for (const n of placed.root ?? []) root.child(n);
  }

  const stdout = regions.find((r) => r.stdout);
  if (stdout) chosen.str('stdout-path', `/soc/${unitName(stdout.fdtName ?? stdout.name, stdout.base)}`);
  if (options.bootargs !== undefined) chosen.str('bootargs', options.bootargs);
  return root;
}

/** The board's DTB, ready to copy into guest RAM. */
export function buildBoardDtb(regions: readonly BoardRegion[], options: BoardFdtOptions = {}): Uint8Array {
  return encodeDtb(buildBoardFdt(regions, options));
}
