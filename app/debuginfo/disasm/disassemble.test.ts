// The disassembler's behaviour, spelled out case by case (no toolchain needed). Every expectation
// here is what Debian's riscv64-unknown-elf-objdump 2.40 prints; disasm-objdump.test.ts checks the
// same against objdump itself, exhaustively.

import { describe, expect, it } from 'vitest';
import { encode, insn, type Operands } from '../../engine/isa/instructions.js';
import { disassemble, disassembleRange, insnLength, type DisasmOptions } from './disassemble.js';
import { objdumpSymbolizer } from './objdump-symbols.js';

const A0 = 10, A1 = 11, A5 = 15, RA = 1, SP = 2, GP = 3, TP = 4, T0 = 5;
const PC = 0x80000000;

const le = (v: number, len: number): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (v >>> (8 * i)) & 255);
const w32 = (name: string, o: Operands = {}): number => encode(insn(name), o);
const text32 = (w: number, options?: DisasmOptions, pc = PC): string => disassemble(le(w, 4), pc, options).text;
const text16 = (h: number, options?: DisasmOptions): string => disassemble(le(h, 2), PC, options).text;
const t = (name: string, o: Operands = {}, options?: DisasmOptions): string => text32(w32(name, o), options);

describe('32-bit instructions and their aliases', () => {
  it('prints addi as objdump 2.40 does: nop, li, mv, and "add" with an immediate', () => {
    expect(t('addi', { rd: A0, rs1: A0, imm: 1 })).toBe('add\ta0,a0,1');
    expect(t('addi', { rd: A0, imm: 5 })).toBe('li\ta0,5');
    expect(t('addi', { rd: A0, rs1: A1 })).toBe('mv\ta0,a1');
    expect(t('addi')).toBe('nop');
    expect(t('addi', { rd: SP, rs1: SP, imm: -16 })).toBe('add\tsp,sp,-16');
  });

  it('uses the register mnemonics for the other immediate ALU instructions, with aliases', () => {
    expect(t('andi', { rd: A0, rs1: A0, imm: 255 })).toBe('zext.b\ta0,a0');
    expect(t('andi', { rd: A0, rs1: A0, imm: 15 })).toBe('and\ta0,a0,15');
    expect(t('ori', { rd: A0, rs1: A0, imm: 1 })).toBe('or\ta0,a0,1');
    expect(t('xori', { rd: A0, rs1: A1, imm: -1 })).toBe('not\ta0,a1');
    expect(t('sltiu', { rd: A0, rs1: A1, imm: 1 })).toBe('seqz\ta0,a1');
    expect(t('sltiu', { rd: A0, rs1: A1, imm: 2 })).toBe('sltiu\ta0,a1,2');
    expect(t('slti', { rd: A0, rs1: A1, imm: 1 })).toBe('slti\ta0,a1,1');
    expect(t('slli', { rd: A0, rs1: A0, imm: 5 })).toBe('sll\ta0,a0,0x5');
    expect(t('srai', { rd: A0, rs1: A0, imm: 31 })).toBe('sra\ta0,a0,0x1f');
  });

  it('prints register-register aliases', () => {
    expect(t('sub', { rd: A0, rs2: A1 })).toBe('neg\ta0,a1');
    expect(t('sltu', { rd: A0, rs2: A1 })).toBe('snez\ta0,a1');
    expect(t('slt', { rd: A0, rs1: A1 })).toBe('sltz\ta0,a1');
    expect(t('slt', { rd: A0, rs2: A1 })).toBe('sgtz\ta0,a1');
    expect(t('add', { rd: A0, rs2: A1 })).toBe('add\ta0,zero,a1');
    expect(t('mulhsu', { rd: A0, rs1: A1, rs2: A5 })).toBe('mulhsu\ta0,a1,a5');
  });

  it('prints jumps and branches with absolute targets and the symbol the caller names', () => {
    const symbolize = (a: number): string | null => (a === 0x80000100 ? 'foo' : a === PC + 16 ? 'main+0x10' : null);
    expect(t('jal', { rd: RA, imm: 0x100 }, { symbolize })).toBe('jal\t80000100 <foo>');
    expect(t('jal', { imm: 16 }, { symbolize })).toBe('j\t80000010 <main+0x10>');
    expect(t('jal', { rd: T0, imm: 16 })).toBe('jal\tt0,0x80000010');
    expect(t('jal', { imm: 8 }, { symbolize })).toBe('j\t80000008');
    expect(t('beq', { rs1: A5, imm: 16 })).toBe('beqz\ta5,0x80000010');
    expect(t('bne', { rs1: A5, imm: -4 })).toBe('bnez\ta5,0x7ffffffc');
    expect(t('blt', { rs1: A5, imm: 8 })).toBe('bltz\ta5,0x80000008');
    expect(t('blt', { rs2: A5, imm: 8 })).toBe('bgtz\ta5,0x80000008');
    expect(t('bge', { rs2: A5, imm: 8 })).toBe('blez\ta5,0x80000008');
    expect(t('bge', { rs1: A5, imm: 8 })).toBe('bgez\ta5,0x80000008');
    // objdump never prints bgt/ble/bgtu/bleu: their entries come after blt/bge/bltu/bgeu.
    expect(t('blt', { rs1: A1, rs2: A0, imm: 8 })).toBe('blt\ta1,a0,0x80000008');
    expect(t('bgeu', { rs1: A1, rs2: A0, imm: 8 })).toBe('bgeu\ta1,a0,0x80000008');
  });

  it('prints jalr as ret, jr or jalr', () => {
    expect(t('jalr', { rs1: RA })).toBe('ret');
    expect(t('jalr', { rs1: A5 })).toBe('jr\ta5');
    expect(t('jalr', { rs1: A5, imm: 8 })).toBe('jr\t8(a5)');
    expect(t('jalr', { rd: RA, rs1: A5 })).toBe('jalr\ta5');
    expect(t('jalr', { rd: RA, rs1: A5, imm: -4 })).toBe('jalr\t-4(a5)');
    expect(t('jalr', { rd: T0, rs1: A5 })).toBe('jalr\tt0,a5');
    expect(t('jalr', { rd: T0, rs1: A5, imm: 4 })).toBe('jalr\tt0,4(a5)');
  });

  it('prints loads, stores, lui and auipc', () => {
    expect(t('lw', { rd: A0, rs1: SP, imm: 12 })).toBe('lw\ta0,12(sp)');
    expect(t('sb', { rs1: A0, rs2: A1, imm: -1 })).toBe('sb\ta1,-1(a0)');
    expect(t('lui', { rd: A5, imm: 0x80000000 })).toBe('lui\ta5,0x80000');
    expect(t('auipc', { rd: GP, imm: 0x2000 })).toBe('auipc\tgp,0x2');
  });

  it('prints CSR instructions with names and the pseudo-instructions objdump picks', () => {
    const csr = (name: string, rd: number, x: number, c: number): string =>
      t(name, name.endsWith('i') ? { rd, imm: x, csr: c } : { rd, rs1: x, csr: c });
    expect(csr('csrrs', A0, 0, 0x300)).toBe('csrr\ta0,mstatus');
    expect(csr('csrrw', 0, T0, 0x305)).toBe('csrw\tmtvec,t0');
    expect(csr('csrrs', 0, T0, 0x304)).toBe('csrs\tmie,t0');
    expect(csr('csrrc', 0, T0, 0x300)).toBe('csrc\tmstatus,t0');
    expect(csr('csrrw', A0, A1, 0x340)).toBe('csrrw\ta0,mscratch,a1');
    // The immediate forms print under the register mnemonics.
    expect(csr('csrrwi', 0, 8, 0x300)).toBe('csrw\tmstatus,8');
    expect(csr('csrrsi', 0, 8, 0x300)).toBe('csrs\tmstatus,8');
    expect(csr('csrrci', A0, 8, 0x300)).toBe('csrrc\ta0,mstatus,8');
    expect(csr('csrrs', A0, 0, 0xc00)).toBe('rdcycle\ta0');
    expect(csr('csrrs', A0, 0, 0xc01)).toBe('rdtime\ta0');
    expect(csr('csrrs', A0, 0, 0xc82)).toBe('rdinstreth\ta0');
    expect(csr('csrrs', A0, 0, 0xb00)).toBe('csrr\ta0,mcycle');
    expect(csr('csrrs', A0, 0, 0x7c0)).toBe('csrr\ta0,0x7c0');
    expect(csr('csrrw', 0, 0, 0xc00)).toBe('unimp');
  });

  it('names CSRs by privileged-spec version (1.11 by default)', () => {
    const w = w32('csrrs', { rd: A0, csr: 0x320 });
    expect(text32(w)).toBe('csrr\ta0,mcountinhibit');
    expect(text32(w, { privSpec: '1.10' })).toBe('csrr\ta0,0x320');
    expect(text32(w32('csrrs', { rd: A0, csr: 0x000 }))).toBe('csrr\ta0,ustatus');
    expect(text32(w32('csrrs', { rd: A0, csr: 0x000 }), { privSpec: '1.12' })).toBe('csrr\ta0,0x0');
    expect(text32(w32('csrrs', { rd: A0, csr: 0x30a }), { privSpec: '1.12' })).toBe('csrr\ta0,menvcfg');
  });

  it('prints fences, system instructions and atomics', () => {
    expect(text32(0x0ff0000f)).toBe('fence');
    expect(text32(0x0330000f)).toBe('fence\trw,rw');
    expect(text32(0x0100000f)).toBe('fence\tw,unknown'); // pause: Zihintpause is not in rv32imac
    expect(text32(0x8330000f)).toBe('fence.tso');
    expect(text32(0x0000100f)).toBe('fence.i');
    // The hart runs these as fence / fence.i; objdump insists on zero reserved fields.
    expect(text32(0x0ff0008f)).toBe('.4byte\t0xff0008f');
    expect(text32(0x0010100f)).toBe('.4byte\t0x10100f');
    for (const n of ['ecall', 'ebreak', 'mret', 'sret', 'wfi']) expect(t(n)).toBe(n);
    expect(t('sfence.vma')).toBe('sfence.vma');
    expect(t('sfence.vma', { rs1: A0 })).toBe('sfence.vma\ta0');
    expect(t('sfence.vma', { rs1: A0, rs2: A1 })).toBe('sfence.vma\ta0,a1');
    expect(t('lr.w', { rd: A0, rs1: A1 })).toBe('lr.w\ta0,(a1)');
    expect(t('sc.w', { rd: A0, rs1: A1, rs2: A5 })).toBe('sc.w\ta0,a5,(a1)');
    const amo = w32('amoadd.w', { rd: A0, rs1: A1, rs2: A5 });
    expect(text32((amo | (1 << 26)) >>> 0)).toBe('amoadd.w.aq\ta0,a5,(a1)');
    expect(text32((amo | (1 << 25)) >>> 0)).toBe('amoadd.w.rl\ta0,a5,(a1)');
    expect(text32((amo | (3 << 25)) >>> 0)).toBe('amoadd.w.aqrl\ta0,a5,(a1)');
  });

  it('names what objdump knows beyond RV32IMAC and prints the rest as .4byte', () => {
    expect(text32(0x7b200073)).toBe('dret');
    expect(text32(0x00200073)).toBe('uret');
    expect(text32(0x10450073)).toBe('sfence.vm\ta0');
    expect(text32(0x02051513)).toBe('sll\ta0,a0,0x20'); // shamt 32: RV64 only, objdump does not check
    expect(text32(0x00002007)).toBe('.4byte\t0x2007'); // flw: no F here
    expect(text32(0xffffffff >>> 0)).toBe('.2byte\t0xffff'); // bits 6:0 and 14:12 all ones: reserved, 2 bytes
  });
});

