import { describe, expect, it } from 'vitest';
import { Htif, findHtifAddresses, type PhysMemory32 } from './htif.js';
import { StateReader, StateWriter } from '../machine/state-codec.js';
import type { AccessSize } from '../bus/device.js';

class Ram implements PhysMemory32 {
  readonly words = new Map<number, number>();
  writes = 0;
  read32(paddr: number): number { return this.words.get(paddr) ?? 0; }
  write32(paddr: number, value: number): void { this.writes++; this.words.set(paddr, value >>> 0); }
  /** A guest store landing in RAM (little-endian), before the observer runs. */
  store(paddr: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size; i++) {
      const a = paddr + i;
      const w = a & ~3;
      const shift = (a & 3) * 8;
      const old = this.read32(w);
      this.words.set(w, ((old & ~(0xff << shift)) | (((value >>> (i * 8)) & 0xff) << shift)) >>> 0);
    }
  }
}

const TOHOST = 0x80001000;
const FROMHOST = 0x80001040;

function makeHtif(fromhostOrNone: number | null = FROMHOST) {
  const fromhost = fromhostOrNone ?? undefined;
  const ram = new Ram();
  const exits: { code: number; source: string }[] = [];
  const out: number[] = [];
  const htif = new Htif({
    tohost: TOHOST, fromhost, memory: ram,
    control: { requestExit: (code, source) => { exits.push({ code, source }); } },
    transmit: (b) => out.push(b),
  });
  const store = (paddr: number, size: AccessSize, value: number): void => {
    ram.store(paddr, size, value);
    htif.afterStore(paddr, size);
  };
  return { htif, ram, exits, out, store };
}

function save(dev: Htif): Uint8Array {
  const w = new StateWriter();
  dev.saveState(w);
  return w.finish();
}

