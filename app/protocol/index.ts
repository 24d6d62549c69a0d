// The one typed contract between a host and the UI (DESIGN.md sections 2 and 3).
// Imports nothing but itself; the renderer imports only its types.

export * from './version.js';
export type * from './dto.js';
export type * from './host-dto.js';
export type * from './usb-dto.js';
export type * from './recording-dto.js';
export type * from './source-dto.js';
export * from './services.js';
export type * from './events.js';
export type * from './errors.js';
export type * from './messages.js';
