// What a host opens when it is given no file: the bundled sample firmware (assets/firmware/elf/
// shell.elf) recorded with its demo input and a virtual CDC-ACM serial device attached (the shell
// enumerates it at boot, and its `echo` goes through it), so the first window shows a real run with
// USB transfers. One definition for both hosts (`hindsight serve`, Electron's `npm start`).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServiceParams } from '../../protocol/services.js';
import { projectRoot } from '../io.js';

export interface OpenRequest {
  readonly method: 'openElf';
  readonly params: ServiceParams<'openElf'>;
}

/** The devices the default open attaches (VIRTUAL_USB_CHOICES' spec of the virtual CDC-ACM device). */
export const DEFAULT_OPEN_USB: readonly string[] = ['virtual:cdc-acm'];

/** `root`: the project (or the packaged app) folder holding assets/firmware. */
export function defaultOpenRequest(root: string = projectRoot()): OpenRequest {
  const elf = path.join(root, 'assets', 'firmware', 'elf', 'shell.elf');
  const demo = path.join(root, 'assets', 'firmware', 'shell-demo.txt');
  return { method: 'openElf', params: { path: elf, serialInput: readFileSync(demo, 'latin1'), usb: DEFAULT_OPEN_USB } };
}
