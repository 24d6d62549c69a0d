// The target description gdb reads with qXfer:features:read:target.xml (GDB manual, "Target
// Descriptions" and "RISC-V Features"): a 32-bit RISC-V hart.
//
//   org.gnu.gdb.riscv.cpu      zero..t6 (regnums 0-31) and pc (32), 32 bits each; the 'g' packet
//                              carries exactly these 33, in this order
//   org.gnu.gdb.riscv.csr      the CSRs gdb knows by name that this hart implements, regnum =
//                              65 + CSR number (gdb's RISCV_FIRST_CSR_REGNUM is 65); read with 'p'
//   org.gnu.gdb.riscv.virtual  priv, the current privilege mode (regnum 65 + 4096 = 4161)
//
// No FPU: the hart is RV32IMAC, so there is no org.gnu.gdb.riscv.fpu feature (regnums 33-64 unused).
// CSRs are marked save-restore="no": gdb must not write them back around inferior calls.

export const REG_PC = 32;
export const GENERAL_REGISTER_COUNT = 33;
export const CSR_REGNUM_BASE = 65;
export const PRIV_REGNUM = CSR_REGNUM_BASE + 4096;

const ABI_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 'fp', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
] as const;

function range(prefix: string, from: number, to: number, base: number, suffix = ''): [string, number][] {
  const out: [string, number][] = [];
  for (let i = from; i <= to; i++) out.push([`${prefix}${i}${suffix}`, base + i - from]);
  return out;
}

/**
 * CSRs by the names gdb (binutils' riscv-opc.h) gives them, that csr.ts implements for RV32 (a
 * test checks each one reads in M-mode). Counters 3-31 read as zero, as csr.ts implements them.
 */
export const GDB_CSRS: readonly (readonly [string, number])[] = [
  ['cycle', 0xc00], ['time', 0xc01], ['instret', 0xc02], ...range('hpmcounter', 3, 31, 0xc03),
  ['cycleh', 0xc80], ['timeh', 0xc81], ['instreth', 0xc82], ...range('hpmcounter', 3, 31, 0xc83, 'h'),
  ['sstatus', 0x100], ['sie', 0x104], ['stvec', 0x105], ['scounteren', 0x106], ['senvcfg', 0x10a],
  ['sscratch', 0x140], ['sepc', 0x141], ['scause', 0x142], ['stval', 0x143], ['sip', 0x144], ['satp', 0x180],
  ['mvendorid', 0xf11], ['marchid', 0xf12], ['mimpid', 0xf13], ['mhartid', 0xf14], ['mconfigptr', 0xf15],
  ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303], ['mie', 0x304], ['mtvec', 0x305],
  ['mcounteren', 0x306], ['menvcfg', 0x30a], ['mstatush', 0x310], ['menvcfgh', 0x31a], ['mcountinhibit', 0x320],
  ...range('mhpmevent', 3, 31, 0x323),
  ['mscratch', 0x340], ['mepc', 0x341], ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344],
  ...range('pmpcfg', 0, 3, 0x3a0), ...range('pmpaddr', 0, 15, 0x3b0),
  ['mcycle', 0xb00], ['minstret', 0xb02], ...range('mhpmcounter', 3, 31, 0xb03),
  ['mcycleh', 0xb80], ['minstreth', 0xb82], ...range('mhpmcounter', 3, 31, 0xb83, 'h'),
];

const CSR_NUMBERS = new Set(GDB_CSRS.map(([, n]) => n));

/** Whether `regnum` names a CSR of the description; returns its CSR number, or -1. */
export function csrOfRegnum(regnum: number): number {
  const n = regnum - CSR_REGNUM_BASE;
  return CSR_NUMBERS.has(n) ? n : -1;
}

function reg(name: string, regnum: number, type: string, extra = ''): string {
  return `    <reg name="${name}" bitsize="32" regnum="${regnum}" type="${type}"${extra}/>\n`;
}

let cached: string | null = null;

/** The target.xml document. */
export function targetXml(): string {
  if (cached !== null) return cached;
  let xml = '<?xml version="1.0"?>\n<!DOCTYPE target SYSTEM "gdb-target.dtd">\n<target version="1.0">\n';
  xml += '  <architecture>riscv:rv32</architecture>\n';
  xml += '  <feature name="org.gnu.gdb.riscv.cpu">\n';
  ABI_NAMES.forEach((name, i) => {
    const type = i === 1 ? 'code_ptr' : i === 2 || i === 3 || i === 4 || i === 8 ? 'data_ptr' : 'int';
    xml += reg(name, i, type);
  });
  xml += reg('pc', REG_PC, 'code_ptr');
  xml += '  </feature>\n  <feature name="org.gnu.gdb.riscv.csr">\n';
  for (const [name, n] of GDB_CSRS) xml += reg(name, CSR_REGNUM_BASE + n, 'int', ' save-restore="no" group="csr"');
  xml += '  </feature>\n  <feature name="org.gnu.gdb.riscv.virtual">\n';
  xml += reg('priv', PRIV_REGNUM, 'int', ' save-restore="no"');
  xml += '  </feature>\n</target>\n';
  cached = xml;
  return xml;
}
