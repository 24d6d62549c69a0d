// A guest's DMA lists are untrusted input: cycles, wild pointers and misaligned descriptors must end
// in UnrecoverableError (with a reason) within one frame, never in an exception or a hang.
import { describe, expect, it } from 'vitest';
import { Rig, getDescriptor } from './test-kit.js';
import { CS_BLF, CS_CLF, CTL_BLE, CTL_CLE, CTL_IE, CTL_PLE, HCFS_OPERATIONAL, INT_UE, PORT_CSC, PORT_PRSC, REG } from './regs.js';
import { prng } from '../../cpu/test-asm.js';

function ready(): Rig {
  const rig = new Rig();
  rig.init();
  rig.plugAndReset(1);
  rig.setPort(1, PORT_CSC | PORT_PRSC);
  rig.w(REG.InterruptStatus, 0xffffffff);
  return rig;
}

/** One frame; returns the UE reason (or null) and checks it took bounded host time. */
function frameOutcome(rig: Rig): string | null {
  const t0 = performance.now();
  rig.frames(1);
  expect(performance.now() - t0).toBeLessThan(2000);
  const ue = (rig.r(REG.InterruptStatus) & INT_UE) !== 0;
  expect(ue).toBe(rig.hc.status().unrecoverable !== null);
  if (ue) {
    expect(rig.hc.nextDeadline()).toBe(Infinity); // the controller stopped
    expect(rig.irq).toBe(true);
  }
  return rig.hc.status().unrecoverable;
}

