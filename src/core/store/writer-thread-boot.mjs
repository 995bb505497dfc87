// Source mode only (tsx, vitest): a worker thread does not inherit the TypeScript loader of the
// thread that starts it, so register tsx here, then load the real entry (writer-thread.ts).
// A bundled build starts writer-thread.js directly and never loads this file. If loading fails,
// say so through the shared state, so the thread that waits for it learns why at once.
import { workerData } from 'node:worker_threads';

try {
  const { register } = await import('tsx/esm/api');
  register();
  await import(workerData.entry);
} catch (error) {
  workerData.setup.postMessage({ name: 'Error', message: `the store writer could not load: ${error?.message ?? error}`, storeWide: true });
  const state = new Int32Array(workerData.state);
  Atomics.store(state, 0, 2); // WriterState.openFailed
  Atomics.notify(state, 0);
  throw error;
}
