import { describe, expect, it } from 'vitest';
import { DEVICE_DESCRIPTOR, Rig } from './test-kit.js';
import { CS_BLF, CS_CLF, FRAME_TICKS, INT_FNO, INT_MIE, INT_SF, PORT_CSC, PORT_PRS, PORT_PRSC, QUIET_FRAMES, REG } from './regs.js';
import { StateFormatError, StateReader } from '../../machine/state-codec.js';
import { StateHasher } from '../../machine/state-hash.js';

/** A busy controller: a device at address 3, an interrupt IN pending, a bulk IN answered but not retired. */
function busy(): { rig: Rig; intr: number; bulk: number } {
  const rig = new Rig();
  rig.init();
  rig.plugAndReset(1, 'low');
  rig.hc.attach(2, 'full');
  rig.setPort(1, PORT_CSC | PORT_PRSC);
  const ctl = rig.ed({ fa: 0, mps: 8, lowSpeed: true });
  rig.linkControl(ctl);
  rig.control(ctl, Uint8Array.of(0, 5, 3, 0, 0, 0, 0, 0), 0);
  rig.w(REG.CommandStatus, CS_CLF);
  rig.frames(1);
  rig.complete(1);
  rig.frames(1);
  const intr = rig.ed({ fa: 3, en: 1, dir: 2, mps: 8, lowSpeed: true });
  rig.linkPeriodic(intr);
  rig.queue(intr, { dp: 2, len: 8, r: true });
  const bulk = rig.ed({ fa: 3, en: 2, dir: 2, mps: 8, lowSpeed: true });
  rig.linkBulk(bulk);
  rig.queue(bulk, { dp: 2, len: 16, r: true, di: 2 });
  rig.w(REG.CommandStatus, CS_BLF);
  rig.frames(1);
  rig.complete(rig.requests.find((r) => r.kind === 'bulk')!.id, { data: Uint8Array.of(1, 2, 3) });
  rig.setPort(2, PORT_PRS); // a port reset in progress, too
  rig.advance(123_456);
  return { rig, intr, bulk };
}

/** What a continuation did: final controller state, RAM and everything it told the host. */
function continuation(rig: Rig, intr: number): { state: Uint8Array; ram: string; requests: unknown[]; cancels: number[]; levels: boolean[] } {
  const from = { r: rig.requests.length, c: rig.cancels.length, l: rig.levels.length };
  rig.frames(3);
  const pending = rig.hc.pendingTransfers();
  rig.complete(pending[0]!.id, { data: Uint8Array.of(0, 0, 5, 0, 0, 0, 0, 0) });
  rig.queue(intr, { dp: 2, len: 8, r: true });
  rig.frames(2);
  rig.hc.detach(2);
  rig.hc.attach(2, 'full');
  rig.frames(20);
  return {
    state: rig.save(), ram: ramHash(rig), requests: rig.requests.slice(from.r), cancels: rig.cancels.slice(from.c),
    levels: rig.levels.slice(from.l),
  };
}

/** RAM compared through a hash (deep-equal on 1 MiB is slow). */
function ramHash(rig: Rig): string {
  return new StateHasher().bytes(rig.bus.ram).digest();
}

function restoreInto(src: Rig): Rig {
  const rig = new Rig();
  rig.levels.length = 0;
  rig.clock.t = src.clock.t;
  rig.clock.i = src.clock.i;
  rig.hcca = src.hcca;
  rig.heap = src.heap;
  rig.bus.ram.set(src.bus.ram);
  rig.load(src.save());
  return rig;
}

describe('OHCI state', () => {
  it('round-trips: save → load → save gives the same bytes, with transfers, timers and UE reason in it', () => {
    const { rig } = busy();
    const s1 = rig.save();
    const other = new Rig();
    const levels = other.levels.length;
    other.load(s1);
    expect(other.save()).toEqual(s1);
    expect(other.levels.length).toBe(levels); // loading drives no interrupt line
    expect(other.requests).toEqual([]); // ... and calls no host hook
    expect(other.hc.pendingTransfers()).toEqual(rig.hc.pendingTransfers());
    expect(other.hc.nextDeadline()).toBe(rig.hc.nextDeadline());
    expect(other.hc.portInfo(1)).toEqual(rig.hc.portInfo(1));
    expect(other.hc.portInfo(2)).toEqual(rig.hc.portInfo(2));

    rig.w(REG.HCCA, 0x1234_5000); // wild: UE with a reason
    rig.frames(1);
    const s2 = rig.save();
    other.load(s2);
    expect(other.save()).toEqual(s2);
    expect(other.hc.status().unrecoverable).toBe(rig.hc.status().unrecoverable);
  });

  it('refuses state versions it cannot read', () => {
    const rig = new Rig();
    expect(() => rig.hc.loadState(new StateReader(rig.save()), 2)).toThrow(StateFormatError);
    expect(() => rig.hc.loadState(new StateReader(rig.save()), 2)).toThrow(/ohci: cannot read state version 2/);
    expect(() => rig.load(rig.save().subarray(0, 40))).toThrow(/truncated/);
  });

  it('N more steps after a restore give identical state, RAM and host traffic (snapshot mid-transfer)', () => {
    const a = busy();
    const b = restoreInto(a.rig);
    const c = restoreInto(a.rig);
    const ra = continuation(a.rig, a.intr);
    const rb = continuation(b, a.intr);
    const rc = continuation(c, a.intr);
    expect(rb.state).toEqual(ra.state);
    expect(rc.state).toEqual(ra.state);
    expect(rb.ram).toEqual(ra.ram);
    expect(rb.requests).toEqual(ra.requests);
    expect(rb.cancels).toEqual(ra.cancels);
    expect(rb.levels).toEqual(ra.levels);
    expect(ra.requests.length).toBeGreaterThan(0);
  });

  it('the answered-but-not-retired transfer survives a restore and lands in RAM after it', () => {
    const { rig, bulk } = busy();
    const other = restoreInto(rig);
    const td = other.edHead(bulk).td;
    const buf = other.td(td).cbp;
    other.frames(1);
    expect(other.bytes(buf, 3)).toEqual(Uint8Array.of(1, 2, 3));
    expect(other.td(td)).toMatchObject({ cc: 0, cbp: buf + 3 });
  });
});

