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
  | { readonly kind: 'idle' };
