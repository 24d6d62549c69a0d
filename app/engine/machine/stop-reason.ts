// Why Machine.run() returned. Every host (CLI, recorder, replayer, debugger) switches on this.

export type StopReason =
  /** The requested number of instructions retired. */
  | { readonly kind: 'limit' }
  /** The guest asked to stop: SiFive test finisher or HTIF exit. The machine stays stopped. */
  | { readonly kind: 'exit'; readonly code: number; readonly source: string }
  /**
   * The hart is in WFI with no interrupt pending and no timer armed: only outside input (UART
   * receive, a USB completion) can wake it. A host with no more input to give can stop here.
   */
  | { readonly kind: 'idle' }
  /** The pc reached a breakpoint; the instruction there has not executed. */
  | { readonly kind: 'breakpoint'; readonly pc: number }
  /** A watched range was accessed; the accessing instruction has completed. */
  | { readonly kind: 'watchpoint'; readonly hit: WatchHit }
  /**
   * A device has something for the host: the USB controller issued a transfer request, cancelled
   * one, or reset a port (see Machine.usb). The host hands it over (e.g. to a USB backend) and calls
   * run() again; nothing else happened, and a run that had not stopped here would have gone on
   * identically. Returned only when the host installed the matching callback.
   */
  | { readonly kind: 'io' };

export type WatchKind = 'write' | 'read' | 'access';

export interface Watchpoint {
  /** Physical address (the same as virtual while translation is off). */
  readonly addr: number;
  readonly len: number;
  readonly kind: WatchKind;
}

export interface WatchHit {
  readonly watch: Watchpoint;
  /** Whether this access read or wrote. */
  readonly access: 'read' | 'write';
  /** The position just before the accessing instruction (or DMA transfer). */
  readonly icount: number;
  /** Address of the accessing instruction (for DMA: the pc at the time). */
  readonly pc: number;
  /** Start and length of the access itself. */
  readonly addr: number;
  readonly len: number;
  readonly writer: 'cpu' | 'dma';
}
