// gdb's packets, parsed into a typed union (GDB manual, "Packets", "General Query Packets",
// "Stop Reply Packets"). Parsing never throws: a packet we know but cannot read is `malformed`
// (answered with an error), one we do not know is `unsupported` (answered with the empty reply,
// which tells gdb "not supported").

import { MAX_PACKET_SIZE, fromHex, hexToText, latin1String } from './packet-codec.js';

/** Z/z types: 0 software breakpoint, 1 hardware breakpoint, 2 write, 3 read, 4 access watchpoint. */
export type PointType = 0 | 1 | 2 | 3 | 4;

export type ResumeAction = 'continue' | 'step';

export type GdbRequest =
  | { readonly kind: 'supported'; readonly features: readonly string[] }
  | { readonly kind: 'start-no-ack' }
  | { readonly kind: 'read-features'; readonly annex: string; readonly offset: number; readonly length: number }
  | { readonly kind: 'halt-reason' }
  | { readonly kind: 'read-registers' }
  | { readonly kind: 'write-registers'; readonly data: Uint8Array }
  | { readonly kind: 'read-register'; readonly regnum: number }
  | { readonly kind: 'write-register'; readonly regnum: number; readonly data: Uint8Array }
  | { readonly kind: 'read-memory'; readonly addr: number; readonly length: number }
  | { readonly kind: 'write-memory'; readonly addr: number; readonly data: Uint8Array }
  /** c, s, C, S and vCont: `addr` (c/s ADDR) resumes at another pc; signals are ignored (a replay cannot take one). */
  | { readonly kind: 'resume'; readonly action: ResumeAction; readonly addr: number | null }
  | { readonly kind: 'reverse'; readonly action: ResumeAction }
  | { readonly kind: 'vcont-query' }
  | { readonly kind: 'point'; readonly insert: boolean; readonly type: PointType; readonly addr: number; readonly length: number }
  | { readonly kind: 'attached' }
  | { readonly kind: 'current-thread' }
  | { readonly kind: 'thread-info'; readonly first: boolean }
  | { readonly kind: 'set-thread' }
  | { readonly kind: 'thread-alive'; readonly thread: string }
  /** k (no reply) or vKill (replied OK). */
  | { readonly kind: 'kill'; readonly reply: boolean }
  | { readonly kind: 'detach' }
  | { readonly kind: 'monitor'; readonly command: string }
  | { readonly kind: 'unsupported'; readonly name: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/** A hex number of at most 8 digits (32 bits); null otherwise. */
function hex32(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9a-fA-F]{1,8}$/.test(text)) return null;
  return parseInt(text, 16);
}

/** A hex count or offset (up to 2^48, enough for any length gdb sends); null otherwise. */
function hexCount(text: string | undefined): number | null {
  if (text === undefined || !/^[0-9a-fA-F]{1,12}$/.test(text)) return null;
  return parseInt(text, 16);
}

/** Thread ids we answer to: ours (1), any (0), all (-1), and the multiprocess forms pP.T of them. */
function isOurThread(id: string): boolean {
  return /^(p(1|-1|0)\.)?(1|-1|0)$/.test(id);
}

const malformed = (reason: string): GdbRequest => ({ kind: 'malformed', reason });

export function parseRequest(payload: Uint8Array): GdbRequest {
  // Binary data follows the ':' of X; everything else is text.
  if (payload[0] === 0x58 /* X */) return parseBinaryWrite(payload);
  const text = latin1String(payload);
  if (text === '') return { kind: 'unsupported', name: '' };
  const head = text[0]!;
  const rest = text.slice(1);
  switch (head) {
    case '?': return { kind: 'halt-reason' };
    case 'g': return rest === '' ? { kind: 'read-registers' } : malformed('g takes no argument');
    case 'G': {
      const data = fromHex(rest);
      return data && data.length > 0 ? { kind: 'write-registers', data } : malformed('G needs register data in hex');
    }
    case 'p': {
      const regnum = hex32(rest);
      return regnum === null ? malformed('p needs a register number') : { kind: 'read-register', regnum };
    }
    case 'P': {
      const [n, v] = rest.split('=');
      const regnum = hex32(n);
      const data = v === undefined ? null : fromHex(v);
      return regnum === null || !data || data.length === 0 ? malformed('P needs N=VALUE') : { kind: 'write-register', regnum, data };
    }
    case 'm': {
      const [a, l] = rest.split(',');
      const addr = hex32(a);
      const length = hexCount(l);
      return addr === null || length === null ? malformed('m needs ADDR,LENGTH') : { kind: 'read-memory', addr, length };
    }
    case 'M': {
      const m = /^([0-9a-fA-F]+),([0-9a-fA-F]+):([0-9a-fA-F]*)$/.exec(rest);
      const addr = hex32(m?.[1]);
      const length = hexCount(m?.[2]);
      const data = m ? fromHex(m[3]!) : null;
      if (addr === null || length === null || !data || data.length !== length) return malformed('M needs ADDR,LENGTH:HEX with LENGTH bytes');
      return { kind: 'write-memory', addr, data };
    }
    case 'c':
    case 's': {
      const addr = rest === '' ? null : hex32(rest);
      if (rest !== '' && addr === null) return malformed(`${head} takes an optional address`);
      return { kind: 'resume', action: head === 'c' ? 'continue' : 'step', addr };
    }
    case 'C':
    case 'S': {
      const [sig, a] = rest.split(';');
      const addr = a === undefined ? null : hex32(a);
      if (hexCount(sig) === null || (a !== undefined && addr === null)) return malformed(`${head} needs SIG[;ADDR]`);
      return { kind: 'resume', action: head === 'C' ? 'continue' : 'step', addr };
    }
    case 'b':
      if (rest === 'c') return { kind: 'reverse', action: 'continue' };
      if (rest === 's') return { kind: 'reverse', action: 'step' };
      return { kind: 'unsupported', name: text.slice(0, 2) };
    case 'Z':
    case 'z': return parsePoint(head === 'Z', rest);
    case 'H': return /^[gc]/.test(rest) ? { kind: 'set-thread' } : malformed('H needs g or c and a thread');
    case 'T': return { kind: 'thread-alive', thread: rest };
    case 'k': return { kind: 'kill', reply: false };
    case 'D': return { kind: 'detach' };
    case 'q':
    case 'Q': return parseQuery(text);
    case 'v': return parseV(text);
    default: return { kind: 'unsupported', name: head };
  }
}

