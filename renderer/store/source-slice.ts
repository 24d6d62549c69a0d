// The Source panel's state: the pc's source position, the file on screen (the pc's, or one the
// user picked: a frame, a write's request), source files fetched from the host (cached per guest
// image), and breakpoints by line.

import type { LineAddressesDto, MachineView, SourceAtPcDto, SourceFileDto, SourceLocationDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator, Store } from './types.js';

export interface SourceSlice {
  /** Where the pc is in the source, from the last view (null before one). */
  sourceAt: SourceAtPcDto | null;
  /** The position `sourceAt` is of: behind `state.icount` while scrubbing (see scrubViewRequest). */
  sourceAtIcount: number | null;
  /** What the editor shows: a file and the line to reveal and mark; null follows the selected frame. */
  sourceShown: SourceLocationDto | null;
  /** Files by DWARF path ('loading' while asked for). */
  sourceFiles: Readonly<Record<string, SourceFileDto | 'loading'>>;
  /** The guest image the cached files belong to. */
  sourceImage: string | null;
  /** Shows `loc` in the Source panel (and its tab). */
  showSource(loc: SourceLocationDto): void;
  /** Back to following the selected frame. */
  followFrame(): void;
  loadSourceFile(path: string): Promise<void>;
  /** Toggles breakpoints at a source line (all its addresses); the answer says which line got them. */
  toggleLineBreakpoint(file: string, line: number): Promise<LineAddressesDto | null>;
  /** The source parts of a view, merged into the store by applyView (position-slice). */
  sourceViewUpdate(view: MachineView, moved: boolean): Partial<Store>;
}

export const createSourceSlice: SliceCreator<SourceSlice> = (set, get) => ({
  sourceAt: null,
  sourceAtIcount: null,
  sourceShown: null,
  sourceFiles: {},
  sourceImage: null,

  showSource(loc) {
    set({ sourceShown: loc, leftTab: 'source' });
    void get().loadSourceFile(loc.file);
  },
  followFrame() {
    set({ sourceShown: null });
  },

  async loadSourceFile(path) {
    if (get().sourceFiles[path] !== undefined) return;
    set({ sourceFiles: { ...get().sourceFiles, [path]: 'loading' } });
    try {
      const f = await host().call('sourceFile', { path });
      set({ sourceFiles: { ...get().sourceFiles, [path]: f } });
    } catch (e) {
      const rest = { ...get().sourceFiles };
      delete rest[path];
      set({ sourceFiles: rest });
      get().reportError(e, `Cannot load the source file ${path}`);
    }
  },

  async toggleLineBreakpoint(file, line) {
    try {
      const bps = get().breakpoints;
      const there = bps.filter((b) => b.line?.file === file && b.line.line === line);
      if (there.length > 0) {
        set({ breakpoints: bps.filter((b) => !there.includes(b)) });
        return null;
      }
      const r = await host().call('lineAddresses', { file, line });
      if (r.line === null || r.addresses.length === 0) {
        get().reportError(new Error(`${file}:${line} and the lines after it have no code: no breakpoint`), 'No breakpoint');
        return r;
      }
      const name = `${file.split('/').pop()}:${r.line}`;
      const fresh = r.addresses.filter((a) => !bps.some((b) => b.addr === a)).map((addr) => ({ addr, label: name, line: { file, line: r.line! } }));
      set({ breakpoints: [...get().breakpoints, ...fresh] });
      return r;
    } catch (e) {
      get().reportError(e, `Cannot set a breakpoint at ${file}:${line}`);
      return null;
    }
  },

  sourceViewUpdate(view, moved) {
    const s = get();
    const image = s.info?.guestImageSha256 ?? null;
    const update: Partial<Store> = {};
    if (image !== s.sourceImage) Object.assign(update, { sourceImage: image, sourceFiles: {}, sourceShown: null });
    if (view.source) Object.assign(update, { sourceAt: view.source, sourceAtIcount: view.state.icount });
    if (view.stack) Object.assign(update, { stack: view.stack, stackAt: view.state.icount });
    // A refresh (no move) answers with frame 0's variables: keep another selected frame's.
    if (view.variables && (moved || view.variables.frame === s.selectedFrame)) update.variables = view.variables;
    // A move shows the new pc's frame: a picked file or frame was about the old position.
    if (moved) {
      Object.assign(update, { selectedFrame: view.variables?.frame ?? 0, sourceShown: null });
    }
    // Expanded variables follow the variables (a scrubbing move has none: the settle brings them).
    if (view.variables && s.stackAt !== view.state.icount && Object.keys(s.expandedVariables).length > 0) {
      queueMicrotask(() => { void get().refreshExpanded(); });
    }
    const loc = view.source?.location;
    if (loc && (update.sourceFiles ?? s.sourceFiles)[loc.file] === undefined) queueMicrotask(() => { void get().loadSourceFile(loc.file); });
    return update;
  },
});
