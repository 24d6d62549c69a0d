// Descriptor builders and parsers, class constants and the SETUP decoder (one import for the UI).

export * from './bytes.js';
export * from './walk.js';
export * from './device.js';
export * from './configuration.js';
export * from './string.js';
export * from './hid.js';
export * from './cdc.js';
export * from './msc.js';
export * from './setup-decoder.js';
