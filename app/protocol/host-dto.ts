// DTOs of the services a host answers itself, not the session: browsing the host's files for the
// in-app file dialog, the Recent list, and the gdb server for the recording on screen.
// Plain JSON-able values only (see dto.ts).

/** What a file is to the debugger. Only what the user could open is listed. */
export type DirEntryKind = 'directory' | 'recording' | 'elf';

export interface DirEntry {
  readonly name: string;
  readonly kind: DirEntryKind;
  /** Bytes (files); null for directories. */
  readonly size: number | null;
}

/** One directory of the host, for the in-app file dialog (browser host; Electron has native dialogs). */
export interface DirectoryListing {
  /** The directory listed, absolute and normalised. */
  readonly path: string;
  /** Its parent, or null at the root. */
  readonly parent: string | null;
  /** The host's path separator ('/' or '\\'), for joining names. */
  readonly separator: string;
  /** The user's home directory on the host. */
  readonly home: string;
  /** Directories first, then files; each group by name. */
  readonly entries: readonly DirEntry[];
  /** What is not listed, and why (nothing is left out silently). */
  readonly omitted: {
    /** Names starting with '.'. */
    readonly hidden: number;
    /** Files that are neither recordings nor ELFs. */
    readonly other: number;
    /** Entries that could not be examined (a dangling link, no permission). */
    readonly unreadable: number;
  };
  /** More entries than a listing holds: the first ones are listed. */
  readonly truncated: boolean;
}

export interface RecentFile {
  readonly path: string;
  readonly kind: 'recording' | 'elf';
  /** When it was last opened or saved, ms since the epoch (host clock). */
  readonly at: number;
}

/** The gdb server a host runs for a recording (one at a time). */
export type GdbServerStatus =
  | { readonly running: false; /** Why it stopped, when it did not stop on request (a crash, a listen error), or null. */ readonly lastError: string | null }
  | {
      readonly running: true;
      readonly host: string;
      readonly port: number;
      /** The recording it serves (may differ from the one on screen once another is opened). */
      readonly recordingPath: string;
      /** The guest ELF gdb should load: the original when known, else a copy the host wrote from the recording. */
      readonly elfPath: string;
      /** The exact command to paste into a shell. */
      readonly commandLine: string;
      /** A gdb is connected now (one client at a time; the server keeps listening after it leaves). */
      readonly clientConnected: boolean;
      /** The position gdb started at (the UI's position when the server was started). */
      readonly startIcount: number;
    };
