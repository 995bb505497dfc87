/**
 * Streams a Flowscope export document (src/shared/export-format.ts) out of the store.
 *
 * Invariants:
 * - Consistent: the whole document is read from one read snapshot (EventStore.withReadSnapshot),
 *   the store as it was when writeExport was called. Ingest keeps committing during an export, and
 *   without the snapshot an execution whose `started` arrived mid-export would move in the sort
 *   order under the keyset cursor and be written twice (or missed). The snapshot is released when
 *   the export settles, including when the sink fails (a download cancelled, a disk full).
 * - Streams: executions are read a page at a time (keyset cursor) and written one by one, with the
 *   destination's backpressure respected, so exporting a million events holds one page in memory.
 * - Yields to the event loop after every page, even when the sink never pushes back (a function
 *   that resolves at once): the store's reads are synchronous, and a long export must not keep
 *   the receiver from answering Twilio (5 s) or the UI from being served. What a page produced is
 *   handed to the sink before that yield (and whenever ~64 KB are gathered).
 * - `exportToString` is for small exports only: beyond MAX_EXPORT_STRING_CHARS it throws
 *   ExportTooLargeError rather than build a string near V8's limit.
 * - Only events and what is derived from them (summary, steps) are written; raw events are copied
 *   as stored, byte for byte. The store holds no credentials, so an export cannot carry one.
 * - Events of no execution go to `otherEvents`, never into an execution; they are included by
 *   default only when the filter is empty (a filtered export is about the executions it selects).
 */
import type { ExecutionFilter } from '../../shared/contract.js';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../../shared/export-format.js';
import type { EventStore } from './event-store.js';
import type { ReadSnapshot } from './read-snapshot.js';

/** A writable stream (backpressure via `drain`) or an async function taking each chunk. */
export type ExportSink = NodeJS.WritableStream | ((chunk: string) => Promise<void>);

export interface ExportOptions {
  /** Default: true when the filter is empty. */
  includeOtherEvents?: boolean;
  /** The `exportedAt` time (default: now). */
  now?: Date;
  /** Executions read per page (default 100). */
  pageSize?: number;
}

export interface ExportCounts {
  executions: number;
  events: number;
  otherEvents: number;
}

const FLUSH_CHARS = 64 * 1024;
const OTHER_EVENTS_PAGE = 1_000;

/** 64 Mi characters: far below V8's string limit (~512 Mi), and a bearable single message. */
export const MAX_EXPORT_STRING_CHARS = 64 * 1024 * 1024;

/** exportToString's refusal: the document would be too big to hold as one string. */
export class ExportTooLargeError extends Error {
  constructor(readonly limitChars: number) {
    super(
      `The export is larger than ${Math.round(limitChars / (1024 * 1024))} MiB of text, too big to build in memory: ` +
        'use a streaming export (the UI\'s download, the desktop save dialog or `npm run export`), or export fewer executions.',
    );
    this.name = 'ExportTooLargeError';
  }
}

/** Lets pending I/O (webhook deliveries, UI requests) run between two synchronous page reads. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes the export document for `filter` to `out`, as the store is at this call (its snapshot is
 * taken before this returns). Does not end a stream; the caller does. Rejects with
 * StoreUnavailableError when the store is closed, before or during the export.
 */
export function writeExport(
  store: Pick<EventStore, 'withReadSnapshot'>,
  filter: ExecutionFilter,
  out: ExportSink,
  options: ExportOptions = {},
): Promise<ExportCounts> {
  return store.withReadSnapshot((snapshot) => writeDocument(snapshot, filter, out, options));
}

async function writeDocument(
  snapshot: ReadSnapshot,
  filter: ExecutionFilter,
  out: ExportSink,
  options: ExportOptions,
): Promise<ExportCounts> {
  const writer = new BufferedWriter(sinkFunction(out));
  const counts: ExportCounts = { executions: 0, events: 0, otherEvents: 0 };
  const head = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: (options.now ?? new Date()).toISOString(),
    filter,
  };
  await writer.write(`${JSON.stringify(head).slice(0, -1)},\n"executions":[`);
  let cursor = null;
  do {
    const page = snapshot.pageExecutions(filter, cursor, options.pageSize ?? 100);
    for (const summary of page.items) {
      const execution = snapshot.getExecutionWithRawEvents(summary.executionSid);
      if (execution === null) continue; // defensive: within one snapshot, a listed execution has events
      const { tree, rawEvents } = execution;
      const prefix = counts.executions === 0 ? '\n' : ',\n';
      await writer.write(
        `${prefix}{"summary":${JSON.stringify(tree.summary)},"steps":${JSON.stringify(tree.steps)},` +
          `"events":[${rawEvents.join(',')}]}`,
      );
      counts.executions++;
      counts.events += rawEvents.length;
    }
    cursor = page.next;
    await writer.flush();
    await yieldToEventLoop();
  } while (cursor !== null);
  await writer.write('\n]');
  if (options.includeOtherEvents ?? isEmptyFilter(filter)) {
    await writer.write(',\n"otherEvents":[');
    let after: number | null = 0;
    while (after !== null) {
      const page = snapshot.pageOtherEvents(after, OTHER_EVENTS_PAGE);
      for (const raw of page.rawEvents) {
        await writer.write(`${counts.otherEvents === 0 ? '\n' : ',\n'}${raw}`);
        counts.otherEvents++;
      }
      after = page.next;
      await writer.flush();
      await yieldToEventLoop();
    }
    await writer.write('\n]');
  }
  await writer.write('}\n');
  await writer.flush();
  return counts;
}

/**
 * The whole document as text, for small programmatic exports (`export.run`). Throws
 * ExportTooLargeError, having stopped reading, once the text passes `maxChars`.
 */
export async function exportToString(
  store: Pick<EventStore, 'withReadSnapshot'>,
  filter: ExecutionFilter,
  options: ExportOptions & { maxChars?: number } = {},
): Promise<{ fileName: string; text: string; counts: ExportCounts }> {
  const now = options.now ?? new Date();
  const maxChars = options.maxChars ?? MAX_EXPORT_STRING_CHARS;
  const parts: string[] = [];
  let size = 0;
  const collect = async (chunk: string) => {
    size += chunk.length;
    if (size > maxChars) throw new ExportTooLargeError(maxChars);
    parts.push(chunk);
  };
  const counts = await writeExport(store, filter, collect, { ...options, now });
  return { fileName: exportFileName(now), text: parts.join(''), counts };
}

/** `flowscope-executions-2025-01-01T10-00-00Z.json`: sortable, and valid on every file system. */
export function exportFileName(now: Date): string {
  return `flowscope-executions-${now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-')}.json`;
}

function isEmptyFilter(filter: ExecutionFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

function sinkFunction(out: ExportSink): (chunk: string) => Promise<void> {
  if (typeof out === 'function') return out;
  let failure: unknown = null;
  out.on('error', (error: unknown) => {
    failure ??= error;
  });
  return async (chunk) => {
    if (failure !== null) throw failure;
    if (!out.write(chunk)) await drained(out);
    if (failure !== null) throw failure;
  };
}

function drained(out: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      out.removeListener('drain', onDrain);
      out.removeListener('error', onError);
      out.removeListener('close', onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('the export destination was closed before the export finished'));
    };
    out.on('drain', onDrain);
    out.on('error', onError);
    out.on('close', onClose);
  });
}

/** Gathers small writes into chunks of ~64 KB so a sink is not called once per event. */
class BufferedWriter {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly sink: (chunk: string) => Promise<void>) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= FLUSH_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const chunk = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.sink(chunk);
  }
}