describe('OHCI quiet frames', () => {
  it('while the hart waits, a quiet controller asks for no deadline (so the machine can idle)', () => {
    const { rig } = busy();
    rig.waiting = true;
    rig.frames(QUIET_FRAMES + 12); // port 2's reset ends in there; the interrupt IN stays pending
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    rig.waiting = false;
    expect(rig.hc.nextDeadline()).toBeLessThanOrEqual(rig.clock.t); // frames are due again
    // Pending, enabled SOF interrupts do not prevent it: raising a raised line again changes nothing.
    rig.w(REG.InterruptEnable, INT_SF | INT_MIE);
    rig.frames(1);
    rig.waiting = true;
    rig.frames(QUIET_FRAMES);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
  });

  it('quiet needs frames with no instruction in between: RAM the CPU wrote before WFI is seen', () => {
    const { rig, intr } = busy();
    rig.hc.completeTransfer(rig.hc.pendingTransfers()[0]!.id, { status: 'ok', data: new Uint8Array(8), actualLength: 8 });
    rig.frames(QUIET_FRAMES + 40); // running: many idle frames, but instructions retire between them
    rig.queue(intr, { dp: 2, len: 8 }); // the CPU queues a TD ... then sleeps
    const before = rig.requests.length;
    rig.waiting = true;
    expect(rig.hc.nextDeadline()).toBeLessThan(Infinity);
    rig.frames(1);
    expect(rig.requests.length).toBe(before + 1);
  });

  it('skipping frames while waiting gives exactly the state of running them, then an input', () => {
    const mk = (): Rig => {
      const { rig } = busy();
      rig.frames(QUIET_FRAMES + 12);
      rig.w(REG.InterruptEnable, INT_FNO); // FNO enabled: its frame must not be skipped
      rig.frames(QUIET_FRAMES + 1);
      return rig;
    };
    const a = mk();
    const b = mk();
    expect(b.save()).toEqual(a.save());
    a.waiting = true;
    a.skipAllowed = false; // a processes every frame; b skips what it can
    b.waiting = true;
    const target = a.clock.t + 40_000 * FRAME_TICKS + 777;
    a.advanceTo(target);
    let wakes = 0;
    // b: the run loop would warp to each deadline the controller asks for while the hart waits.
    while (b.hc.nextDeadline() <= target) {
      b.setTime(b.hc.nextDeadline());
      b.hc.onDeadline();
      wakes++;
    }
    b.setTime(target);
    expect(wakes).toBeLessThan(QUIET_FRAMES + 3); // the frames that make it quiet, the FNO frame: not 40,000
    expect(a.r(REG.InterruptStatus) & INT_FNO).toBe(INT_FNO);
    // The first input catches the skipped frames up.
    const id = a.hc.pendingTransfers()[0]!.id;
    a.complete(id, { data: DEVICE_DESCRIPTOR.subarray(0, 8) });
    b.complete(id, { data: DEVICE_DESCRIPTOR.subarray(0, 8) });
    a.waiting = false;
    b.waiting = false;
    const quietA = a.save();
    const quietB = b.save();
    expect(quietB).toEqual(quietA);
    expect(ramHash(b)).toBe(ramHash(a));
    a.frames(3);
    b.frames(3);
    expect(b.save()).toEqual(a.save());
    expect(ramHash(b)).toBe(ramHash(a));
    expect(b.r(REG.FmNumber)).toBe(a.r(REG.FmNumber));
  });

  it('an input into a quiet controller resumes frame processing at once', () => {
    const rig = new Rig();
    rig.init();
    rig.waiting = true;
    rig.frames(QUIET_FRAMES + 1);
    expect(rig.hc.nextDeadline()).toBe(Infinity);
    rig.advance(5 * FRAME_TICKS + 10);
    expect(rig.hc.status().frameNumber).toBe(QUIET_FRAMES + 1 + 5); // what the UI shows already counts them
    expect(rig.r(REG.FmNumber)).toBeLessThan(QUIET_FRAMES + 1 + 5); // not applied yet: the guest sleeps
    rig.hc.attach(1, 'full'); // catches up 5 frames, then RHSC
    expect(rig.r(REG.FmNumber)).toBe(QUIET_FRAMES + 1 + 5);
    expect(rig.hc.nextDeadline()).toBeLessThan(Infinity);
  });
});
