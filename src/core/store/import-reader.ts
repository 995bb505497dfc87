/**
 * Imports a Flowscope export document (src/shared/export-format.ts) into the store.
 *
 * Boundary module: the document is untrusted. Invariants:
 * - All or nothing for a bad document: a first pass validates the whole document (JSON syntax,
 *   format, version, the shape of every execution) and stores nothing; only then does a second
 *   pass store events. A wrong document fails with ImportFormatError saying what is wrong.
 * - Every raw event is held to the receiver's nesting bound (MAX_JSON_DEPTH, the same check): an
 *   event the receiver would have refused as too deep would overflow the stack when the store
 *   serializes it, midway through pass 2 with part of the document already stored.
 * - Only raw CloudEvents are imported: each is re-parsed with parseStudioEvent (an invalid one is
 *   counted as rejected) and appended through EventStore.append, the path live events take, so
 *   projections are rebuilt from the events and `summary` / `steps` in the file are never trusted.
 * - Idempotent: event ids are the keys, so importing the same document twice changes nothing.
 * - Streams: a file is read twice in chunks and held one execution at a time, never whole.
 */
import fs from 'node:fs';
import type { ImportResult } from '../../shared/contract.js';
import {
  describeExportIssue,
  exportedExecutionSchema,
  exportFormatSchema,
  exportHeadSchema,
  exportVersionSchema,
} from '../../shared/export-format.js';
import { parseStudioEvent, type StudioEvent } from '../../shared/studio-event.js';
import { exceedsDepth, MAX_JSON_DEPTH } from '../receiver/request-body.js';
import type { EventStore } from './event-store.js';
import { JsonStreamScanner, type ScanItem } from './json-stream-scanner.js';
import { ImportFormatError } from './store-errors.js';

const EXECUTIONS = 'executions';
const OTHER_EVENTS = 'otherEvents';
const CHUNK_CHARS = 1024 * 1024;
/** Events per append: big enough to amortize a commit, small enough to keep memory flat. */
const EVENTS_PER_APPEND = 1_000;

type ChunkSource = () => AsyncIterable<string>;

/** Imports a document given as text (the UI's `import.run`). */
export function importFromText(store: EventStore, text: string, now?: Date): Promise<ImportResult> {
  return importDocument(store, () => textChunks(text), now);
}

/** Imports a document from a file, reading it in chunks. */
export function importFromFile(store: EventStore, filePath: string, now?: Date): Promise<ImportResult> {
  return importDocument(store, () => fileChunks(filePath), now);
}

async function importDocument(store: EventStore, source: ChunkSource, now = new Date()): Promise<ImportResult> {
  await validateDocument(source);
  const result: ImportResult = { executions: 0, events: 0, inserted: 0, duplicates: 0, rejected: 0 };
  let pending: StudioEvent[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const outcome = await store.append({ accepted: pending, rejected: [], receivedAt: now });
    pending = [];
    result.inserted += outcome.inserted;
    result.duplicates += outcome.duplicates;
  };
  const take = async (rawEvents: readonly unknown[]) => {
    for (const raw of rawEvents) {
      result.events++;
      const parsed = parseStudioEvent(raw);
      if (parsed.ok) pending.push(parsed.event);
      else result.rejected++;
    }
    if (pending.length >= EVENTS_PER_APPEND) await flush();
  };
  for await (const item of scan(source)) {
    if (item.type !== 'element') continue;
    if (item.key === EXECUTIONS) {
      result.executions++;
      await take(parseExecution(item.raw, result.executions - 1).events);
    } else if (item.key === OTHER_EVENTS) await take([parseJson(item.raw, `${OTHER_EVENTS}[]`)]);
  }
  await flush();
  return result;
}

