import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FdtError, FdtNode, buildBoardDtb, encodeDtb } from './fdt.js';
import { BOARD, boardRegions, validateBoard, type BoardRegion } from './board.js';

interface PNode { name: string; props: Map<string, Uint8Array>; children: PNode[] }

/** A strict reader for the blobs under test (and QEMU's), independent of the writer. */
function parseDtb(b: Uint8Array): { root: PNode; header: number[] } {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const header = Array.from({ length: 10 }, (_, i) => v.getUint32(i * 4));
  const [magic, , offStruct, offStrings, , version] = header as [number, number, number, number, number, number];
  expect(magic).toBe(0xd00dfeed);
  expect(version).toBe(17);
  const cstr = (at: number): [string, number] => {
    let e = at;
    while (b[e] !== 0) e++;
    return [String.fromCharCode(...b.subarray(at, e)), e + 1];
  };
  let p = offStruct;
  const stack: PNode[] = [];
  let root: PNode | undefined;
  for (;;) {
    const tok = v.getUint32(p); p += 4;
    if (tok === 1) {
      const [name, next] = cstr(p); p = (next + 3) & ~3;
      const n: PNode = { name, props: new Map(), children: [] };
      if (stack.length) stack[stack.length - 1]!.children.push(n); else root = n;
      stack.push(n);
    } else if (tok === 3) {
      const len = v.getUint32(p); const nameoff = v.getUint32(p + 4); p += 8;
      stack[stack.length - 1]!.props.set(cstr(offStrings + nameoff)[0], b.slice(p, p + len));
      p = (p + len + 3) & ~3;
    } else if (tok === 2) {
      stack.pop();
    } else if (tok === 4) {
      continue;
    } else {
      expect(tok).toBe(9);
      break;
    }
  }
  expect(stack).toHaveLength(0);
  return { root: root!, header };
}

const cells = (u: Uint8Array | undefined): number[] => {
  const v = new DataView(u!.buffer, u!.byteOffset, u!.byteLength);
  return Array.from({ length: u!.length / 4 }, (_, i) => v.getUint32(i * 4));
};
const strs = (u: Uint8Array | undefined): string[] => String.fromCharCode(...u!).split('\0').slice(0, -1);
function node(root: PNode, path: string): PNode {
  let n = root;
  for (const part of path.split('/').filter(Boolean)) {
    const c = n.children.find((x) => x.name === part);
    if (!c) throw new Error(`no node ${path} (at ${part}; have ${n.children.map((x) => x.name).join(', ')})`);
    n = c;
  }
  return n;
}

