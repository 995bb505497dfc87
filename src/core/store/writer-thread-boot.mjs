// Source mode only (tsx, vitest): a worker thread does not inherit the TypeScript loader of the
// thread that starts it, so register tsx here, then load the real entry (writer-thread.ts).
// A bundled build starts writer-thread.js directly and never loads this file.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
