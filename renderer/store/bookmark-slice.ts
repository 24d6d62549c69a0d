// Bookmarks: named positions of one recording, shown in the timeline's Bookmarks lane.
//
// Persisted in the browser's localStorage, keyed by the recording's guest image hash and length:
// the renderer has no file access (DESIGN.md section 2), and a recording has no path in the
// browser host, so its identity is what the host reports about it (`recordingInfo`).

import type { SliceCreator, Store } from './types.js';
import { recordingKey } from './timeline-view-slice.js';

export interface Bookmark {
  readonly id: string;
  readonly icount: number;
  readonly name: string;
}

export interface BookmarkSlice {
  /** The bookmarks of recording `key`, sorted by position (see `bookmarkSelectors.list`). */
  bookmarks: { readonly key: string; readonly items: readonly Bookmark[] } | null;
  /** The bookmark whose name is being edited (a new one starts so). */
  editingBookmark: string | null;
  /** Reads the open recording's bookmarks from storage (on opening it). */
  loadBookmarks(): void;
  /** A bookmark at `icount` (default: the position shown); returns its id, null with no recording. Without a name it opens for editing. */
  addBookmark(icount?: number, name?: string): string | null;
  renameBookmark(id: string, name: string): void;
  removeBookmark(id: string): void;
  editBookmark(id: string | null): void;
}

export const STORAGE_PREFIX = 'hindsight.bookmarks.';

/** localStorage when there is one (not in unit tests under Node unless stubbed). */
function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage blocked (a privacy setting): bookmarks live for the session only.
    return null;
  }
}

function read(key: string): Bookmark[] {
  try {
    const raw = storage()?.getItem(STORAGE_PREFIX + key);
    const data: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(data)) return [];
    // Stored by an older or hand-edited copy: keep only well-formed entries.
    return data.filter((b): b is Bookmark => typeof b === 'object' && b !== null && typeof (b as Bookmark).id === 'string'
      && Number.isFinite((b as Bookmark).icount) && typeof (b as Bookmark).name === 'string')
      .sort((a, b) => a.icount - b.icount);
  } catch {
    return [];
  }
}

function write(key: string, items: readonly Bookmark[]): void {
  try {
    const st = storage();
    if (!st) return;
    if (items.length) st.setItem(STORAGE_PREFIX + key, JSON.stringify(items));
    else st.removeItem(STORAGE_PREFIX + key);
  } catch {
    // Quota or blocked storage: the bookmarks still work until the page is closed.
  }
}

let serial = 0;
const newId = (): string => `${Date.now().toString(36)}-${(serial++).toString(36)}`;

const EMPTY: readonly Bookmark[] = [];

export const createBookmarkSlice: SliceCreator<BookmarkSlice> = (set, get) => {
  /** The open recording's list (loaded on first use) and its key. */
  const currentList = (): { key: string; items: readonly Bookmark[] } | null => {
    const s = get();
    const key = recordingKey(s.info);
    if (key === null) return null;
    return s.bookmarks?.key === key ? s.bookmarks : { key, items: read(key) };
  };
  const save = (key: string, items: readonly Bookmark[]): void => {
    const sorted = [...items].sort((a, b) => a.icount - b.icount);
    write(key, sorted);
    set({ bookmarks: { key, items: sorted } });
  };
  return {
    bookmarks: null,
    editingBookmark: null,
    loadBookmarks() {
      const key = recordingKey(get().info);
      set({ bookmarks: key === null ? null : { key, items: read(key) }, editingBookmark: null });
    },
    addBookmark(icount, name) {
      const list = currentList();
      if (!list) return null;
      const s = get();
      const at = Math.max(0, Math.min(s.info?.end ?? 0, Math.round(icount ?? s.pendingIcount ?? s.state?.icount ?? 0)));
      const id = newId();
      save(list.key, [...list.items, { id, icount: at, name: name ?? `Bookmark ${list.items.length + 1}` }]);
      // An unnamed one opens for naming (the button, the B key).
      if (name === undefined) set({ editingBookmark: id });
      return id;
    },
    renameBookmark(id, name) {
      const list = currentList();
      if (!list) return;
      const trimmed = name.trim();
      // An emptied name keeps the old one: a bookmark is always findable by its label.
      save(list.key, list.items.map((b) => (b.id === id && trimmed ? { ...b, name: trimmed } : b)));
    },
    removeBookmark(id) {
      const list = currentList();
      if (!list) return;
      save(list.key, list.items.filter((b) => b.id !== id));
      if (get().editingBookmark === id) set({ editingBookmark: null });
    },
    editBookmark(id) {
      set({ editingBookmark: id });
    },
  };
};

export const bookmarkSelectors = {
  /** The open recording's bookmarks by position (a stable empty list otherwise). */
  list: (s: Store): readonly Bookmark[] => (s.bookmarks && s.bookmarks.key === recordingKey(s.info) ? s.bookmarks.items : EMPTY),
};
