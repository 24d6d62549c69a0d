// The file actions without a browser: an open that would replace an unsaved scratch recording
// waits for the user; "Save As" first lets it go ahead; an existing save target asks before
// replacing; a failed open reports a titled error and changes nothing else.

import { describe, expect, it } from 'vitest';
import type { RecordingInfo, ServiceName } from '../../app/protocol/index.js';
import { BridgeError, type HostBridge } from '../bridge/bridge.js';
import { setHost } from './host.js';
import { createHindsightStore } from './index.js';
import { fakeBridge } from '../bridge/testing/fake-bridge.js';

const scratch = { path: '/tmp/scratch/recording-1.hsrec', origin: 'recorded', guestImageName: 'shell.elf', end: 100 } as RecordingInfo;

/** A host that records calls; `fail` makes a method answer with that error. */
function fakeHost(fail: Partial<Record<ServiceName, BridgeError>> = {}): { bridge: HostBridge; calls: [ServiceName, unknown][] } {
  const calls: [ServiceName, unknown][] = [];
  const bridge = fakeBridge((method: ServiceName, params: { path?: string; overwrite?: boolean }) => {
    calls.push([method, params]);
    const err = fail[method];
    if (err && !(method === 'saveRecordingAs' && params.overwrite)) return Promise.reject(err);
    if (method === 'saveRecordingAs') return Promise.resolve({ ...scratch, path: params.path, origin: 'file' });
    if (method === 'recentFiles') return Promise.resolve([]);
    return Promise.resolve({ ...scratch, path: params.path, origin: 'file' });
  });
  return { bridge, calls };
}

const opens = (calls: [ServiceName, unknown][]) => calls.filter(([m]) => m === 'openRecording' || m === 'openElf' || m === 'saveRecordingAs');

describe('files slice', () => {
  it('asks before replacing an unsaved recording; Save As first, then the open goes ahead', async () => {
    const host = fakeHost();
    setHost(host.bridge);
    const store = createHindsightStore();
    store.setState({ info: scratch });
    expect(await store.getState().openRecording('/data/a.hsrec')).toBe(false);
    expect(store.getState().replacePending).toEqual({ kind: 'recording', path: '/data/a.hsrec' });
    expect(opens(host.calls)).toEqual([]);
    store.getState().cancelReplace();
    expect(store.getState().replacePending).toBeNull();

    await store.getState().openElf('/fw/x.elf');
    expect(await store.getState().saveRecordingAs('/data/kept.hsrec')).toBe(true);
    expect(opens(host.calls)).toEqual([['saveRecordingAs', { path: '/data/kept.hsrec' }], ['openElf', { path: '/fw/x.elf' }]]);
    expect(store.getState().replacePending).toBeNull();
    expect(store.getState().notice).toBe('Saved as /data/kept.hsrec');
  });

  it('opens a saved recording at once, asks before overwriting, and reports failures with a title', async () => {
    const host = fakeHost({
      saveRecordingAs: new BridgeError({ code: 'bad-file', message: '/d/x.hsrec: already exists (confirm replacing it, or choose another name)' }),
      openRecording: new BridgeError({ code: 'bad-file', message: '/d/t.hsrec: the recording is truncated' }),
    });
    setHost(host.bridge);
    const store = createHindsightStore();
    const saved = { ...scratch, origin: 'file' as const, path: '/d/s.hsrec' };
    store.setState({ info: saved });
    expect(await store.getState().saveRecordingAs('/d/x.hsrec')).toBe(false);
    expect(store.getState().overwritePending).toBe('/d/x.hsrec');
    expect(store.getState().error).toBeNull();
    expect(await store.getState().saveRecordingAs('/d/x.hsrec', { overwrite: true })).toBe(true);
    expect(store.getState().overwritePending).toBeNull();

    expect(await store.getState().openRecording('/d/t.hsrec')).toBe(false);
    expect(store.getState()).toMatchObject({ errorTitle: 'Cannot open the recording t.hsrec', error: '/d/t.hsrec: the recording is truncated', replacePending: null });
    expect(store.getState().info?.path).toBe('/d/x.hsrec');
  });
});
