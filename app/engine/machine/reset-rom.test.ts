import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MROM_SIZE, buildResetRom, computeFdtAddr } from './reset-rom.js';
import { parseElf } from '../loader/elf.js';

const MiB = 1024 * 1024;
const words = (rom: Uint8Array, n: number): number[] => {
  const v = new DataView(rom.buffer, rom.byteOffset, rom.byteLength);
  return Array.from({ length: n }, (_, i) => v.getUint32(i * 4, true));
};

/** A minimal RV32 ELF: one PT_LOAD of `j .` at `addr`. */
function tinyElf(addr: number): Uint8Array {
  const out = new Uint8Array(52 + 32 + 4);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); v.setUint16(18, 243, true); v.setUint32(20, 1, true);
  v.setUint32(24, addr, true); v.setUint32(28, 52, true);
  v.setUint16(40, 52, true); v.setUint16(42, 32, true); v.setUint16(44, 1, true); v.setUint16(46, 40, true);
  v.setUint32(52, 1, true); v.setUint32(56, 84, true); v.setUint32(60, addr, true); v.setUint32(64, addr, true);
  v.setUint32(68, 4, true); v.setUint32(72, 4, true); v.setUint32(76, 5, true); v.setUint32(80, 4, true);
  v.setUint32(84, 0x0000006f, true); // j .
  return out;
}

describe('reset ROM', () => {
  it('is byte for byte what QEMU 7.2 puts at 0x1000 (monitor dump, -m 128M, ELF at 0x80000000)', () => {
    const { rom, fdtAddr } = buildResetRom({ kernelEntry: 0x8000_0000, ramBase: 0x8000_0000, ramSize: 128 * MiB, dtb: new Uint8Array(4200) });
    expect(rom.length).toBe(MROM_SIZE);
    expect(fdtAddr).toBe(0x87e0_0000);
    expect(words(rom, 16)).toEqual([
      0x00000297, 0x02828613, 0xf1402573, 0x0202a583, 0x0182a283, 0x00028067, 0x80000000, 0x00000000,
      0x87e00000, 0x00000000, 0x4942534f, 0x00000002, 0x80000000, 0x00000001, 0, 0,
    ]);
    expect(rom.subarray(64).every((b) => b === 0)).toBe(true);
  });

  it('jumps to the RAM base and passes the load address in fw_dynamic_info.next_addr', () => {
    const { rom } = buildResetRom({ kernelEntry: 0x8020_0000, ramBase: 0x8000_0000, ramSize: 128 * MiB, dtb: new Uint8Array(100) });
    const w = words(rom, 16);
    expect(w[6]).toBe(0x8000_0000);
    expect(w[12]).toBe(0x8020_0000);
  });

  it('places the DTB as QEMU 7.2 does (below min(RAM end, 3 GiB) less 1 MiB, aligned down to 2 MiB)', () => {
    expect(computeFdtAddr(0x8000_0000, 128 * MiB)).toBe(0x87e0_0000);
    expect(computeFdtAddr(0x8000_0000, 129 * MiB)).toBe(0x8800_0000);
    expect(computeFdtAddr(0x8000_0000, 256 * MiB)).toBe(0x8fe0_0000);
    expect(computeFdtAddr(0x8000_0000, 3072 * MiB)).toBe(0xbfe0_0000);
    expect(computeFdtAddr(0x8000_0000, 128 * MiB, 3 * MiB)).toBe(0x87c0_0000);
    expect(() => computeFdtAddr(0x8000_0000, MiB / 2)).toThrow(/too small/);
  });

  const qemu = spawnSync('qemu-system-riscv32', ['--version']).status === 0;
  it.skipIf(!qemu)(`matches the ROM of a live qemu-system-riscv32 for several RAM sizes and load addresses${qemu ? '' : ' (skipped: qemu-system-riscv32 not installed)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'hindsight-rom-'));
    try {
      for (const [mem, addr] of [[128, 0x8000_0000], [256, 0x8020_0000], [129, 0x8040_0000]] as const) {
        const elfBytes = tinyElf(addr);
        const file = join(dir, `t${mem}.elf`);
        writeFileSync(file, elfBytes);
        const r = spawnSync('qemu-system-riscv32',
          ['-M', 'virt', '-m', `${mem}M`, '-bios', 'none', '-kernel', file, '-S', '-monitor', 'stdio', '-display', 'none', '-serial', 'null'],
          { input: 'xp /16wx 0x1000\nquit\n', encoding: 'utf8', timeout: 20_000 });
        const dumped = [...r.stdout.matchAll(/^0+10[0-3]0: (.*)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/).map((x) => parseInt(x, 16)));
        expect(dumped, r.stdout + r.stderr).toHaveLength(16);
        const elf = parseElf(elfBytes);
        const { rom } = buildResetRom({ kernelEntry: elf.lowestLoadAddr, ramBase: 0x8000_0000, ramSize: mem * MiB, dtb: new Uint8Array(4096) });
        expect(words(rom, 16)).toEqual(dumped);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
