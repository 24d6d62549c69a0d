// Errors as they cross the boundary: a code a UI can act on and a message a person can read.

export type ProtocolErrorCode =
  /** Params missing or of the wrong type, an unknown service. */
  | 'bad-request'
  /** The request needs an open recording and there is none. */
  | 'no-recording'
  /** A file is not a recording, another format version, corrupt; an ELF is bad. */
  | 'bad-file'
  /** An address or range is not memory, a symbol is unknown. */
  | 'bad-address'
  /** Replay did not reproduce the recording (names the icount). */
  | 'divergence'
  /** A USB device cannot be opened or attached (not connected, no permission, a bad capture or disk image). */
  | 'device'
  /** The operation was cancelled. */
  | 'cancelled'
  /** The two sides speak different protocol versions. */
  | 'version-mismatch'
  /** A bug: the message says what happened. */
  | 'internal';

export interface ProtocolError {
  readonly code: ProtocolErrorCode;
  readonly message: string;
}
