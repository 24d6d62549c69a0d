// Machine.usb: how a host (recorder, replayer, test) talks to the machine's USB controller.
//
// Outputs (callbacks, called synchronously from inside Machine.run(); they should only queue work
// and must not call back into the machine; what one throws is rethrown by run() afterwards):
//   onTransferRequest(request)  the guest started a transfer; give it to the device behind
//                               request.port and answer with completeTransfer(request.id, result)
//   onTransferCancel(id)        that request is no longer wanted (ED unlinked/skipped/halted, list
//                               disabled, port reset/disabled/unpowered, detach, controller reset)
//   onPortReset(port)           the guest reset the port's device (a passthrough backend resets
//                               the real device; SET_ADDRESS is answered by the host, see below)
// When a callback is installed, the event also makes run() return { kind: 'io' } at the next
// canonical point, so the host can act on it at once; with no callback, run() does not stop.
//
// Inputs (call only between run() calls, at a canonical point; a recorder writes each one down
// with the icount, a replayer applies them at the same icount in the same order):
//   attach(port, speed), detach(port), completeTransfer(id, result)
// Ids are deterministic (a counter in the controller's state), so a replay issues the same ids and
// recorded completions can be matched by id. A completion for an id that is not in flight
// (cancelled, answered, unknown) is ignored and completeTransfer returns false.
//
// Addresses are virtual: the controller forwards SET_ADDRESS like any control transfer, and when
// the host answers it 'ok' the device on that port answers to the new address from then on. A
// passthrough host must not send SET_ADDRESS to the real device (DESIGN.md §5) but answer 'ok'.

import type { OhciController, OhciStatus } from './ohci.js';
import type { RootPortInfo } from './root-hub.js';
import type { UsbPortSpeed, UsbTransferRequest, UsbTransferResult } from './usb-types.js';

export class UsbHostApi {
  onTransferRequest: ((request: UsbTransferRequest) => void) | null = null;
  onTransferCancel: ((id: number) => void) | null = null;
  onPortReset: ((port: number) => void) | null = null;
  /** True while the host itself is calling in: its own calls need no 'io' stop. */
  private hostCall = false;
  /** The first exception a callback threw, rethrown by Machine.run() at the next canonical point. */
  private callbackError: { error: unknown } | null = null;

  constructor(private readonly hc: OhciController, private readonly requestAttention: () => void) {
    hc.hooks = {
      onTransferRequest: (request) => this.notify(this.onTransferRequest, { ...request, data: request.data.slice() }),
      onTransferCancel: (id) => this.notify(this.onTransferCancel, id),
      onPortReset: (port) => this.notify(this.onPortReset, port),
    };
  }

  /**
   * Calls a host callback. A callback that throws must not unwind the controller halfway through a
   * frame: the error is kept and rethrown by Machine.run() once the machine is at a canonical point.
   */
  private notify<T>(callback: ((arg: T) => void) | null, arg: T): void {
    if (!callback) return;
    try {
      callback(arg);
    } catch (error) {
      this.callbackError ??= { error };
    }
    if (!this.hostCall) this.requestAttention();
  }

  /** Rethrows what a callback threw (Machine.run() calls this before returning). */
  throwCallbackError(): void {
    const e = this.callbackError;
    if (!e) return;
    this.callbackError = null;
    throw e.error;
  }

  private call<T>(fn: () => T): T {
    this.hostCall = true;
    try {
      return fn();
    } finally {
      this.hostCall = false;
      this.throwCallbackError();
    }
  }

  /** Root hub ports, numbered 1..portCount. */
  get portCount(): number {
    return this.hc.portCount;
  }

  /** Plugs a low- or full-speed device into `port`. Throws if the port does not exist or is taken. */
  attach(port: number, speed: UsbPortSpeed): void {
    this.call(() => this.hc.attach(port, speed));
  }

  /** Unplugs the device on `port` (its transfers in flight end with DeviceNotResponding). False if none. */
  detach(port: number): boolean {
    return this.call(() => this.hc.detach(port));
  }

  /** Answers request `id`. False (nothing changes) if it is not in flight. */
  completeTransfer(id: number, result: UsbTransferResult): boolean {
    return this.call(() => this.hc.completeTransfer(id, result));
  }

  /** Requests given to the host and not yet answered (e.g. to re-issue them after a restore). Copies. */
  pendingTransfers(): UsbTransferRequest[] {
    return this.hc.pendingTransfers().map((r) => ({ ...r, data: r.data.slice() }));
  }

  /**
   * The host changed guest RAM while the hart waits in WFI (a debugger's memory write): makes a
   * controller that skips idle frames look at its lists again. Guest stores need no such call.
   */
  rescan(): void {
    this.hc.rescan();
  }

  port(port: number): RootPortInfo {
    return this.hc.portInfo(port);
  }

  status(): OhciStatus {
    return this.hc.status();
  }
}