describe('compressed instructions', () => {
  it('prints the expanded instruction with the same alias rules', () => {
    expect(text16(0x0505)).toBe('add\ta0,a0,1'); // c.addi
    expect(text16(0x4515)).toBe('li\ta0,5'); // c.li
    expect(text16(0x852e)).toBe('mv\ta0,a1'); // c.mv
    expect(text16(0x8082)).toBe('ret'); // c.jr ra
    expect(text16(0x8782)).toBe('jr\ta5'); // c.jr
    expect(text16(0x9782)).toBe('jalr\ta5'); // c.jalr
    expect(text16(0x67a1)).toBe('lui\ta5,0x8'); // c.lui
    expect(text16(0x7139)).toBe('add\tsp,sp,-64'); // c.addi16sp
    expect(text16(0x0800)).toBe('add\ts0,sp,16'); // c.addi4spn
    expect(text16(0xde06)).toBe('sw\tra,60(sp)'); // c.swsp
    expect(text16(0x4122)).toBe('lw\tsp,8(sp)'); // c.lwsp
    expect(text16(0x8c05)).toBe('sub\ts0,s0,s1'); // c.sub
    expect(text16(0x9002)).toBe('ebreak');
    expect(text16(0x0001)).toBe('nop');
    expect(text16(0xbff5)).toBe('j\t0x7ffffffc');
  });

  it('prints hints with their c. mnemonics, the all-zero halfword as unimp, the rest as .2byte', () => {
    expect(text16(0x4015)).toBe('c.li\tzero,5');
    expect(text16(0x0011)).toBe('c.nop\t4');
    expect(text16(0x0401)).toBe('add\ts0,s0,0'); // c.addi with imm 0
    expect(text16(0x8006)).toBe('c.mv\tzero,ra');
    expect(text16(0x9016)).toBe('c.add\tzero,t0');
    expect(text16(0x6009)).toBe('c.lui\tzero,0x2');
    expect(text16(0x0502)).toBe('c.slli64\ta0');
    expect(text16(0x8001)).toBe('c.srli64\ts0');
    expect(text16(0x9005)).toBe('srl\ts0,s0,0x21'); // shamt[5] set: RV64C, objdump does not check XLEN
    expect(text16(0x6101)).toBe('add\tsp,sp,0'); // c.addi16sp 0 is reserved but still matched
    expect(text16(0x0000)).toBe('unimp');
    expect(text16(0x6001)).toBe('.2byte\t0x6001'); // c.lui with imm 0: reserved
    expect(text16(0x6000)).toBe('.2byte\t0x6000'); // c.flw: no F here
  });
});

