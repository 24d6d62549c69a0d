// The board's devices. Each file opens with the QEMU 7.2 source it follows and its register map.
export { Uart16550a, VIRT_UART_BAUDBASE, type Uart16550aOptions } from './uart-16550a.js';
export { Clint, TICKS_PER_MTIME } from './clint.js';
export { Plic } from './plic.js';
export { SifiveTest, FINISHER_FAIL, FINISHER_PASS, FINISHER_RESET } from './sifive-test.js';
export { Htif, findHtifAddresses, type HtifOptions, type HtifSymbolLookup, type PhysMemory32 } from './htif.js';