describe('Htif', () => {
  it('covers [min(tohost, fromhost), max + 8) like QEMU', () => {
    expect(makeHtif().htif).toMatchObject({ base: TOHOST, size: 0x48 });
    expect(makeHtif(null).htif).toMatchObject({ base: TOHOST, size: 8 });
    expect(makeHtif(TOHOST - 8).htif).toMatchObject({ base: TOHOST - 8, size: 16 });
  });

  it('prints through device 1 command 1 when the high word is written after the low word', () => {
    const { store, out, ram } = makeHtif();
    store(TOHOST, 4, 0x41);
    expect(out).toEqual([]);
    expect(ram.read32(TOHOST)).toBe(0x41);
    store(TOHOST + 4, 4, 0x01010000);
    expect(out).toEqual([0x41]);
    // tohost reads 0 again; fromhost = device/cmd | 0x100 | char
    expect([ram.read32(TOHOST), ram.read32(TOHOST + 4)]).toEqual([0, 0]);
    expect([ram.read32(FROMHOST), ram.read32(FROMHOST + 4)]).toEqual([0x141, 0x01010000]);
  });

  it('exits with payload >> 1 when device 0 command 0 has bit 0 set', () => {
    const { store, exits } = makeHtif();
    store(TOHOST, 4, (3 << 1) | 1);
    store(TOHOST + 4, 4, 0);
    expect(exits).toEqual([{ code: 3, source: expect.stringContaining('exit code 3') }]);
  });

  it('takes the exit code as a C int from payload bits 32:1', () => {
    const { store, exits } = makeHtif();
    store(TOHOST, 4, 0xffffffff);
    store(TOHOST + 4, 4, 0x0000ffff);
    expect(exits[0]!.code).toBe(-1);
  });

  it('ignores a low-word write while tohost is busy, and disarms the high word', () => {
    const { store, out, ram } = makeHtif();
    store(TOHOST + 4, 4, 0x01010000); // high first: not armed, nothing happens, and it is dropped
    expect(out).toEqual([]);
    expect(ram.read32(TOHOST + 4)).toBe(0);
    store(TOHOST, 4, 0x42);
    store(TOHOST, 4, 0x43); // busy: ignored, RAM shows the register, not the store
    expect(ram.read32(TOHOST)).toBe(0x42);
    store(TOHOST + 4, 4, 0x01010000); // disarmed by the ignored write
    expect(out).toEqual([]);
  });

  it('stays armed after a command, as QEMU does (a lone high-word write runs again)', () => {
    const { store, out } = makeHtif();
    store(TOHOST, 4, 0x61);
    store(TOHOST + 4, 4, 0x01010000);
    store(TOHOST + 4, 4, 0x01010000); // tohost = 0 | hi: putchar of 0x00
    expect(out).toEqual([0x61, 0x00]);
  });

  it('answers other commands with fromhost = device/cmd bits, and console reads are not supported', () => {
    const { store, ram, out, exits } = makeHtif();
    store(TOHOST, 4, 0x1000); // device 0 cmd 0 without bit 0: a syscall, unsupported in 7.2
    store(TOHOST + 4, 4, 0);
    expect([ram.read32(TOHOST), ram.read32(FROMHOST), ram.read32(FROMHOST + 4)]).toEqual([0, 0, 0]);
    store(TOHOST, 4, 0);
    store(TOHOST + 4, 4, 0x01000000); // getchar: tohost cleared, fromhost untouched
    expect([ram.read32(TOHOST + 4), ram.read32(FROMHOST + 4)]).toEqual([0, 0]);
    store(TOHOST, 4, 5);
    store(TOHOST + 4, 4, 0x07030000); // unknown device
    expect([ram.read32(FROMHOST), ram.read32(FROMHOST + 4)]).toEqual([0, 0x07030000]);
    expect(out).toEqual([]);
    expect(exits).toEqual([]);
  });

  it('handles fromhost writes as QEMU does (low word replaces all 64 bits, high word ORs)', () => {
    const { store, ram } = makeHtif();
    store(FROMHOST + 4, 4, 0xf0);
    store(FROMHOST + 4, 4, 0x0f);
    expect(ram.read32(FROMHOST + 4)).toBe(0xff);
    store(FROMHOST, 4, 7);
    expect([ram.read32(FROMHOST), ram.read32(FROMHOST + 4)]).toEqual([7, 0]);
  });

  it('treats narrow stores by their exact offset and keeps the rest of the region reading 0', () => {
    const { store, ram, out } = makeHtif();
    store(TOHOST, 1, 0x7a); // offset 0: tohost = 0x7a
    store(TOHOST + 1, 1, 0x55); // offset 1: not a register, ignored
    expect(ram.read32(TOHOST)).toBe(0x7a);
    store(TOHOST + 4, 2, 0); // offset 4 halfword: high word |= 0 → device 0 cmd 0, payload 0x7a (bit 0 clear)
    store(TOHOST, 4, 0x21);
    store(TOHOST + 6, 2, 0x0101); // offset 6: ignored
    expect(out).toEqual([]);
    store(TOHOST + 0x20, 4, 0xdeadbeef); // the gap between tohost and fromhost reads 0
    expect(ram.read32(TOHOST + 0x20)).toBe(0);
  });

  it('ignores its own write-backs if the memory accessor reports them as stores', () => {
    const ram = new Ram();
    const out: number[] = [];
    let htif: Htif | undefined;
    const memory: PhysMemory32 = {
      read32: (a) => ram.read32(a),
      write32: (a, v) => { ram.write32(a, v); htif!.afterStore(a, 4); },
    };
    htif = new Htif({ tohost: TOHOST, memory, control: { requestExit: () => {} }, transmit: (b) => out.push(b) });
    htif.reset();
    ram.store(TOHOST, 4, 0x41); htif.afterStore(TOHOST, 4);
    ram.store(TOHOST + 4, 4, 0x01010000); htif.afterStore(TOHOST + 4, 4);
    expect(out).toEqual([0x41]);
    expect([ram.read32(TOHOST), ram.read32(TOHOST + 4)]).toEqual([0, 0]);
  });

  it('reset() zeroes the region whatever the ELF put there', () => {
    const { htif, ram } = makeHtif();
    for (let a = TOHOST; a < TOHOST + 0x48; a += 4) ram.words.set(a, 0x11111111);
    htif.reset();
    for (let a = TOHOST; a < TOHOST + 0x48; a += 4) expect(ram.read32(a)).toBe(0);
  });

  it('finds tohost/fromhost symbols and insists on 8-byte symbols like QEMU', () => {
    const syms = new Map([['tohost', { value: TOHOST, size: 8 }], ['fromhost', { value: FROMHOST, size: 8 }]]);
    expect(findHtifAddresses((n) => syms.get(n))).toEqual({ tohost: TOHOST, fromhost: FROMHOST });
    expect(findHtifAddresses(() => undefined)).toBeUndefined();
    expect(findHtifAddresses((n) => (n === 'tohost' ? { value: TOHOST, size: 8 } : undefined))).toEqual({ tohost: TOHOST });
    expect(() => findHtifAddresses((n) => (n === 'tohost' ? { value: TOHOST, size: 4 } : undefined))).toThrow(/tohost .* 4 bytes; it must be 8/);
    expect(() => makeHtif(FROMHOST + 2)).toThrow(/4-byte aligned/);
  });

  it('round-trips its state (save → load → save gives the same bytes)', () => {
    const a = makeHtif();
    a.store(TOHOST, 4, 0x99);
    a.store(FROMHOST, 4, 0x1234);
    const s1 = save(a.htif);
    const b = makeHtif();
    const r = new StateReader(s1);
    b.htif.loadState(r, b.htif.stateVersion);
    r.expectEnd();
    expect(save(b.htif)).toEqual(s1);
    expect(b.ram.writes).toBe(0); // loading has no side effects
  });

  it('gives identical state after the same further stores from the same saved state', () => {
    const a = makeHtif();
    a.store(TOHOST, 4, 0x31);
    const s = save(a.htif);
    const run = (h: ReturnType<typeof makeHtif>): unknown => {
      for (let i = 0; i < 30; i++) {
        h.store(TOHOST + (i % 2) * 4, 4, i % 2 ? 0x01010000 : 0x40 + i);
        if (i % 7 === 0) h.store(FROMHOST, 4, 0);
      }
      return { state: save(h.htif), out: h.out };
    };
    const b = makeHtif();
    const c = makeHtif();
    for (const h of [b, c]) {
      h.htif.loadState(new StateReader(s), 1);
      for (const [k, v] of a.ram.words) h.ram.words.set(k, v); // RAM is the machine's, restored alongside
    }
    const ra = run(a);
    expect(run(b)).toEqual(ra);
    expect(run(c)).toEqual(ra);
  });
});
