// The recording (trace) contract: what a recording holds and how sessions write and read it.
// Portable: the SQLite implementation lives in app/node/trace-store; tests may use an in-memory one.
//
// A recording holds:
//   header        format version, machine configuration, the guest image and its hash
//   inputs        every input from the outside world, stamped with the icount at which the guest
//                 observed it (uart-rx bytes now; USB completions and connect/disconnect later)
//   derived       deterministic outputs kept so the UI can draw them without replaying
//                 (uart-tx bytes, traps, interrupts; USB transfers later)
//   snapshots     machine state at icounts: CPU + devices, and RAM pages (all non-zero pages in a
//                 keyframe, only the pages dirtied since the previous snapshot otherwise), a hash of
//                 the whole machine state, and the write summary of the interval that ends there
//   progress      the icount up to which everything is durable (inputs complete up to there)
//   end           how the recording ended, once it has
//   sources       optional: the guest's source files, by DWARF path, added once the recording is
//                 finished (for the Source panel on machines without them)

export const TRACE_FORMAT_VERSION = 1;

export interface MachineConfigRecord {
  /** Board name; only "virt" exists. */
  readonly board: 'virt';
  readonly ramSize: number;
  /** Instructions per mtime tick (the CLINT's clock ratio). */
  readonly ticksPerMtime: number;
}

export interface TraceHeader {
  readonly formatVersion: number;
  /** Hindsight version that made the recording. */
  readonly createdBy: string;
  readonly machine: MachineConfigRecord;
  /** The guest ELF itself, so a recording replays without it. */
  readonly guestImage: Uint8Array;
  /** SHA-256 of guestImage, hex. */
  readonly guestImageSha256: string;
  /** File name of the guest image when recorded (informational). */
  readonly guestImageName: string;
  /** Instructions between periodic snapshots. */
  readonly snapshotInterval: number;
}

/** An input from the outside world. `kind` names the input source module (app/replay/inputs/*). */
export interface InputEvent {
  readonly icount: number;
  /**
   * Guest time when it entered (icount + cycles slept in WFI). While the hart sleeps, icount
   * stands still and time moves on, so icount alone does not say which moment it was.
   */
  readonly ticks: number;
  readonly kind: string;
  readonly data: Uint8Array;
}

/** A deterministic output or machine event, kept for the timeline. */
export interface DerivedEvent {
  readonly icount: number;
  readonly kind: string;
  readonly data: Uint8Array;
}

export interface SnapshotPage {
  /** RAM page number (offset from the RAM base / 4096). */
  readonly page: number;
  readonly data: Uint8Array;
}

export interface SnapshotRecord {
  readonly icount: number;
  /** Keyframe: `pages` holds every non-zero RAM page. Otherwise the pages dirtied since the previous snapshot. */
  readonly keyframe: boolean;
  /** CPU and device state (Machine.saveState). */
  readonly state: Uint8Array;
  readonly pages: readonly SnapshotPage[];
  /** Hash of the whole machine state (Machine.stateHash) at this icount. */
  readonly stateHash: string;
  /**
   * Write summary of the interval from the previous snapshot to this one: which 64-byte lines of
   * RAM any writer (CPU store or device DMA) wrote. Encoded by app/replay/write-index.
   */
  readonly writeSummary: Uint8Array;
}

/** A snapshot for a writer that computes its state hash itself (TraceWriter.appendUnhashedSnapshot). */
export type UnhashedSnapshotRecord = Omit<SnapshotRecord, 'stateHash'>;

/** Snapshot metadata, without the (large) page data. */
export interface SnapshotInfo {
  readonly id: number;
  readonly icount: number;
  readonly keyframe: boolean;
  readonly stateHash: string;
  readonly pageCount: number;
}

export type TraceEndReason =
  | { readonly kind: 'exit'; readonly code: number; readonly source: string }
  | { readonly kind: 'limit' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'idle' };

export interface TraceEnd {
  readonly icount: number;
  readonly reason: TraceEndReason;
}

export interface TraceWriter {
  readonly header: TraceHeader;
  appendInput(e: InputEvent): void;
  appendDerived(e: DerivedEvent): void;
  /**
   * Returns the new snapshot's id. The writer takes the pages' data: it may keep it (to write it
   * later, on another thread), so the caller must not change it after the call.
   */
  appendSnapshot(s: SnapshotRecord): number;
  /**
   * Optional: offered by writers that hash snapshots themselves, off the recorder's thread, with
   * SnapshotStateHasher (the hash RecordSession would compute: see snapshot-state-hasher.ts). The
   * hash depends on every snapshot before, so a recording uses it for all its snapshots or for none.
   * Returns the new snapshot's id.
   */
  appendUnhashedSnapshot?(s: UnhashedSnapshotRecord): number;
  /**
   * Thinning: removes snapshot `id` and folds it into the next snapshot `intoId`: the pages of `id`
   * that `intoId` does not have move to `intoId`, `intoId` becomes a keyframe if `id` was one, and
   * `intoId`'s write summary becomes `mergedSummary` (covering both intervals).
   */
  foldSnapshot(id: number, intoId: number, mergedSummary: Uint8Array): void;
  /** Everything up to `icount` is complete: no input before it is still to come. */
  markProgress(icount: number): void;
  setEnd(end: TraceEnd): void;
  /** Makes everything appended so far durable. Writers also do this on their own about every 250 ms. */
  flush(): void;
  close(): void;
}

export interface TraceReader {
  readonly header: TraceHeader;
  /** The end record, or null if the recorder stopped without writing one (killed). */
  readonly end: TraceEnd | null;
  /** Icount up to which the recording is complete (the end's icount, or the last durable progress mark). */
  readonly completeUpTo: number;
  /** Inputs with from <= icount < to, in order. */
  inputs(from: number, to: number): InputEvent[];
  /**
   * Derived events of one kind with from <= icount < to, in order. Always by kind: that is how
   * every reader looks (USB requests, UART output, traps), and what the file indexes.
   */
  derived(from: number, to: number, kind: string): DerivedEvent[];
  countInputs(): number;
  countDerived(kind?: string): number;
  snapshots(): SnapshotInfo[];
  snapshotState(id: number): Uint8Array;
  snapshotPages(id: number): SnapshotPage[];
  writeSummary(id: number): Uint8Array;
  /** Size of the recording in bytes (file plus journal). */
  sizeBytes(): number;
  /**
   * Optional: the guest source files stored in the recording, by path (none in recordings made
   * before recordings carried them, or by a host that did not add them), sorted by path.
   */
  storedSources?(): StoredSourceInfo[];
  /**
   * Optional: a stored source file by its path exactly as the DWARF line table names it; null when
   * the recording holds no copy. A copy that fails its checks (SHA-256, UTF-8) is not returned as
   * text: the answer says why, and the caller looks elsewhere.
   */
  readStoredSource?(path: string): StoredSourceRead | null;
  close(): void;
}

/** A guest source file stored in a recording. */
export interface StoredSourceInfo {
  /** The DWARF path ("lib/usb.c", "/abs/x.c"). */
  readonly path: string;
  readonly bytes: number;
}

/** A stored source file's text, or why the stored copy cannot be used. */
export type StoredSourceRead = { readonly text: string } | { readonly unusable: string };

/** A problem with a recording file: not a recording, another version, corrupt or truncated. */
export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}
