// The memory panel: which rows of the 32-bit address space are on screen, the bytes read for them
// (a window a little larger than the screen), the go-to target, and what to highlight: after a step
// the RAM the instruction wrote (the host names it exactly: stores of an unchanged value too, and
// DMA apart), after any other move the bytes that differ from the position shown before.
//
// Reads while scrolling are coalesced like seeks: at most one readMemory in flight, and only the
// latest window is asked for when it returns. A move's view request carries the current window
// (`memAddr`/`memLen`, see view-request.ts), so moving costs no extra round trip.

import type { MachineView, MemoryDto, RamWriteDto } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator, Store } from './types.js';

export const MEMORY_BYTES_PER_ROW = 16;
/** Rows in the whole 32-bit address space (0x00000000 .. 0xfffffff0). */
export const MEMORY_ROW_COUNT = 2 ** 32 / MEMORY_BYTES_PER_ROW;
/** Rows read beyond each edge of the screen, so small scrolls need no read. */
export const MEMORY_MARGIN_ROWS = 32;
/** The host's readMemory limit (64 KiB). */
const MAX_READ = 64 * 1024;

/**
 * What the highlighted bytes mean: 'written' after a step (the bytes the host says the instruction
 * wrote, exactly), 'changed' after any other move (values compared with the position shown before).
 */
export type MemoryDiffKind = 'written' | 'changed';

/** The RAM a step wrote (MachineView.writes) and the position the step reached. */
export interface MemoryWrites { readonly icount: number; readonly writes: readonly RamWriteDto[] }

export interface MemoryTarget { readonly addr: number; readonly len: number; readonly label: string | null }

export interface MemorySlice {
  /** The window read with every move: its first address and length (null: no window yet). */
  memAddr: number | null;
  memLen: number;
  memLabel: string | null;
  /** The first row on screen and how many fit (the panel reports its height). */
  memTopRow: number;
  memVisibleRows: number;
  /** The last go-to: highlighted in the panel. */
  memTarget: MemoryTarget | null;
  memory: MemoryDto | null;
  /** The position `memory` was read at. */
  memIcount: number | null;
  /** The bytes at the position shown before (for highlighting), and that position. */
  prevMemory: MemoryDto | null;
  prevMemIcount: number | null;
  /** What the last step wrote, while the position is the one it reached (null: the last move was no step). */
  memWrites: MemoryWrites | null;
  /** Resolves an address, "0x..", decimal, a symbol or "symbol+off", scrolls there and highlights it. */
  showMemory(expr: string): Promise<void>;
  /** The panel scrolled (or resized): reads the new window if the rows on screen are not read yet. */
  scrollMemory(topRow: number, visibleRows?: number): void;
  /** Shows the stack (from sp) once the first view has arrived, so the panel starts on real memory. */
  showStackOnce(): void;
  /** The part of applyView that concerns memory (the position slice calls it). */
  memoryViewUpdate(view: MachineView, moved: boolean): Partial<Store>;
}

/** Clamps a top row so the last screenful ends at the last row. */
export function clampTopRow(top: number, visibleRows: number): number {
  const max = Math.max(0, MEMORY_ROW_COUNT - Math.max(1, visibleRows));
  return Math.max(0, Math.min(max, Math.round(top)));
}

/** The window read for a screen at `topRow`: the rows on screen plus a margin, within 0..2^32 and 64 KiB. */
export function memoryWindow(topRow: number, visibleRows: number): { addr: number; len: number } {
  const first = Math.max(0, topRow - MEMORY_MARGIN_ROWS);
  const maxRows = MAX_READ / MEMORY_BYTES_PER_ROW;
  const end = Math.min(MEMORY_ROW_COUNT, topRow + visibleRows + MEMORY_MARGIN_ROWS, first + maxRows);
  return { addr: first * MEMORY_BYTES_PER_ROW, len: (end - first) * MEMORY_BYTES_PER_ROW };
}

/** The byte at `addr` in `m`: a number, null (unmapped or a device), or undefined (not read). */
export function byteAt(m: MemoryDto | null, addr: number): number | null | undefined {
  if (!m) return undefined;
  const i = addr - m.addr;
  return i >= 0 && i < m.bytes.length ? m.bytes[i] : undefined;
}

type HighlightState = Pick<MemorySlice, 'memWrites' | 'memIcount' | 'prevMemIcount'>;

/** The writes of the step that reached the memory shown, or null (then only values can be compared). */
export function shownWrites(s: HighlightState): readonly RamWriteDto[] | null {
  return s.memWrites !== null && s.memWrites.icount === s.memIcount ? s.memWrites.writes : null;
}

/**
 * 'written' when the memory shown is what a step reached and the host named its writes; 'changed'
 * when there is a position shown before to compare with (a seek, step back, continue, or a step of
 * a host that names no writes: a difference then is only a difference, whoever made it); else null.
 */
export function memoryDiffKind(s: HighlightState): MemoryDiffKind | null {
  if (shownWrites(s) !== null) return 'written';
  return s.prevMemIcount !== null && s.memIcount !== null ? 'changed' : null;
}

