import { describe, expect, it } from 'vitest';
import { SifiveTest } from './sifive-test.js';
import { StateReader, StateWriter } from '../machine/state-codec.js';

function makeTest() {
  const exits: { code: number; source: string }[] = [];
  const dev = new SifiveTest({ requestExit: (code, source) => { exits.push({ code, source }); } });
  return { dev, exits };
}

function save(dev: SifiveTest): Uint8Array {
  const w = new StateWriter();
  dev.saveState(w);
  return w.finish();
}

describe('SifiveTest', () => {
  it('exits 0 on PASS', () => {
    const { dev, exits } = makeTest();
    dev.write(0, 4, 0x5555);
    expect(exits).toEqual([{ code: 0, source: expect.stringContaining('PASS') }]);
  });

  it('exits with the code in bits 31:16 on FAIL (code 0 exits 0, as in QEMU)', () => {
    const { dev, exits } = makeTest();
    dev.write(0, 4, (42 << 16) | 0x3333);
    dev.write(0, 4, 0xffff3333);
    dev.write(0, 4, 0x3333);
    expect(exits.map((e) => e.code)).toEqual([42, 0xffff, 0]);
    expect(exits[0]!.source).toMatch(/FAIL.*42/);
  });

  it('stops with a clear reason on a reset request, since Hindsight does not reset', () => {
    const { dev, exits } = makeTest();
    dev.write(0, 4, 0x7777);
    expect(exits).toHaveLength(1);
    expect(exits[0]!.source).toMatch(/reset.*does not reset/);
  });

  it('takes halfword writes at offset 0 (status only) and ignores bytes, other offsets and values', () => {
    const { dev, exits } = makeTest();
    dev.write(0, 1, 0x55);
    dev.write(2, 2, 0x5555);
    dev.write(4, 4, 0x5555);
    dev.write(0, 4, 0x1234);
    dev.write(0, 4, 0x5556);
    expect(exits).toEqual([]);
    dev.write(0, 2, 0x3333);
    expect(exits.map((e) => e.code)).toEqual([0]);
  });

  it('reads 0 everywhere', () => {
    const { dev } = makeTest();
    dev.write(0, 4, 0x1234);
    expect([dev.read(0, 4), dev.read(0, 2), dev.read(4, 4), dev.read(0xffc, 4)]).toEqual([0, 0, 0, 0]);
  });

  it('round-trips its (empty) state and refuses unknown versions', () => {
    const a = makeTest().dev;
    const s1 = save(a);
    const b = makeTest().dev;
    const r = new StateReader(s1);
    b.loadState(r, b.stateVersion);
    r.expectEnd();
    expect(save(b)).toEqual(s1);
    expect(() => b.loadState(new StateReader(s1), 2)).toThrow(/version 2/);
  });

  it('gives identical state and exits after the same further operations from the same saved state', () => {
    const s = save(makeTest().dev);
    const run = (t: ReturnType<typeof makeTest>) => {
      t.dev.loadState(new StateReader(s), 1);
      for (let i = 0; i < 20; i++) t.dev.write((i % 3) * 4, i % 2 ? 4 : 2, i === 19 ? 0x3333 | (7 << 16) : i);
      return { state: save(t.dev), exits: t.exits };
    };
    expect(run(makeTest())).toEqual(run(makeTest()));
  });
});
