/**
 * Helpers for store tests: real SQLite files in a fresh temp directory per test, removed after.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { IngestBatch } from '../../../src/core/receiver/ingest-port.js';
import { EventStore, type EventStoreOptions } from '../../../src/core/store/event-store.js';
import type { RejectedEvent } from '../../../src/shared/studio-event.js';
import { parseAll } from '../../shared/studio-fixtures.js';

const dirs: string[] = [];
const stores: EventStore[] = [];

afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-store-'));
  dirs.push(dir);
  return dir;
}

/** Both places the store's writes can run (store-writer.ts): suites that matter run against each. */
export const WRITER_MODES = [
  { name: 'writes on this thread', writerThread: false },
  { name: 'writes in a writer thread', writerThread: true },
] as const;

let modeOptions: EventStoreOptions = {};

/** Makes openStore use this writer mode in the tests of the enclosing describe. */
export function withWriterMode(writerThread: boolean): void {
  beforeEach(() => {
    modeOptions = { writerThread };
  });
  afterEach(() => {
    modeOptions = {};
  });
}

/** Opens a store (closed automatically after the test). */
export function openStore(dataDir: string = tempDir(), options: EventStoreOptions = {}): EventStore {
  const store = EventStore.open(dataDir, { ...modeOptions, ...options });
  stores.push(store);
  return store;
}

export const RECEIVED_AT = new Date('2025-01-01T12:00:00.000Z');

/** An ingest batch of wire events (parsed as the receiver would). */
export function batchOf(rawEvents: readonly unknown[], rejected: RejectedEvent[] = [], receivedAt = RECEIVED_AT): IngestBatch {
  return { accepted: parseAll(rawEvents), rejected, receivedAt };
}
