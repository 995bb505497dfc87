/**
 * `npm run import -- [--data-dir DIR] FILE`: reads a Flowscope export document back into a store.
 * Idempotent: events are keyed by their CloudEvent id, so importing twice changes nothing.
 * A file that is not a Flowscope export is refused with the reason, and nothing is stored.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { EventStore } from '../core/store/event-store.js';
import { importFromFile } from '../core/store/import-reader.js';
import { resolveDataDir, runCli, UsageError } from './cli-common.js';

const USAGE = 'usage: npm run import -- [--data-dir DIR] FILE';

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ options: { 'data-dir': { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const file = parsed.positionals[0];
  if (file === undefined || parsed.positionals.length > 1) throw new UsageError('give exactly one FILE to import');
  if (!fs.existsSync(file)) throw new Error(`no such file: ${file}`);
  const store = EventStore.open(resolveDataDir(parsed.values['data-dir']));
  try {
    const result = await importFromFile(store, file);
    process.stdout.write(
      `imported ${result.executions} executions: ${result.inserted} new events, ${result.duplicates} already present, ${result.rejected} rejected\n`,
    );
  } finally {
    store.close();
  }
}

runCli(USAGE, main);