describe('address comments', () => {
  it('follows auipc/lui into the next use of the register, once', () => {
    const words = [w32('auipc', { rd: A0, imm: 0x1000 }), w32('addi', { rd: A0, rs1: A0, imm: 16 }), w32('addi', { rd: A0, rs1: A0, imm: 4 })];
    const bytes = Uint8Array.from(words.flatMap((w) => [...le(w, 4)]));
    const lines = disassembleRange(bytes, PC, { symbolize: (a) => (a === 0x80001010 ? 'buf' : null) });
    expect(lines.map((l) => l.text)).toEqual(['auipc\ta0,0x1', 'add\ta0,a0,16 # 80001010 <buf>', 'add\ta0,a0,4']);
    const lui = [w32('lui', { rd: A5, imm: 0x10000000 }), w32('sw', { rs1: A5, rs2: A0, imm: 4 })];
    const out = disassembleRange(Uint8Array.from(lui.flatMap((w) => [...le(w, 4)])), PC);
    expect(out[1]!.text).toBe('sw\ta0,4(a5) # 0x10000004');
  });

  it('resolves gp-relative operands when gp is known, and tp- and zero-relative ones always', () => {
    expect(t('addi', { rd: T0, rs1: GP, imm: -2012 }, { gp: 0x80002680 })).toBe('add\tt0,gp,-2012 # 0x80001ea4');
    expect(t('addi', { rd: T0, rs1: GP, imm: -2012 })).toBe('add\tt0,gp,-2012');
    expect(t('lw', { rd: A0, rs1: TP, imm: 8 })).toBe('lw\ta0,8(tp) # 0x8');
    expect(t('lw', { rd: A0, imm: -4 })).toBe('lw\ta0,-4(zero) # 0xfffffffc');
    expect(t('addi', { rd: A0, imm: -4 })).toBe('li\ta0,-4'); // li never gets one
  });
});

