/**
 * Electron main entry: the core's Monitor hosted by the desktop shell (src/main/app.ts).
 * The core's log lines go to stdout; they carry no secrets (src/core/monitor.ts invariant).
 */
import { Monitor } from '../core/monitor.js';
import { runDesktopApp } from './app.js';

runDesktopApp((options) => Monitor.start({ ...options, log: (line) => console.log(`[flowscope] ${line}`) }));
