import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RecordingInfo } from '../../app/protocol/index.js';
import { createHindsightStore } from './index.js';
import { STORAGE_PREFIX, bookmarkSelectors } from './bookmark-slice.js';

/** A Map-backed localStorage (unit tests run under Node). */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() { return m.size; },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => { m.delete(k); },
    setItem: (k, v) => { m.set(k, String(v)); },
  };
}

const info = (end: number, sha = 'feed'): RecordingInfo => ({ end, guestImageSha256: sha } as unknown as RecordingInfo);

describe('the bookmark slice', () => {
  beforeEach(() => { vi.stubGlobal('localStorage', memoryStorage()); });
  afterEach(() => { vi.unstubAllGlobals(); });

  it('adds at the position shown, renames, deletes, and keeps them sorted', () => {
    const store = createHindsightStore();
    store.setState({ info: info(1000), pendingIcount: 700 });
    const a = store.getState().addBookmark()!;
    expect(store.getState().editingBookmark).toBe(a);
    store.getState().addBookmark(200, 'early');
    expect(bookmarkSelectors.list(store.getState()).map((b) => [b.icount, b.name])).toEqual([[200, 'early'], [700, 'Bookmark 1']]);
    store.getState().renameBookmark(a, '  the fault  ');
    store.getState().renameBookmark(a, '   ');
    expect(bookmarkSelectors.list(store.getState())[1]!.name).toBe('the fault');
    store.getState().removeBookmark(a);
    expect(bookmarkSelectors.list(store.getState()).map((b) => b.name)).toEqual(['early']);
    expect(store.getState().editingBookmark).toBeNull();
    // Clamped to the recording.
    store.getState().addBookmark(5000, 'late');
    expect(bookmarkSelectors.list(store.getState())[1]!.icount).toBe(1000);
  });

  it('persists per recording (guest image hash and end) and reloads', () => {
    const one = createHindsightStore();
    one.setState({ info: info(1000) });
    one.getState().addBookmark(10, 'x');
    expect(localStorage.getItem(`${STORAGE_PREFIX}feed:1000`)).toContain('"x"');

    const two = createHindsightStore();
    two.setState({ info: info(1000) });
    two.getState().loadBookmarks();
    expect(bookmarkSelectors.list(two.getState()).map((b) => b.name)).toEqual(['x']);
    // Another recording (same image, other length) has its own list.
    two.setState({ info: info(2000) });
    expect(bookmarkSelectors.list(two.getState())).toEqual([]);
    two.getState().loadBookmarks();
    expect(bookmarkSelectors.list(two.getState())).toEqual([]);
  });

  it('ignores malformed stored data', () => {
    localStorage.setItem(`${STORAGE_PREFIX}feed:1000`, '[{"id":1},{"id":"ok","icount":5,"name":"n"}]');
    const store = createHindsightStore();
    store.setState({ info: info(1000) });
    store.getState().loadBookmarks();
    expect(bookmarkSelectors.list(store.getState()).map((b) => b.id)).toEqual(['ok']);
    localStorage.setItem(`${STORAGE_PREFIX}feed:1000`, 'not json');
    store.getState().loadBookmarks();
    expect(bookmarkSelectors.list(store.getState())).toEqual([]);
  });
});
