// The recording's USB transfers as the USB panel and the timeline's USB lane share them: the
// filter, the rows loaded so far (pages of the filtered list, fetched as the table scrolls), the
// selected transfer (by number, so the lane and the table agree whatever the filter), the transfer
// current at the position, and the selected one's full data for the hex dump.
//
// Position follow-ups are coalesced like seeks: at most one `at` query in flight, latest wins, so
// dragging the scrubber never queues USB requests behind the seeks.

import type { UsbEndpointDto, UsbTransferDto, UsbTransferFilter, UsbTransferPage } from '../../app/protocol/index.js';
import { host } from './host.js';
import type { SliceCreator } from './types.js';

export const USB_PAGE = 100;
/** Bytes of the selected transfer the hex dump shows. */
export const USB_DUMP_BYTES = 4096;

export interface UsbSlice {
  usbFilter: UsbTransferFilter;
  /** Rows the filter lets through, or null before the first answer. */
  usbTotal: number | null;
  usbRecorded: number;
  usbEndpoints: readonly UsbEndpointDto[];
  /** Loaded rows of the filtered list, by row. */
  usbRows: ReadonlyMap<number, UsbTransferDto>;
  /** The selected transfer's number (the lane highlights it) and its row under the filter (null: hidden). */
  usbSelected: number | null;
  usbSelectedRow: number | null;
  /** The transfer current at the position: the last one issued at or before it. */
  usbCurrent: { readonly row: number; readonly number: number } | null;
  /** The selected transfer with up to USB_DUMP_BYTES of data, when its hex dump is open. */
  usbDetail: UsbTransferDto | null;
  usbDetailOpen: boolean;
  /** Forgets everything (another recording) and loads the first page. */
  usbReload(): Promise<void>;
  usbSetFilter(filter: UsbTransferFilter): Promise<void>;
  /** Makes sure rows [start, start + count) are loaded. */
  usbEnsureRows(start: number, count: number): void;
  /** Selects transfer `number` (from the lane or the table) and finds its row. */
  usbSelect(number: number): Promise<void>;
  usbFollow(icount: number): void;
  usbToggleDetail(): void;
}

export const createUsbSlice: SliceCreator<UsbSlice> = (set, get) => {
  const loading = new Set<number>();
  /** Bumped on reload and filter changes: answers to older requests are dropped. */
  let generation = 0;
  let followTarget: number | null = null;
  let followInFlight = false;

  const filterNow = (): UsbTransferFilter => get().usbFilter;

  function absorb(page: UsbTransferPage, gen: number): void {
    if (gen !== generation) return;
    const rows = new Map(get().usbRows);
    page.transfers.forEach((t, i) => rows.set(page.start + i, t));
    set({ usbRows: rows, usbTotal: page.total, usbRecorded: page.recorded, usbEndpoints: page.endpoints });
  }

  async function loadPage(pageNo: number): Promise<void> {
    if (loading.has(pageNo)) return;
    loading.add(pageNo);
    const gen = generation;
    try {
      absorb(await host().call('usbTransfers', { filter: filterNow(), start: pageNo * USB_PAGE, limit: USB_PAGE }), gen);
    } catch (e) {
      get().reportError(e, 'Could not load the USB transfers');
    } finally {
      if (gen === generation) loading.delete(pageNo);
    }
  }

  async function locate(gen: number): Promise<void> {
    const n = get().usbSelected;
    if (n === null) { set({ usbSelectedRow: null }); return; }
    const p = await host().call('usbTransfers', { filter: filterNow(), limit: 0, locate: n, ...(get().state ? { at: get().state!.icount } : {}) });
    if (gen !== generation) return;
    set({ usbSelectedRow: p.located, usbCurrent: p.at, usbTotal: p.total, usbRecorded: p.recorded, usbEndpoints: p.endpoints });
    if (p.located !== null) get().usbEnsureRows(p.located, 1);
  }

  async function loadDetail(): Promise<void> {
    const n = get().usbSelected;
    if (n === null || !get().usbDetailOpen) return;
    try {
      const t = await host().call('usbTransfer', { number: n, dataBytes: USB_DUMP_BYTES });
      if (get().usbSelected === n) set({ usbDetail: t });
    } catch (e) {
      get().reportError(e, 'Could not load the USB transfer');
    }
  }

  async function follow(): Promise<void> {
    if (followInFlight || followTarget === null) return;
    const at = followTarget;
    followTarget = null;
    followInFlight = true;
    const gen = generation;
    try {
      const p = await host().call('usbTransfers', { filter: filterNow(), limit: 0, at });
      if (gen === generation) set({ usbCurrent: p.at, usbTotal: p.total, usbRecorded: p.recorded, usbEndpoints: p.endpoints });
    } catch (e) {
      get().reportError(e, 'Could not find the USB transfer at this position');
    } finally {
      followInFlight = false;
    }
    await follow();
  }

  return {
    usbFilter: {},
    usbTotal: null,
    usbRecorded: 0,
    usbEndpoints: [],
    usbRows: new Map(),
    usbSelected: null,
    usbSelectedRow: null,
    usbCurrent: null,
    usbDetail: null,
    usbDetailOpen: false,

    async usbReload() {
      generation++;
      loading.clear();
      set({ usbFilter: {}, usbTotal: null, usbRecorded: 0, usbEndpoints: [], usbRows: new Map(), usbSelected: null, usbSelectedRow: null, usbCurrent: null, usbDetail: null });
      await loadPage(0);
    },

    async usbSetFilter(filter) {
      const gen = ++generation;
      loading.clear();
      set({ usbFilter: filter, usbRows: new Map(), usbTotal: null });
      try {
        await Promise.all([loadPage(0), locate(gen)]);
      } catch (e) {
        get().reportError(e, 'Could not filter the USB transfers');
      }
    },

    usbEnsureRows(start, count) {
      const total = get().usbTotal;
      if (total === null || count <= 0) return;
      const rows = get().usbRows;
      const first = Math.floor(Math.max(0, start) / USB_PAGE);
      const last = Math.floor(Math.min(total - 1, start + count - 1) / USB_PAGE);
      for (let p = first; p <= last; p++) {
        const lo = p * USB_PAGE, hi = Math.min(total, lo + USB_PAGE);
        let missing = false;
        for (let r = lo; r < hi && !missing; r++) missing = !rows.has(r);
        if (missing) void loadPage(p);
      }
    },

    async usbSelect(number) {
      set({ usbSelected: number, usbDetail: null });
      try {
        await Promise.all([locate(generation), loadDetail()]);
      } catch (e) {
        get().reportError(e, 'Could not find the USB transfer');
      }
    },

    usbFollow(icount) {
      // Nothing recorded: nothing can be current (and scrubbing should not pay a round trip for it).
      if (get().usbRecorded === 0 && get().usbTotal !== null) return;
      followTarget = icount;
      void follow();
    },

    usbToggleDetail() {
      set({ usbDetailOpen: !get().usbDetailOpen });
      if (get().usbDetailOpen) void loadDetail();
    },
  };
};

/** Reads of the USB slice for the panel and the lane. */
export const usbSelectors = {
  selected: (s: { usbSelected: number | null }): number | null => s.usbSelected,
  current: (s: { usbCurrent: UsbSlice['usbCurrent'] }): number | null => s.usbCurrent?.number ?? null,
  /** The selected transfer's row if loaded (for its icounts). */
  selectedTransfer: (s: UsbSlice): UsbTransferDto | null =>
    s.usbSelectedRow === null ? null : s.usbRows.get(s.usbSelectedRow) ?? (s.usbDetail?.number === s.usbSelected ? s.usbDetail : null),
};
