// Oracle: types and values against gdb-multiarch on a program built here with every kind of C
// type the debugger must show (bit fields, anonymous unions, enums and flag enums, typedefs,
// qualifiers, pointers to arrays and functions, multi-dimensional arrays, char arrays with
// embedded NULs, floats): `ptype`, `whatis`, `print sizeof` and `print` of each initialised global,
// read from the ELF file as gdb does without a running target.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadDebugInfo } from '../index.js';

const GCC = 'riscv64-unknown-elf-gcc';
const GDB = 'gdb-multiarch';
const missing = (...tools: string[]): string | false => {
  for (const t of tools) if (spawnSync(t, ['--version'], { stdio: 'ignore' }).status !== 0) return `${t} is not installed`;
  return false;
};
const noTools = missing(GCC, GDB);

const ZOO = `
typedef signed char int8_t; typedef unsigned short uint16_t; typedef long long int64_t;
enum color { RED, GREEN = 5, BLUE };
enum flags { F_A = 1, F_B = 2, F_C = 4 };
enum negative { MINUS = -2, ZERO = 0 };
struct bits { unsigned a : 3; signed b : 5; unsigned c : 1; enum color col : 4; _Bool flag : 1; };
union u { int i; float f; unsigned char bytes[4]; };
struct inner { short s; char c; };
struct outer {
    struct inner in;
    struct inner arr[2];
    union { int x; char y; };
    struct { int p, q; } named;
    int (*fp)(int, ...);
    const char *str;
    volatile int *const vp;
    double d;
    long long ll;
    unsigned long long ull;
    int matrix[2][3];
};
typedef struct outer outer_t;
typedef int (*handler_t)(void);
struct list { struct list *next; int v; };
int something = 42;
int my_function(void) { return something; }
int varfn(int a, ...) { return a; }
struct outer g_outer = { { 1, 'a' }, { { 2, 'b' }, { -3, '\\n' } }, { 77 }, { 8, 9 }, varfn, "str", 0, 0.5, -9000000000LL, 18000000000ULL, { { 1, 2, 3 }, { 4, 5, 6 } } };
outer_t g_typedef;
const volatile int g_cv = 7;
char g_str[16] = "hello";
char g_full[4] = "abcd";
unsigned char g_bytes[5] = { 1, 2, 3, 0, 255 };
signed char g_schar = -1;
enum color g_color = BLUE;
enum flags g_flags = F_A | F_C;
enum color g_badcolor = (enum color)9;
enum negative g_neg = MINUS;
struct bits g_bits = { 5, -3, 1, GREEN, 1 };
union u g_union = { .i = 0x3f800000 };
float g_float = 1.5f;
double g_double = -2.25;
int *g_ptr = &something;
int (*g_arrptr)[3] = &g_outer.matrix[1];
handler_t g_handler = my_function;
const char *g_strptr = g_str;
_Bool g_bool = 1;
int8_t g_i8 = -5;
uint16_t g_u16 = 65535;
int64_t g_i64 = -1234567890123LL;
struct list g_list2 = { 0, 2 };
struct list g_list1 = { &g_list2, 1 };
int g_zeros[20];
int g_repeat[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2 };
const int *const *g_ppc;
void (*g_fparr[2])(int);
char *const g_cpa[2] = { "x", "y" };
static int file_static = -1;
int counter_fn(void) { static int counter = 3; return counter++ + file_static; }
void _start(void) { for (;;) counter_fn(); }
`;

describe.skipIf(noTools)(`types and values vs gdb${noTools ? ` (skipped: ${noTools})` : ''}`, () => {
  const dir = noTools ? '' : mkdtempSync(path.join(tmpdir(), 'hindsight-types-'));
  afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it.each(['-O0', '-O2'])('every global of the type zoo at %s', (opt) => {
    writeFileSync(path.join(dir, 'zoo.c'), ZOO);
    const elf = path.join(dir, `zoo${opt}.elf`);
    const cc = spawnSync(GCC, ['-march=rv32imac', '-mabi=ilp32', '-nostdlib', '-nostartfiles', '-g', opt, '-o', elf, path.join(dir, 'zoo.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const di = loadDebugInfo(new Uint8Array(readFileSync(elf)));
    expect(di.warnings).toEqual([]);
    const vars = di.globals().filter((g) => g.address !== undefined);
    expect(vars.length).toBeGreaterThan(25);
    const cmds = vars.flatMap((g) => [`print ${g.qualifiedName}`, `ptype ${g.qualifiedName}`, `whatis ${g.qualifiedName}`, `print sizeof(${g.qualifiedName})`]);
    const args = ['-nx', '-batch'];
    cmds.forEach((c, i) => args.push('-ex', `echo @@${i}\\n`, '-ex', c));
    const out = spawnSync(GDB, [...args, elf], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).stdout;
    const answers: string[] = cmds.map(() => '');
    let cur = -1;
    for (const line of out.split('\n')) {
      const m = /^@@(\d+)$/.exec(line);
      if (m) { cur = Number(m[1]); continue; }
      if (cur >= 0) answers[cur] += (answers[cur] ? '\n' : '') + line;
    }
    const read = (a: number, n: number): Uint8Array | null => di.readStatic(a, n);
    vars.forEach((g, i) => {
      const [print, ptype, whatis, size] = answers.slice(i * 4, i * 4 + 4).map((s) => s.trimEnd().replace(/^(\$\d+|type) = /, '')) as [string, string, string, string];
      const bytes = di.readStatic(g.address!, g.size);
      expect(bytes).not.toBeNull();
      let shown = di.formatValue(g.type, bytes!, { readMemory: read }).display;
      // gdb prefixes a top-level non-char pointer with its type: "(int *) 0x111a8 <something>".
      const prefix = print.startsWith('(') && !shown.startsWith('(') ? print.slice(0, print.indexOf(') ') + 2) : '';
      shown = prefix + shown;
      expect({ v: g.qualifiedName, print, ptype, whatis, size })
        .toEqual({ v: g.qualifiedName, print: shown, ptype: di.ptype(g.type), whatis: g.typeName, size: String(g.size) });
    });
  });
});
