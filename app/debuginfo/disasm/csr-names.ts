// CSR names as GNU objdump (binutils 2.40) prints them in the `E` operand of csr* instructions.
// objdump names a CSR only when the privileged-spec version in force (the ELF's
// Tag_RISCV_priv_spec attributes, else the newest, 1.12) declares it; other numbers print as `0x%x`.
// It does not filter by ISA extension: fflags, vl, hstatus... are named in any RV32IMAC program.
//
// The lists were read off objdump itself (`csrrs a0,N,a1` for every N in 0..4095 under each
// version); disasm-objdump.test.ts checks them again against the installed objdump.

/** Privileged specification versions binutils 2.40 knows. */
export type PrivSpec = '1.10' | '1.11' | '1.12';

const ALL = 7, V110_111 = 3, V111_112 = 6, V112 = 4; // bit 0: 1.10, bit 1: 1.11, bit 2: 1.12
const VERSION_BIT: Record<PrivSpec, number> = { '1.10': 1, '1.11': 2, '1.12': 4 };

/** "num:name" pairs, grouped by the versions that declare them. */
const SINGLES: ReadonlyArray<readonly [number, string]> = [
  [ALL, '001:fflags 002:frm 003:fcsr 008:vstart 009:vxsat 00a:vxrm 00f:vcsr 015:seed 100:sstatus 104:sie ' +
    '105:stvec 106:scounteren 10c:sstateen0 10d:sstateen1 10e:sstateen2 10f:sstateen3 114:sieh 140:sscratch ' +
    '141:sepc 142:scause 143:stval 144:sip 14d:stimecmp 150:siselect 151:sireg 154:siph 15c:stopei ' +
    '15d:stimecmph 180:satp 200:vsstatus 204:vsie 205:vstvec 214:vsieh 240:vsscratch 241:vsepc 242:vscause ' +
    '243:vstval 244:vsip 24d:vstimecmp 250:vsiselect 251:vsireg 254:vsiph 25c:vstopei 25d:vstimecmph ' +
    '280:vsatp 300:mstatus 301:misa 302:medeleg 303:mideleg 304:mie 305:mtvec 306:mcounteren 308:mvien ' +
    '309:mvip 30c:mstateen0 30d:mstateen1 30e:mstateen2 30f:mstateen3 313:midelegh 314:mieh 318:mvienh ' +
    '319:mviph 31c:mstateen0h 31d:mstateen1h 31e:mstateen2h 31f:mstateen3h 340:mscratch 341:mepc ' +
    '342:mcause 343:mtval 344:mip 350:miselect 351:mireg 354:miph 35c:mtopei 5a8:scontext 600:hstatus ' +
    '602:hedeleg 603:hideleg 604:hie 605:htimedelta 606:hcounteren 607:hgeie 608:hvien 609:hvictl ' +
    '60a:henvcfg 60c:hstateen0 60d:hstateen1 60e:hstateen2 60f:hstateen3 613:hidelegh 615:htimedeltah ' +
    '618:hvienh 61a:henvcfgh 61c:hstateen0h 61d:hstateen1h 61e:hstateen2h 61f:hstateen3h 643:htval 644:hip ' +
    '645:hvip 646:hviprio1 647:hviprio2 64a:htinst 655:hviph 656:hviprio1h 657:hviprio2h 680:hgatp ' +
    '6a8:hcontext 7a0:tselect 7a1:tdata1 7a2:tdata2 7a3:tdata3 7a4:tinfo 7a5:tcontrol 7a8:mcontext ' +
    '7aa:mscontext 7b0:dcsr 7b1:dpc 7b2:dscratch0 7b3:dscratch1 b00:mcycle b02:minstret b80:mcycleh ' +
    'b82:minstreth c00:cycle c01:time c02:instret c20:vl c21:vtype c22:vlenb c80:cycleh c81:timeh ' +
    'c82:instreth da0:scountovf db0:stopi e12:hgeip eb0:vstopi f11:mvendorid f12:marchid f13:mimpid ' +
    'f14:mhartid fb0:mtopi'],
  [V110_111, '000:ustatus 004:uie 005:utvec 040:uscratch 041:uepc 042:ucause 043:utval 044:uip 102:sedeleg ' +
    '103:sideleg'],
  [V111_112, '320:mcountinhibit'],
  [V112, '10a:senvcfg 30a:menvcfg 310:mstatush 31a:menvcfgh 34a:mtinst 34b:mtval2 747:mseccfg 757:mseccfgh ' +
    'f15:mconfigptr'],
];

/** Numbered families: versions, first CSR number, name prefix, suffix, first index, count. */
const FAMILIES: ReadonlyArray<readonly [number, number, string, string, number, number]> = [
  [ALL, 0x3a0, 'pmpcfg', '', 0, 4],
  [V112, 0x3a4, 'pmpcfg', '', 4, 12],
  [ALL, 0x3b0, 'pmpaddr', '', 0, 16],
  [V112, 0x3c0, 'pmpaddr', '', 16, 48],
  [ALL, 0x323, 'mhpmevent', '', 3, 29],
  [ALL, 0x723, 'mhpmevent', 'h', 3, 29],
  [ALL, 0xb03, 'mhpmcounter', '', 3, 29],
  [ALL, 0xb83, 'mhpmcounter', 'h', 3, 29],
  [ALL, 0xc03, 'hpmcounter', '', 3, 29],
  [ALL, 0xc83, 'hpmcounter', 'h', 3, 29],
];

const tables = new Map<PrivSpec, ReadonlyMap<number, string>>();

function build(spec: PrivSpec): ReadonlyMap<number, string> {
  const bit = VERSION_BIT[spec];
  const m = new Map<number, string>();
  for (const [versions, list] of SINGLES) {
    if ((versions & bit) === 0) continue;
    for (const pair of list.split(' ')) {
      const [num, name] = pair.split(':') as [string, string];
      m.set(parseInt(num, 16), name);
    }
  }
  for (const [versions, first, prefix, suffix, index, count] of FAMILIES) {
    if ((versions & bit) === 0) continue;
    for (let i = 0; i < count; i++) m.set(first + i, `${prefix}${index + i}${suffix}`);
  }
  return m;
}

/** All CSR names of a privileged-spec version, by number. */
export function csrNames(spec: PrivSpec): ReadonlyMap<number, string> {
  let t = tables.get(spec);
  if (!t) tables.set(spec, (t = build(spec)));
  return t;
}

/** The CSR operand as objdump prints it: the name, or `0x%x` for a number it does not know. */
export function csrOperand(csr: number, spec: PrivSpec): string {
  return csrNames(spec).get(csr) ?? `0x${csr.toString(16)}`;
}
