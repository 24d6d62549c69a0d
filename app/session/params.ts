// Checks of request params. They come from another process (or a browser) as JSON: a wrong type
// must be a clear 'bad-request' naming the field, never a NaN deep in the engine.

import { SessionError } from './errors.js';

type Obj = Record<string, unknown>;

export function obj(v: unknown, what: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SessionError('bad-request', `${what}: expected an object`);
  return v as Obj;
}

export function int(o: Obj, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new SessionError('bad-request', `${key}: expected an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optInt(o: Obj, key: string, min: number, max: number): number | undefined {
  return o[key] === undefined ? undefined : int(o, key, min, max);
}

export function str(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new SessionError('bad-request', `${key}: expected a string`);
  return v;
}

export function optStr(o: Obj, key: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key);
}

export function optBool(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new SessionError('bad-request', `${key}: expected true or false`);
  return v;
}

export function addresses(o: Obj, key: string): number[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > 64 || v.some((a) => typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a > 0xffffffff)) {
    throw new SessionError('bad-request', `${key}: expected up to 64 addresses (0..0xffffffff)`);
  }
  return v as number[];
}

export const U32_MAX = 0xffffffff;
export const MAX_ICOUNT = Number.MAX_SAFE_INTEGER;

/** An optional list of USB device specs (the CLI's --usb specs): strings, not blank. */
export function optUsbSpecs(o: Obj, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s.trim() === '')) throw new SessionError('bad-request', `${key}: expected a list of device specs (strings)`);
  return v as string[];
}