function parseBinaryWrite(payload: Uint8Array): GdbRequest {
  const colon = payload.indexOf(0x3a);
  if (colon < 0) return malformed('X needs ADDR,LENGTH:DATA');
  const [a, l] = latin1String(payload.subarray(1, colon)).split(',');
  const addr = hex32(a);
  const length = hexCount(l);
  const data = payload.slice(colon + 1);
  if (addr === null || length === null || data.length !== length) return malformed('X needs ADDR,LENGTH:DATA with LENGTH bytes');
  return { kind: 'write-memory', addr, data };
}

function parsePoint(insert: boolean, rest: string): GdbRequest {
  // Ztype,addr,kind[;cond_list...][;cmds:...]: conditions and commands are gdb's business here.
  const [type, a, k] = rest.split(';')[0]!.split(',');
  const t = type === undefined ? NaN : Number(type);
  const addr = hex32(a);
  const length = hexCount(k);
  if (!(t >= 0 && t <= 4) || type!.length !== 1 || addr === null || length === null) {
    return malformed(`${insert ? 'Z' : 'z'} needs TYPE,ADDR,KIND`);
  }
  return { kind: 'point', insert, type: t as PointType, addr, length };
}

function parseQuery(text: string): GdbRequest {
  const name = /^[qQ][A-Za-z]+/.exec(text)?.[0] ?? text.slice(0, 2);
  if (text.startsWith('qSupported')) {
    const list = text.startsWith('qSupported:') ? text.slice('qSupported:'.length).split(';') : [];
    return { kind: 'supported', features: list.filter((f) => f !== '') };
  }
  if (text === 'QStartNoAckMode') return { kind: 'start-no-ack' };
  if (text.startsWith('qXfer:features:read:')) {
    const m = /^qXfer:features:read:([^:]*):([0-9a-fA-F]+),([0-9a-fA-F]+)$/.exec(text);
    const offset = hexCount(m?.[2]);
    const length = hexCount(m?.[3]);
    if (!m || offset === null || length === null) return malformed('qXfer:features:read needs ANNEX:OFFSET,LENGTH');
    return { kind: 'read-features', annex: m[1]!, offset, length: Math.min(length, MAX_PACKET_SIZE - 8) };
  }
  if (text === 'qAttached' || text.startsWith('qAttached:')) return { kind: 'attached' };
  if (text === 'qC') return { kind: 'current-thread' };
  if (text === 'qfThreadInfo') return { kind: 'thread-info', first: true };
  if (text === 'qsThreadInfo') return { kind: 'thread-info', first: false };
  if (text.startsWith('qRcmd,')) {
    const command = hexToText(text.slice('qRcmd,'.length));
    return command === null ? malformed('qRcmd needs the command in hex') : { kind: 'monitor', command };
  }
  return { kind: 'unsupported', name };
}

function parseV(text: string): GdbRequest {
  if (text === 'vCont?') return { kind: 'vcont-query' };
  if (text.startsWith('vCont;')) return parseVCont(text.slice('vCont;'.length));
  if (text.startsWith('vKill')) return { kind: 'kill', reply: true };
  return { kind: 'unsupported', name: /^v[A-Za-z]+/.exec(text)?.[0] ?? 'v' };
}

/** vCont;ACTION[:THREAD]... : the action for our thread (one naming it, else the default one). */
function parseVCont(list: string): GdbRequest {
  let chosen: ResumeAction | null = null;
  let explicit = false;
  for (const item of list.split(';')) {
    const [act, thread] = item.split(':');
    const action: ResumeAction | null = act === 'c' || /^C[0-9a-fA-F]{1,2}$/.test(act ?? '') ? 'continue'
      : act === 's' || /^S[0-9a-fA-F]{1,2}$/.test(act ?? '') ? 'step' : null;
    if (action === null) return malformed(`vCont action "${act ?? ''}" is not c, C, s or S`);
    if (thread === undefined) {
      if (!explicit && chosen === null) chosen = action;
    } else if (isOurThread(thread) && !explicit) {
      chosen = action;
      explicit = true;
    }
  }
  return chosen === null ? malformed('vCont names no action for thread 1') : { kind: 'resume', action: chosen, addr: null };
}