/** Pass 1: the whole document must be a valid export before anything is stored. */
async function validateDocument(source: ChunkSource): Promise<void> {
  const head: Record<string, unknown> = {};
  let sawExecutions = false;
  let index = 0;
  let otherIndex = 0;
  for await (const item of scan(source)) {
    if (item.type === 'arrayStart') {
      if (item.key === EXECUTIONS) sawExecutions = true;
    } else if (item.type === 'element') {
      if (item.key === EXECUTIONS) {
        const where = `${EXECUTIONS}[${index}]`;
        checkExecutionEventsDepth(item.raw, parseExecution(item.raw, index++).events, where);
      } else {
        const where = `${item.key}[${otherIndex++}]`;
        const event = parseJson(item.raw, where);
        if (exceedsDepth(item.raw, MAX_JSON_DEPTH)) throw tooDeepError(where, event);
      }
    } else {
      const value = parseJson(item.raw, item.key);
      head[item.key] = value;
      // fail fast on a file that is not ours, before scanning the rest of it
      if (item.key === 'format') checkField(exportFormatSchema.safeParse(value));
      if (item.key === 'version') checkField(exportVersionSchema.safeParse(value));
    }
  }
  const parsedHead = exportHeadSchema.safeParse(head);
  if (!parsedHead.success) throw new ImportFormatError(headMessage(parsedHead.error, head));
  if (!sawExecutions) throw new ImportFormatError('not a Flowscope export: the "executions" array is missing');
}

function checkField(result: { success: true } | { success: false; error: Parameters<typeof describeExportIssue>[0] }): void {
  if (!result.success) throw new ImportFormatError(describeExportIssue(result.error));
}

function headMessage(error: Parameters<typeof describeExportIssue>[0], head: Record<string, unknown>): string {
  if (!('format' in head)) return 'not a Flowscope export: the "format" field is missing';
  if (!('version' in head)) return 'not a Flowscope export: the "version" field is missing';
  return `invalid Flowscope export: ${describeExportIssue(error)}`;
}

function parseExecution(raw: string, index: number): { events: unknown[] } {
  const parsed = exportedExecutionSchema.safeParse(parseJson(raw, `${EXECUTIONS}[${index}]`));
  if (!parsed.success) {
    throw new ImportFormatError(`invalid Flowscope export: ${describeExportIssue(parsed.error, `${EXECUTIONS}[${index}]`)}`);
  }
  return parsed.data;
}

/** An event sits two levels into its execution: `{ "events": [ <event> ] }`. */
const EVENT_DEPTH_IN_EXECUTION = 2;

/** Throws ImportFormatError naming the first event of the execution that nests too deep. */
function checkExecutionEventsDepth(raw: string, events: readonly unknown[], where: string): void {
  // one linear scan clears the usual execution; only a suspect one (some part of it deep, maybe
  // its steps) is split into its events to find the culprit
  if (!exceedsDepth(raw, MAX_JSON_DEPTH + EVENT_DEPTH_IN_EXECUTION)) return;
  let eventIndex = 0;
  const scanner = new JsonStreamScanner(new Set(['events']));
  for (const item of scanner.feed(raw)) {
    if (item.type !== 'element') continue;
    const current = eventIndex++;
    if (exceedsDepth(item.raw, MAX_JSON_DEPTH)) throw tooDeepError(`${where}.events[${current}]`, events[current]);
  }
}

function tooDeepError(where: string, event: unknown): ImportFormatError {
  const id = typeof event === 'object' && event !== null ? (event as { id?: unknown }).id : undefined;
  const named = typeof id === 'string' ? ` (id ${JSON.stringify(id.slice(0, 64))})` : '';
  return new ImportFormatError(
    `invalid Flowscope export: ${where}${named} nests deeper than ${MAX_JSON_DEPTH} levels, more than the receiver accepts`,
  );
}

function parseJson(raw: string, where: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ImportFormatError(`not valid JSON in "${where}": ${detail}`);
  }
}

async function* scan(source: ChunkSource): AsyncGenerator<ScanItem> {
  const scanner = new JsonStreamScanner(new Set([EXECUTIONS, OTHER_EVENTS]));
  for await (const chunk of source()) yield* scanner.feed(chunk);
  scanner.end();
}

async function* textChunks(text: string): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += CHUNK_CHARS) yield text.slice(i, i + CHUNK_CHARS);
}

async function* fileChunks(filePath: string): AsyncGenerator<string> {
  // utf8 decoding across chunk boundaries is handled by the stream's string decoder
  const stream = fs.createReadStream(filePath, { encoding: 'utf8', highWaterMark: CHUNK_CHARS });
  for await (const chunk of stream) yield String(chunk);
}