/** Who wrote `addr` in these writes: 'dma' when a device did (also when the CPU did too), else 'cpu', or null. */
export function writerAt(writes: readonly RamWriteDto[], addr: number): 'cpu' | 'dma' | null {
  let who: 'cpu' | 'dma' | null = null;
  for (const w of writes) {
    if (addr >= w.addr && addr < w.addr + w.len) {
      if (w.writer === 'dma') return 'dma';
      who = 'cpu';
    }
  }
  return who;
}

/** How one byte is highlighted, and its value at the position shown before (undefined: not known). */
export interface ByteMark { readonly kind: MemoryDiffKind; readonly writer: 'cpu' | 'dma' | null; readonly was: number | null | undefined }

/**
 * The highlight of the byte at `addr`: with writes, exactly the bytes written (an unchanged value
 * too); otherwise a byte whose value differs from the position shown before. Null: not highlighted.
 */
export function byteMark(kind: MemoryDiffKind | null, writes: readonly RamWriteDto[] | null, memory: MemoryDto | null, prev: MemoryDto | null, addr: number): ByteMark | null {
  if (kind === null) return null;
  const was = byteAt(prev, addr);
  if (kind === 'written' && writes !== null) {
    const writer = writerAt(writes, addr);
    return writer === null ? null : { kind, writer, was };
  }
  const b = byteAt(memory, addr);
  return b !== undefined && was !== undefined && was !== b ? { kind: 'changed', writer: null, was } : null;
}

/** "sym+off" is split here (the host's resolve knows symbols and numbers, not sums). */
function splitOffset(expr: string): { base: string; off: number } {
  const m = /^(.+?)\s*\+\s*(0x[0-9a-f]+|\d+)$/i.exec(expr);
  return m ? { base: m[1]!, off: Number(m[2]) } : { base: expr, off: 0 };
}

export const createMemorySlice: SliceCreator<MemorySlice> = (set, get, api) => {
  /** The latest window asked for and not sent yet. */
  let wanted: { addr: number; len: number } | null = null;
  let inFlight = false;

  function covered(s: Store): boolean {
    const m = s.memory;
    if (!m || s.state === null || s.memIcount !== s.state.icount) return false;
    const first = s.memTopRow * MEMORY_BYTES_PER_ROW;
    const end = Math.min(MEMORY_ROW_COUNT, s.memTopRow + s.memVisibleRows) * MEMORY_BYTES_PER_ROW;
    return m.addr <= first && m.addr + m.bytes.length >= end;
  }

  async function pump(): Promise<void> {
    if (inFlight || wanted === null) return;
    const w = wanted;
    wanted = null;
    inFlight = true;
    const sentAt = get().state?.icount ?? null;
    try {
      const memory = await host().call('readMemory', w);
      // A move answered meanwhile: this read may be of either position, so it is not shown.
      if (get().state?.icount === sentAt) set({ memory, memIcount: sentAt });
    } catch (e) {
      get().reportError(e);
    } finally {
      inFlight = false;
    }
    if (wanted === null && !covered(get()) && get().memAddr !== null) wanted = { addr: get().memAddr!, len: get().memLen };
    if (wanted !== null) await pump();
  }

  return {
    memAddr: null,
    memLen: 0,
    memLabel: null,
    memTopRow: 0,
    memVisibleRows: 16,
    memTarget: null,
    memory: null,
    memIcount: null,
    prevMemory: null,
    prevMemIcount: null,
    memWrites: null,

    showStackOnce() {
      const unsubscribe = api.subscribe((s) => {
        const sp = s.state?.registers[2]?.value;
        if (sp === undefined) return;
        unsubscribe();
        if (get().memAddr === null) void get().showMemory(`0x${sp.toString(16)}`).then(() => set({ memLabel: 'sp' }));
      });
    },

    async showMemory(expr) {
      try {
        const { base, off } = splitOffset(expr.trim());
        const r = await host().call('resolve', { expr: base });
        const addr = (r.addr + off) >>> 0;
        const label = off ? `${r.symbol ?? base}+0x${off.toString(16)}` : r.symbol;
        // A few rows above the target, so what precedes it is visible too.
        const top = Math.floor(addr / MEMORY_BYTES_PER_ROW) - 2;
        set({ memLabel: label, memTarget: { addr, len: off ? 1 : r.len, label }, error: null });
        get().scrollMemory(top);
      } catch (e) {
        get().reportError(e);
      }
    },

    scrollMemory(topRow, visibleRows) {
      const rows = Math.max(1, visibleRows ?? get().memVisibleRows);
      const top = clampTopRow(topRow, rows);
      const w = memoryWindow(top, rows);
      set({ memTopRow: top, memVisibleRows: rows });
      if (covered(get())) return;
      set({ memAddr: w.addr, memLen: w.len });
      wanted = w;
      void pump();
    },

    memoryViewUpdate(view, moved) {
      const s = get();
      // A step names what it wrote; any other move forgets it (a view of the same position keeps it).
      const memWrites = view.writes ? { icount: view.state.icount, writes: view.writes } : moved ? null : s.memWrites;
      if (!view.memory) return { memWrites };
      // The previous position's icount only with its bytes: after a reset (a new recording) both go.
      const prevMemory = moved ? s.memory : s.prevMemory;
      const prevMemIcount = moved ? s.memIcount : s.prevMemIcount;
      return { memory: view.memory, memIcount: view.state.icount, prevMemory, prevMemIcount: prevMemory ? prevMemIcount : null, memWrites };
    },
  };
};