describe('encodeDtb', () => {
  it('writes a v17 blob: header, reservation block, structure, deduplicated strings', () => {
    const root = new FdtNode('');
    root.cells('#address-cells', 2).str('model', 'x');
    root.add('a@1').cells('reg', 1).empty('flag').strs('compatible', 'p', 'q');
    root.add('b').cells('reg', 2, 3).prop('raw', Uint8Array.from([1, 2, 3]));
    const blob = encodeDtb(root, { bootCpuid: 0, memReserve: [{ address: 0x8000_0000, size: 0x1000 }] });
    const { root: r, header } = parseDtb(blob);
    const [, total, offStruct, offStrings, offRsv, , lastComp, , sizeStrings, sizeStruct] = header;
    expect([total, offRsv, offStruct, lastComp]).toEqual([blob.length, 0x28, 0x28 + 32, 16]);
    expect(offStrings).toBe(offStruct! + sizeStruct!);
    expect(offStrings! + sizeStrings!).toBe(blob.length);
    // "reg" is stored once although two nodes use it
    const strings = String.fromCharCode(...blob.subarray(offStrings!, offStrings! + sizeStrings!));
    expect(strings.split('\0').filter((s) => s === 'reg')).toHaveLength(1);
    expect(cells(new Uint8Array(blob.buffer, 0x28, 16))).toEqual([0, 0x8000_0000, 0, 0x1000]);
    expect(r.children.map((c) => c.name)).toEqual(['a@1', 'b']);
    expect(strs(node(r, 'a@1').props.get('compatible'))).toEqual(['p', 'q']);
    expect(node(r, 'a@1').props.get('flag')).toEqual(new Uint8Array(0));
    expect(cells(node(r, 'b').props.get('reg'))).toEqual([2, 3]);
    expect(Array.from(node(r, 'b').props.get('raw')!)).toEqual([1, 2, 3]);
  });

  it('rejects invalid names, duplicates and values with a clear FdtError', () => {
    expect(() => encodeDtb(new FdtNode('x'))).toThrow(/root node's name must be empty/);
    const root = new FdtNode('');
    root.add('bad name');
    expect(() => encodeDtb(root)).toThrow(FdtError);
    expect(() => new FdtNode('n').cells('x', -1)).toThrow(/not a 32-bit unsigned integer/);
    expect(() => new FdtNode('n').str('x', 'é')).toThrow(/not printable ASCII/);
    expect(() => new FdtNode('n').empty('p').empty('p')).toThrow(/duplicate property "p"/);
    expect(() => new FdtNode('').child(new FdtNode('c')).child(new FdtNode('c'))).toThrow(/duplicate child "c"/);
  });
});

describe('the board', () => {
  it('is QEMU 7.2 virt\'s memory map', () => {
    const map = Object.values(BOARD).map((r: BoardRegion) => [r.name, r.base, r.size, r.irq]);
    expect(map).toEqual([
      ['mrom', 0x1000, 0xf000, undefined],
      ['test', 0x100000, 0x1000, undefined],
      ['clint', 0x2000000, 0x10000, undefined],
      ['plic', 0xc000000, 0x600000, undefined],
      ['uart0', 0x10000000, 0x100, 10],
      ['ohci', 0x10010000, 0x1000, 12], // Hindsight's own: QEMU's virt has no USB host controller
      ['ram', 0x80000000, 128 * 1024 * 1024, undefined],
    ]);
    expect(() => validateBoard(boardRegions())).not.toThrow();
    expect(boardRegions(64 * 1024 * 1024).find((r) => r.kind === 'ram')!.size).toBe(64 * 1024 * 1024);
  });

  it('refuses overlapping windows, shared or invalid PLIC sources, and bad RAM sizes', () => {
    const regions = boardRegions();
    expect(() => validateBoard([...regions, { name: 'ohci2', kind: 'ohci', base: 0x100000f0, size: 0x100, irq: 11 }]))
      .toThrow('board regions overlap: uart0 [0x10000000, 0x10000100) and ohci2 [0x100000f0, 0x100001f0)');
    expect(() => validateBoard([...regions, { name: 'ohci2', kind: 'ohci', base: 0x10020000, size: 0x1000, irq: 10 }]))
      .toThrow('ohci2 and uart0 share PLIC source 10');
    expect(() => validateBoard([...regions, { name: 'ohci2', kind: 'ohci', base: 0x10020000, size: 0x1000, irq: 96 }]))
      .toThrow(/PLIC source 96 is outside 1\.\.95/);
    expect(() => boardRegions(12345)).toThrow(/multiple of 4096/);
  });

  it('builds a device tree describing the board like QEMU\'s virt', () => {
    const { root } = parseDtb(buildBoardDtb(boardRegions()));
    expect(strs(root.props.get('compatible'))).toEqual(['riscv-virtio']);
    expect(cells(node(root, 'cpus').props.get('timebase-frequency'))).toEqual([10_000_000]);
    const cpu = node(root, 'cpus/cpu@0');
    expect(strs(cpu.props.get('riscv,isa'))).toEqual(['rv32imac_zicsr_zifencei']);
    expect(strs(cpu.props.get('mmu-type'))).toEqual(['riscv,sv32']);
    const intc = cells(node(root, 'cpus/cpu@0/interrupt-controller').props.get('phandle'))[0];
    expect(cells(node(root, 'memory@80000000').props.get('reg'))).toEqual([0, 0x8000_0000, 0, 0x800_0000]);
    const plic = node(root, 'soc/plic@c000000');
    expect(strs(plic.props.get('compatible'))).toEqual(['sifive,plic-1.0.0', 'riscv,plic0']);
    expect(cells(plic.props.get('riscv,ndev'))).toEqual([96]);
    expect(cells(plic.props.get('interrupts-extended'))).toEqual([intc, 11, intc, 9]);
    expect(cells(node(root, 'soc/clint@2000000').props.get('interrupts-extended'))).toEqual([intc, 3, intc, 7]);
    const serial = node(root, 'soc/serial@10000000');
    expect(strs(serial.props.get('compatible'))).toEqual(['ns16550a']);
    expect(cells(serial.props.get('clock-frequency'))).toEqual([0x384000]);
    expect(cells(serial.props.get('interrupts'))).toEqual([10]);
    expect(cells(serial.props.get('interrupt-parent'))).toEqual(cells(plic.props.get('phandle')));
    const test = node(root, 'soc/test@100000');
    expect(strs(test.props.get('compatible'))).toEqual(['sifive,test1', 'sifive,test0', 'syscon']);
    expect(cells(node(root, 'poweroff').props.get('regmap'))).toEqual(cells(test.props.get('phandle')));
    expect(cells(node(root, 'poweroff').props.get('value'))).toEqual([0x5555]);
    expect(cells(node(root, 'reboot').props.get('value'))).toEqual([0x7777]);
    expect(strs(node(root, 'chosen').props.get('stdout-path'))).toEqual(['/soc/serial@10000000']);
  });

  const qemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;
  it.skipIf(!qemu)(`matches QEMU 7.2's own virt DTB for every node it has${qemu ? '' : ' (skipped: qemu-system-riscv32 not installed)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-dtb-'));
    try {
      const file = join(dir, 'virt.dtb');
      const r = spawnSync('qemu-system-riscv32', ['-M', `virt,dumpdtb=${file}`, '-bios', 'none', '-display', 'none'], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const theirs = parseDtb(readFileSync(file)).root;
      const ours = parseDtb(buildBoardDtb(boardRegions())).root;
      const compared: string[] = [];
      const walk = (n: PNode, path: string): void => {
        if (path === '/soc/usb@10010000') return; // Hindsight's OHCI: QEMU's virt has none
        const t = node(theirs, path);
        for (const [name, value] of n.props) {
          if (name === 'riscv,isa') continue; // QEMU's CPU has more extensions than Hindsight's
          if (path.endsWith('/interrupt-controller') && name === '#address-cells') continue; // added for dtc, as later QEMU does
          expect(Array.from(t.props.get(name) ?? []), `${path || '/'} ${name}`).toEqual(Array.from(value));
          compared.push(`${path}:${name}`);
        }
        for (const c of n.children) walk(c, `${path}/${c.name}`);
      };
      walk(ours, '');
      expect(compared.length).toBeGreaterThan(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const dtc = spawnSync('dtc', ['--version']).status === 0;
  it.skipIf(!dtc)(`is accepted by dtc without warnings${dtc ? '' : ' (skipped: dtc not installed; apt-get install device-tree-compiler)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-dtb-'));
    try {
      const file = join(dir, 'board.dtb');
      writeFileSync(file, buildBoardDtb(boardRegions(), { bootargs: 'console=ttyS0' }));
      const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('stdout-path = "/soc/serial@10000000";');
      expect(r.stdout).toContain('bootargs = "console=ttyS0";');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
