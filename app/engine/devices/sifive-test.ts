// SiFive test finisher ("sifive,test0"/"sifive,test1") as QEMU 7.2 implements it
// (hw/misc/sifive_test.c). The guest's way to power off or report an exit code.
//
// Register map (one register; 2- and 4-byte accesses, QEMU raises an access fault for bytes):
//   0x0  finisher (write): bits 15:0 status, bits 31:16 code
//          0x5555 PASS  → exit 0
//          0x3333 FAIL  → exit `code` (note: FAIL with code 0 exits 0, as in QEMU)
//          0x7777 RESET → QEMU resets the machine; Hindsight does not reset, it stops and says so
//          other statuses are ignored
//   all offsets read 0; writes to offsets other than 0 are ignored.
// A 2-byte write at offset 0 carries the status only (code 0), as in QEMU.

import type { AccessSize, MachineControl, MmioDevice, Snapshotable } from '../bus/device.js';
import { StateFormatError, type StateReader, type StateWriter } from '../machine/state-codec.js';

export const FINISHER_FAIL = 0x3333;
export const FINISHER_PASS = 0x5555;
export const FINISHER_RESET = 0x7777;

export class SifiveTest implements MmioDevice, Snapshotable {
  readonly name = 'test';
  readonly size = 0x1000;
  /** Access sizes QEMU accepts (bit n set = n-byte access valid). */
  readonly validSizes = 2 | 4;
  readonly stateName = 'sifive-test';
  readonly stateVersion = 1;

  constructor(private readonly control: MachineControl) {}

  read(_offset: number, _size: AccessSize): number {
    return 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset !== 0 || size === 1) return;
    const status = value & 0xffff;
    const code = size === 4 ? (value >>> 16) & 0xffff : 0;
    switch (status) {
      case FINISHER_PASS:
        this.control.requestExit(0, 'sifive-test: guest wrote PASS (0x5555)');
        return;
      case FINISHER_FAIL:
        this.control.requestExit(code, `sifive-test: guest wrote FAIL (0x3333) with code ${code}`);
        return;
      case FINISHER_RESET:
        this.control.requestExit(0, 'sifive-test: guest requested a reset (0x7777); Hindsight does not reset the machine, so the run stops here');
        return;
      default:
        return;
    }
  }

  // Stateless: the section exists so every device saves and loads the same way.
  saveState(_w: StateWriter): void {}

  loadState(_r: StateReader, version: number): void {
    if (version !== 1) throw new StateFormatError(`${this.stateName}: cannot read state version ${version} (this build reads 1)`);
  }
}
