// The default medium of virtual:msc: a 1 MiB FAT12 volume ("superfloppy": no partition table, as
// small USB sticks and floppies are formatted) holding README.TXT. Block 0 is the FAT boot sector
// (Microsoft FAT specification 1.03, "Boot Sector and BPB"); its boot-code area carries a text banner,
// so a guest that dumps block 0 sees plain words, and a host that mounts the disk sees a file.
// Everything is fixed (volume ID, timestamps), so the image is identical in every session.

import { ascii, putLe16, putLe32 } from '../descriptors/bytes.js';
import { BLOCK_SIZE, MemoryBlockStore } from './block-store.js';

export const DEFAULT_DISK_BLOCKS = 2048; // 1 MiB
const RESERVED = 1;
const FATS = 2;
const FAT_SECTORS = 6; // 2033 FAT12 entries × 1.5 bytes = 3050 bytes
const ROOT_ENTRIES = 64; // 4 sectors
const ROOT_SECTOR = RESERVED + FATS * FAT_SECTORS;
const DATA_SECTOR = ROOT_SECTOR + (ROOT_ENTRIES * 32) / BLOCK_SIZE; // cluster 2

export const DEFAULT_DISK_BANNER =
  'Hindsight virtual USB disk. This is block 0 of a 1 MiB FAT12 volume served by the virtual ' +
  'mass-storage device (virtual:msc). Writes are kept in memory for this session only. ' +
  'README.TXT in the root directory says more.';

export const DEFAULT_DISK_README =
  'Hindsight virtual USB disk\r\n' +
  '==========================\r\n\r\n' +
  'This volume is served by the virtual USB mass-storage device of Hindsight\r\n' +
  '(Bulk-Only Transport, SCSI transparent command set, 512-byte blocks).\r\n' +
  'Whatever your driver writes here stays in memory until the session ends.\r\n';

/** FAT date/time fields for 2024-01-01 00:00:00 (FAT spec, "Date and Time Formats"). */
const FAT_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

export function createDefaultDisk(): MemoryBlockStore {
  const store = new MemoryBlockStore(DEFAULT_DISK_BLOCKS);
  store.load(0, bootSector());

  const readme = ascii(DEFAULT_DISK_README);
  const clusters = Math.ceil(readme.length / BLOCK_SIZE);
  const fat = new Uint8Array(FAT_SECTORS * BLOCK_SIZE);
  setFat12(fat, 0, 0xff8); // media descriptor in the low byte
  setFat12(fat, 1, 0xfff); // end-of-chain marker / clean shutdown
  for (let c = 0; c < clusters; c++) setFat12(fat, 2 + c, c === clusters - 1 ? 0xfff : 3 + c);
  for (let i = 0; i < FATS; i++) store.load(RESERVED + i * FAT_SECTORS, fat);

  const root = new Uint8Array(BLOCK_SIZE);
  dirEntry(root, 0, 'HINDSIGHT  ', 0x08, 0, 0); // volume label
  dirEntry(root, 32, 'README  TXT', 0x01 | 0x20, 2, readme.length); // read-only, archive
  store.load(ROOT_SECTOR, root);
  store.load(DATA_SECTOR, readme);
  return store;
}

function bootSector(): Uint8Array {
  const b = new Uint8Array(BLOCK_SIZE);
  b.set([0xeb, 0x3c, 0x90], 0); // jmp short 0x3e; nop
  b.set(ascii('HINDSGHT', 8), 3); // OEM name
  putLe16(b, 11, BLOCK_SIZE); // BPB_BytsPerSec
  b[13] = 1; // BPB_SecPerClus
  putLe16(b, 14, RESERVED);
  b[16] = FATS;
  putLe16(b, 17, ROOT_ENTRIES);
  putLe16(b, 19, DEFAULT_DISK_BLOCKS); // BPB_TotSec16
  b[21] = 0xf8; // BPB_Media: fixed disk
  putLe16(b, 22, FAT_SECTORS);
  putLe16(b, 24, 32); // BPB_SecPerTrk
  putLe16(b, 26, 2); // BPB_NumHeads
  b[36] = 0x80; // BS_DrvNum
  b[38] = 0x29; // BS_BootSig: the next three fields are present
  putLe32(b, 39, 0x48534754); // BS_VolID, fixed for determinism
  b.set(ascii('HINDSIGHT', 11), 43); // BS_VolLab
  b.set(ascii('FAT12', 8), 54); // BS_FilSysType
  // Boot code at 0x3e: cli; hlt; jmp $-1 (if anyone ever boots it), then the banner text.
  b.set([0xfa, 0xf4, 0xeb, 0xfd], 0x3e);
  const text = ascii(DEFAULT_DISK_BANNER);
  b.set(text.subarray(0, 510 - 0x42 - 1), 0x42);
  b[510] = 0x55; b[511] = 0xaa; // boot signature
  return b;
}

function setFat12(fat: Uint8Array, n: number, v: number): void {
  const off = Math.floor((n * 3) / 2);
  if (n % 2 === 0) {
    fat[off] = v & 0xff;
    fat[off + 1] = (fat[off + 1]! & 0xf0) | ((v >> 8) & 0x0f);
  } else {
    fat[off] = (fat[off]! & 0x0f) | ((v << 4) & 0xf0);
    fat[off + 1] = (v >> 4) & 0xff;
  }
}

function dirEntry(dir: Uint8Array, off: number, name11: string, attr: number, cluster: number, size: number): void {
  dir.set(ascii(name11, 11), off);
  dir[off + 11] = attr;
  putLe16(dir, off + 16, FAT_DATE); // creation date
  putLe16(dir, off + 18, FAT_DATE); // last access date
  putLe16(dir, off + 24, FAT_DATE); // write date (write time 00:00 at 22)
  putLe16(dir, off + 26, cluster);
  putLe32(dir, off + 28, size);
}