describe('ranges, data and raw bytes', () => {
  it('reports length, raw bits and objdump\'s byte column', () => {
    expect(disassemble(le(0x00150513, 4), PC)).toEqual({ text: 'add\ta0,a0,1', len: 4, raw: 0x00150513, hex: '00150513' });
    expect(disassemble(le(0x842a, 2), PC)).toEqual({ text: 'mv\ts0,a0', len: 2, raw: 0x842a, hex: '842a' });
    const six = Uint8Array.from([0x1f, 0, 0x11, 0x22, 0x33, 0x44]);
    expect(disassemble(six, PC)).toEqual({ text: '.byte\t0x1f, 0x00, 0x11, 0x22, 0x33, 0x44', len: 6, raw: 0x2211001f, hex: '001f 2211 4433' });
    expect(disassemble(Uint8Array.from([0x3f, 0, 0, 0, 0, 0, 0, 1]), PC).text).toBe('.8byte\t0x10000000000003f');
  });

  it('computes lengths as binutils does', () => {
    expect([0x0001, 0x0013, 0x001f, 0x003f, 0x007f, 0x107f, 0x607f, 0x707f, 0xffff].map(insnLength)).toEqual([2, 4, 6, 8, 10, 12, 22, 2, 2]);
  });

  it('prints data under $d mapping symbols and stray bytes at the end', () => {
    const bytes = Uint8Array.from([0x13, 0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x01, 0x00, 0x13, 0x05]);
    const lines = disassembleRange(bytes, PC, { mapping: [{ address: PC + 4, kind: 'data' }, { address: PC + 11, kind: 'code' }] });
    expect(lines.map((l) => [l.address - PC, l.text, l.hex])).toEqual([
      [0, 'nop', '00000013'],
      [4, '.word\t0x44332211', '44332211'],
      [8, '.short\t0x6655', '6655'],
      [10, '.byte\t0x77', '77'],
      [11, 'nop', '0001'],
      [13, '.byte\t0x13, 0x05', '0513'],
    ]);
    expect(() => disassemble(new Uint8Array(0), PC)).toThrow(RangeError);
  });
});

describe('objdumpSymbolizer', () => {
  it('names the nearest symbol at or below, preferring larger, function, global symbols', () => {
    const sym = (name: string, address: number, size = 0, kind = 'notype', binding = 'global'): { name: string; address: number; size: number; kind: string; binding: string } =>
      ({ name, address, size, kind, binding });
    const symbolize = objdumpSymbolizer([
      sym('__data_start', 0x80001000), sym('uart_stream', 0x80001000, 12, 'object', 'local'),
      sym('main', 0x80000100, 40, 'function'), sym('main_alias', 0x80000100, 40, 'notype'),
      sym('local_fn', 0x80000200, 8, 'function', 'local'), sym('weak_fn', 0x80000200, 8, 'function', 'weak'),
    ]);
    expect(symbolize(0x80000100)).toBe('main');
    expect(symbolize(0x80000110)).toBe('main+0x10');
    expect(symbolize(0x80001004)).toBe('uart_stream+0x4');
    expect(symbolize(0x80000204)).toBe('weak_fn+0x4');
    expect(symbolize(0x10)).toBe('main-0x800000f0');
    expect(objdumpSymbolizer([])(0x80000000)).toBeNull();
  });
});
