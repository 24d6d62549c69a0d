// Electron preload (bundled as dist/preload.cjs: a sandboxed preload is one CommonJS file and may
// require only `electron`). Exposes the typed NativeApi (ipc/contract.ts) as window.hindsightNative
// and nothing else: no ipcRenderer, no Node.

import { contextBridge, ipcRenderer } from 'electron';
import { NATIVE_API_GLOBAL } from './ipc/contract.js';
import { createNativeApi } from './ipc/preload-api.js';

contextBridge.exposeInMainWorld(NATIVE_API_GLOBAL, createNativeApi(ipcRenderer));
