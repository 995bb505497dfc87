/**
 * The sandboxed preload: exposes exactly one object, `window.flowscope`, a Transport over IPC
 * (src/preload/ipc-transport.ts). Never ipcRenderer itself. Built as one self-contained CommonJS
 * file (electron.vite.config.ts), because a sandboxed preload can require only electron.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createIpcTransport } from './ipc-transport.js';

contextBridge.exposeInMainWorld('flowscope', createIpcTransport(ipcRenderer));
