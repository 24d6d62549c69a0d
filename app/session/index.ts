// The session: the protocol's services over the core (see session.ts). Imported only by hosts.

export { DebugSession, INSTRUCTIONS_PER_SECOND, type EmitEvent, type SessionPorts } from './session.js';
export { SessionError, toProtocolError } from './errors.js';
export { recordElf, DEFAULT_RECORD_LIMIT, type NewRecordingHeader, type RecordElfHost, type RecordElfOptions } from './record-elf.js';
