// The reset ROM ("mrom", 0x1000..0xffff) exactly as QEMU 7.2 builds it for
// `qemu-system-riscv32 -M virt -bios none -kernel ELF` (hw/riscv/boot.c riscv_setup_rom_reset_vec
// and riscv_rom_copy_firmware_info), and the address QEMU 7.2 puts the DTB at (riscv_load_fdt).
//
// ROM layout (RV32, little-endian words):
//   0x00  auipc t0, 0           0x00000297
//   0x04  addi  a2, t0, 40      0x02828613   a2 = &fw_dynamic_info
//   0x08  csrr  a0, mhartid     0xf1402573
//   0x0c  lw    a1, 32(t0)      0x0202a583   a1 = fdt address
//   0x10  lw    t0, 24(t0)      0x0182a283
//   0x14  jr    t0              0x00028067
//   0x18  start_addr, start_addr_hi         where the hart jumps: DRAM base, NOT the ELF entry
//   0x20  fdt_addr, fdt_addr_hi
//   0x28  fw_dynamic_info { magic "OSBI" 0x4942534f, version 2, next_addr, next_mode 1 (S),
//                           options 0, boot_hart 0 }   (OpenSBI's struct; 6 words on RV32)
//   rest  zero
//
// Verified against QEMU 7.2.22 (`xp /14wx 0x1000` in the monitor): with -bios none the jump target
// is always 0x80000000, and next_addr is the ELF's lowest PT_LOAD address (riscv_load_kernel
// returns the load base, not e_entry), e.g. 0x80200000 for an ELF linked at 0x80200100.

export const MROM_BASE = 0x1000;
export const MROM_SIZE = 0xf000;

const FW_DYNAMIC_INFO_MAGIC = 0x4942534f; // "OSBI"
const FW_DYNAMIC_INFO_VERSION = 2;
const FW_DYNAMIC_INFO_NEXT_MODE_S = 1;

/**
 * QEMU's virt machine builds its tree in a 1 MiB buffer (create_device_tree, FDT_MAX_SIZE) and
 * riscv_load_fdt sizes the placement by that buffer, not by the packed tree.
 */
export const QEMU_FDT_BUFFER_SIZE = 0x10_0000;
const TWO_MIB = 0x20_0000;
const THREE_GIB = 0xc000_0000;

/**
 * The DTB address QEMU 7.2 picks (riscv_load_fdt): as high as possible but addressable by 32-bit
 * code, i.e. below min(RAM end, 3 GiB), leaving the fdt size below it, aligned down to 2 MiB.
 * With 128 MiB at 0x80000000 that is 0x87e00000 (checked against QEMU 7.2: 129 MiB gives
 * 0x88000000, 256 MiB 0x8fe00000, 3 GiB 0xbfe00000).
 */
export function computeFdtAddr(ramBase: number, ramSize: number, fdtSize: number = QEMU_FDT_BUFFER_SIZE): number {
  const ramEnd = ramBase + ramSize;
  const top = ramBase < THREE_GIB ? Math.min(ramEnd, THREE_GIB) : ramEnd;
  const size = Math.max(fdtSize, QEMU_FDT_BUFFER_SIZE);
  const addr = Math.floor((top - size) / TWO_MIB) * TWO_MIB;
  if (addr < ramBase || addr + fdtSize > ramEnd) {
    throw new RangeError(`RAM [0x${ramBase.toString(16)}, 0x${ramEnd.toString(16)}) is too small for QEMU's FDT placement (needs ${size} bytes below a 2 MiB boundary)`);
  }
  return addr;
}

export interface ResetRomOptions {
  /**
   * What QEMU calls kernel_entry: the ELF's lowest PT_LOAD address (ElfImage.lowestLoadAddr).
   * Goes to fw_dynamic_info.next_addr; the ROM itself jumps to `startAddr`.
   */
  kernelEntry: number;
  ramBase: number;
  ramSize: number;
  /** The DTB that the machine will copy to `fdtAddr`. */
  dtb: Uint8Array;
  /** Where the ROM jumps. QEMU -bios none uses the DRAM base; defaults to `ramBase`. */
  startAddr?: number;
}

export interface ResetRom {
  /** MROM_SIZE bytes, to be mapped read-only at MROM_BASE. */
  rom: Uint8Array;
  /** Where the machine must copy the DTB (also what the ROM passes in a1). */
  fdtAddr: number;
}

export function buildResetRom(options: ResetRomOptions): ResetRom {
  const fdtAddr = computeFdtAddr(options.ramBase, options.ramSize, options.dtb.length);
  const startAddr = options.startAddr ?? options.ramBase;
  const words = [
    0x00000297, // auipc t0, 0
    0x02828613, // addi  a2, t0, 40
    0xf1402573, // csrr  a0, mhartid
    0x0202a583, // lw    a1, 32(t0)
    0x0182a283, // lw    t0, 24(t0)
    0x00028067, // jr    t0
    startAddr, 0,
    fdtAddr, 0,
    FW_DYNAMIC_INFO_MAGIC,
    FW_DYNAMIC_INFO_VERSION,
    options.kernelEntry,
    FW_DYNAMIC_INFO_NEXT_MODE_S,
    0, // options
    0, // boot_hart
  ];
  const rom = new Uint8Array(MROM_SIZE);
  const view = new DataView(rom.buffer);
  words.forEach((w, i) => view.setUint32(i * 4, w >>> 0, true));
  return { rom, fdtAddr };
}