describe('OHCI bounded list walks', () => {
  it('a cycle in the control list → UE', () => {
    const rig = ready();
    const a = rig.ed({ fa: 0 });
    const b = rig.ed({ fa: 0 });
    rig.control(a, getDescriptor(8), 8);
    rig.w32(a + 12, b);
    rig.w32(b + 12, a);
    rig.w(REG.ControlHeadED, a);
    rig.w(REG.CommandStatus, CS_CLF);
    expect(frameOutcome(rig)).toMatch(/more than 1024 EDs in one frame: the control list from 0x8[0-9a-f]+ loops/);
    // The transfer it had started before looping was cancelled with it.
    expect(rig.cancels).toEqual(rig.requests.map((r) => r.id));
  });

  it('a cycle in the periodic list (an ED linked to itself) → UE', () => {
    const rig = ready();
    const ed = rig.ed({ fa: 9 });
    rig.w32(ed + 12, ed);
    rig.linkPeriodic(ed);
    expect(frameOutcome(rig)).toMatch(/periodic list .* loops/);
  });

  it('a cycle in the bulk list when both async lists run interleaved → UE', () => {
    const rig = ready();
    rig.w(REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_CLE | CTL_BLE | 3);
    const c = rig.ed({ fa: 1 });
    const b = rig.ed({ fa: 1 });
    rig.w32(b + 12, b);
    rig.w(REG.ControlHeadED, c);
    rig.w(REG.BulkHeadED, b);
    rig.w(REG.CommandStatus, CS_CLF | CS_BLF);
    expect(frameOutcome(rig)).toMatch(/bulk list .* loops/);
  });

  it('a cycle in a TD queue (never reaching TailP) → UE before anything goes out', () => {
    const rig = ready();
    const ed = rig.ed({ fa: 0 });
    const t1 = rig.queue(ed, { dp: 0, data: getDescriptor(8) });
    const t2 = rig.queue(ed, { dp: 2, len: 8 });
    rig.w32(t2 + 8, t1); // t2 → t1 → t2 ...
    rig.linkControl(ed);
    rig.w(REG.CommandStatus, CS_CLF);
    expect(frameOutcome(rig)).toMatch(/ED at 0x[0-9a-f]+: more than 1024 TDs between HeadP and TailP/);
    expect(rig.requests).toEqual([]);
  });

  it('a TD queue that ends (NextTD = 0) before TailP → UE', () => {
    const rig = ready();
    const ed = rig.ed({ fa: 0 });
    const t1 = rig.queue(ed, { dp: 0, data: getDescriptor(8) });
    rig.w32(t1 + 8, 0);
    rig.linkControl(ed);
    rig.w(REG.CommandStatus, CS_CLF);
    expect(frameOutcome(rig)).toMatch(/TD at 0x00000000 .* outside RAM/);
  });

  it('wild pointers: ED, interrupt table entry, TD buffer, HCCA → UE naming the address', () => {
    const cases: [string, (rig: Rig) => void, RegExp][] = [
      ['control head', (rig) => { rig.w(REG.ControlHeadED, 0x4000_0000); rig.w(REG.CommandStatus, CS_CLF); }, /control list: ED at 0x40000000 \(16 bytes\) is outside RAM/],
      ['NextED', (rig) => { const e = rig.ed(); rig.w32(e + 12, 0xfffffff0); rig.linkBulk(e); rig.w32(e + 12, 0xfffffff0); rig.w(REG.CommandStatus, CS_BLF); }, /bulk list: ED at 0xfffffff0/],
      ['interrupt table', (rig) => { rig.linkPeriodic(0x2000_0000); }, /periodic list: ED at 0x20000000/],
      ['OUT buffer', (rig) => {
        const e = rig.ed({ fa: 0 });
        const td = rig.queue(e, { dp: 0, data: getDescriptor(8) });
        rig.queue(e, { dp: 2 });
        rig.w32(td + 4, 0x0000_1000); rig.w32(td + 12, 0x0000_1007);
        rig.linkControl(e); rig.w(REG.CommandStatus, CS_CLF);
      }, /TD at 0x[0-9a-f]+: buffer at 0x00001000 \(8 bytes\) is outside RAM/],
      ['HCCA', (rig) => { rig.w(REG.HCCA, 0xffffff00); }, /HCCA interrupt table entry at 0xffffff.. .* outside RAM/],
    ];
    for (const [what, setup, reason] of cases) {
      const rig = ready();
      setup(rig);
      expect(String(frameOutcome(rig)), what).toMatch(reason);
    }
  });

  it('a wild IN buffer is found when the answer is written: UE at that frame', () => {
    const rig = ready();
    const ed = rig.ed({ fa: 0 });
    const t = rig.control(ed, getDescriptor(18), 18);
    rig.w32(t.data! + 4, 0x7fff_fff0); // just below RAM
    rig.w32(t.data! + 12, 0x8000_0001);
    rig.linkControl(ed);
    rig.w(REG.CommandStatus, CS_CLF);
    expect(frameOutcome(rig)).toBeNull();
    rig.complete(rig.requests[0]!.id, { data: new Uint8Array(18) });
    expect(frameOutcome(rig)).toMatch(/buffer at 0x7ffffff0 \(16 bytes\) is outside RAM/);
  });

  it('misaligned descriptors → UE: HCCA, ED in the interrupt table, NextED, HeadP, TailP, NextTD, head registers', () => {
    const cases: [string, (rig: Rig) => void, RegExp][] = [
      ['HCCA', (rig) => rig.w(REG.HCCA, rig.hcca + 0x80), /HcHCCA .* not 256-byte aligned/],
      ['table ED', (rig) => { const e = rig.ed(); rig.linkPeriodic(e + 8); }, /ED pointer 0x[0-9a-f]+8 is not 16-byte aligned/],
      ['NextED', (rig) => { const e = rig.ed(); rig.linkControl(e); rig.w32(e + 12, e + 4); rig.w(REG.CommandStatus, CS_CLF); }, /NextED 0x[0-9a-f]+4, not 16-byte aligned/],
      ['HeadP', (rig) => { const e = rig.ed(); rig.w32(e + 8, rig.r32(e + 8) | 4); rig.linkControl(e); rig.w(REG.CommandStatus, CS_CLF); }, /HeadP .* not 16-byte aligned/],
      ['TailP', (rig) => { const e = rig.ed(); rig.w32(e + 4, rig.r32(e + 4) + 8); rig.linkBulk(e); rig.w(REG.CommandStatus, CS_BLF); }, /TailP .* not 16-byte aligned/],
      ['NextTD', (rig) => {
        const e = rig.ed(); const td = rig.queue(e, { dp: 2, len: 8 }); rig.w32(td + 8, rig.r32(td + 8) + 4);
        rig.linkBulk(e); rig.w(REG.CommandStatus, CS_BLF);
      }, /NextTD .* not 16-byte aligned/],
      ['ControlHeadED register', (rig) => { const e = rig.ed(); rig.w(REG.ControlHeadED, e + 2); rig.w(REG.CommandStatus, CS_CLF); }, /HcControlHeadED .* not 16-byte aligned/],
      ['BulkHeadED register', (rig) => { const e = rig.ed(); rig.w(REG.BulkHeadED, e + 2); rig.w(REG.CommandStatus, CS_BLF); }, /HcBulkHeadED .* not 16-byte aligned/],
      ['isochronous TD', (rig) => {
        rig.w(REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_IE);
        const e = rig.ed({ fa: 0, iso: true, dir: 2 });
        const td = rig.queue(e, { dp: 2, len: 8 });
        if ((td & 0x1f) === 0) rig.w32(e + 8, td + 16); // make sure HeadP is 16- but not 32-aligned
        rig.linkPeriodic(e);
      }, /TD pointer 0x[0-9a-f]+ is not 32-byte aligned/],
      ['BufferEnd below CBP', (rig) => {
        const e = rig.ed({ fa: 0, dir: 2 }); const td = rig.queue(e, { dp: 2, len: 64 }); rig.w32(td + 12, rig.r32(td + 4) - 1);
        rig.linkBulk(e); rig.w(REG.CommandStatus, CS_BLF);
      }, /BufferEnd .* is below CurrentBufferPointer/],
    ];
    for (const [what, setup, reason] of cases) {
      const rig = ready();
      setup(rig);
      expect(String(frameOutcome(rig)), what).toMatch(reason);
    }
  });

  it('garbage schedules never throw and never take long: random RAM, random pointers, 300 runs', () => {
    const rand = prng(20240611);
    let ue = 0;
    for (let run = 0; run < 300; run++) {
      const rig = ready();
      const base = rig.alloc(0x4000, 0x1000);
      // Random words, biased towards pointers into the area (so walks go somewhere), some wild.
      for (let i = 0; i < 0x1000; i++) {
        const r = rand() >>> 0;
        const v = r % 4 === 0 ? r : base + ((r >>> 4) % 0x4000) - (r % 3 === 0 ? 0 : (r >>> 2) & 0xf);
        rig.w32(base + 4 * i, v >>> 0);
      }
      for (let i = 0; i < 32; i++) if (rand() & 1) rig.w32(rig.hcca + 4 * i, base + ((rand() >>> 0) % 0x4000));
      rig.w(REG.ControlHeadED, base + ((rand() >>> 0) % 0x4000));
      rig.w(REG.BulkHeadED, base + ((rand() >>> 0) % 0x4000));
      rig.w(REG.Control, HCFS_OPERATIONAL | CTL_PLE | CTL_CLE | CTL_BLE | CTL_IE | (rand() & 3));
      rig.w(REG.CommandStatus, CS_CLF | CS_BLF);
      for (let f = 0; f < 8; f++) {
        const reason = frameOutcome(rig);
        for (const r of rig.requests.splice(0)) {
          rig.complete(r.id, { status: (['ok', 'stall', 'babble', 'nodev'] as const)[rand() & 3], data: new Uint8Array((rand() >>> 0) % 80) });
        }
        if (reason) { ue++; break; }
      }
    }
    expect(ue).toBeGreaterThan(100); // most garbage is caught
  });
});
