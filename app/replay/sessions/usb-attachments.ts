// The outside world of the USB controller while recording (or running): which device backend sits
// behind which root hub port, and the plumbing between them.
//
// The controller's transfer requests go to the port's backend right away (they are deterministic
// outputs); each answer comes back whenever the backend gives it (a virtual device at once, a real
// device when it pleases) and is offered to the input pump, which applies it at the next canonical
// point and writes it down. Connects and disconnects go the same way. Nothing here runs during a
// replay: the recording supplies the inputs instead.

import type { Machine } from '../../engine/machine/machine.js';
import type { UsbTransferRequest } from '../../engine/devices/ohci/usb-types.js';
import type { UsbCompletion, UsbDeviceBackend, UsbTransfer } from '../../usb/usb-backend.js';
import type { RecordingInputPump } from '../inputs/input-pump.js';
import { fnv1a, usbCompletion } from '../inputs/usb-completion.js';
import { usbConnect } from '../inputs/usb-connect.js';
import { DERIVED_USB_REQUEST, encodeUsbRequest } from '../trace/derived-codecs.js';
import type { DerivedEvent } from '../trace/trace.js';

export class UsbAttachments {
  private readonly backends = new Map<number, UsbDeviceBackend>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly cancelled = new Set<number>();
  /** Transfers handed to a backend and not answered yet, by the controller's id. */
  private readonly transfers = new Map<number, { port: number; transfer: UsbTransfer }>();

  /** `derived` receives the deterministic transfer requests for the timeline (null: nobody records them, `run`). */
  constructor(private readonly machine: Machine, private readonly pump: RecordingInputPump, private readonly derived: ((e: DerivedEvent) => void) | null = null) {
    const usb = machine.usb;
    usb.onTransferRequest = (req) => this.submit(req);
    usb.onTransferCancel = (id) => {
      this.cancelled.add(id);
      const t = this.transfers.get(id);
      // Put the transfer back where a real device's NAKing transfer would be: nowhere.
      if (t) this.backends.get(t.port)?.cancel?.(t.transfer);
    };
    usb.onPortReset = (port) => { void this.backends.get(port)?.reset(); };
  }

  /** Plugs `backend` into root hub port `port` (1-based); it enters the machine at the next canonical point. */
  attach(port: number, backend: UsbDeviceBackend): void {
    if (port < 1 || port > this.machine.usb.portCount) throw new RangeError(`there is no USB port ${port} (ports are 1..${this.machine.usb.portCount})`);
    if (this.backends.has(port)) throw new RangeError(`USB port ${port} already has ${this.backends.get(port)!.identity.spec}`);
    this.backends.set(port, backend);
    const speed = backend.identity.speed === 'low' ? 'low' : 'full';
    backend.onDisconnect = () => this.detach(port);
    this.pump.offer(usbConnect, { port, attach: true, speed });
  }

  /** Plugs `backends` into root hub ports 1, 2, ... in the order given. */
  attachInOrder(backends: readonly UsbDeviceBackend[]): this {
    backends.forEach((b, i) => this.attach(i + 1, b));
    return this;
  }

  /** Unplugs the device on `port` (also what a backend's disconnect does). */
  detach(port: number): void {
    const b = this.backends.get(port);
    if (!b) return;
    this.backends.delete(port);
    b.cancelAll();
    this.pump.offer(usbConnect, { port, attach: false, speed: 'full' });
  }

  /** Backends currently attached, by port. */
  attached(): ReadonlyMap<number, UsbDeviceBackend> {
    return this.backends;
  }

  /** Transfers handed to a backend that has not answered yet. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves when at least one in-flight transfer has been answered (at once if none is in flight). */
  async anyAnswer(): Promise<void> {
    if (this.inFlight.size === 0) return;
    await Promise.race(this.inFlight.values());
  }

  async close(): Promise<void> {
    for (const b of this.backends.values()) {
      b.cancelAll();
      await b.close();
    }
    this.backends.clear();
  }

  private submit(req: UsbTransferRequest): void {
    const h = this.machine.hart;
    this.derived?.({ icount: h.icount, kind: DERIVED_USB_REQUEST, data: encodeUsbRequest({ ...req, ticks: h.ticks() }) });
    const backend = this.backends.get(req.port);
    const outHash = fnv1a(req.data);
    const transfer = toUsbTransfer(req);
    const answer = (c: UsbCompletion): void => {
      this.inFlight.delete(req.id);
      this.transfers.delete(req.id);
      if (this.cancelled.delete(req.id)) return;
      this.pump.offer(usbCompletion, { id: req.id, status: c.status, actualLength: c.actualLength, outHash, data: c.data });
    };
    if (!backend) {
      answer({ status: 'nodev', data: new Uint8Array(0), actualLength: 0 });
      return;
    }
    this.transfers.set(req.id, { port: req.port, transfer });
    const done = backend.submit(transfer).then(answer, (e: unknown) => {
      // Backends never reject by contract; a bug in one must not wedge the guest.
      answer({ status: 'error', data: new Uint8Array(0), actualLength: 0 });
      throw e;
    });
    this.inFlight.set(req.id, done.catch(() => {}));
  }
}

/**
 * Opens the devices `specs` name, in order, with `open`. When one cannot be opened, those already
 * open are closed (a real device must not stay claimed) and the error is rethrown: nothing stays open.
 */
export async function openUsbBackends(specs: readonly string[], open: (spec: string) => Promise<UsbDeviceBackend>): Promise<UsbDeviceBackend[]> {
  const opened: UsbDeviceBackend[] = [];
  try {
    for (const spec of specs) opened.push(await open(spec));
  } catch (e) {
    await Promise.all(opened.map((b) => b.close()));
    throw e;
  }
  return opened;
}

export function toUsbTransfer(req: UsbTransferRequest): UsbTransfer {
  return {
    kind: req.kind, endpoint: req.endpoint, dirIn: req.dirIn, data: req.data, length: req.length,
    ...(req.setup ? { setup: req.setup } : {}),
  };
}
