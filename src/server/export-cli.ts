/**
 * `npm run export -- --data-dir DIR --out FILE [--flow FW...] [--since ISO] [--until ISO]`:
 * streams the executions of a store to a Flowscope export document (no secrets: the store holds
 * only events). `--out -` writes to stdout. Safe while `serve` runs on the same store (WAL: the
 * reader sees a consistent snapshot).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { executionFilterSchema } from '../shared/contract.js';
import { EventStore } from '../core/store/event-store.js';
import { writeExport } from '../core/store/export-writer.js';
import { resolveDataDir, runCli, UsageError } from './cli-common.js';

const USAGE = `usage: npm run export -- --out FILE [--data-dir DIR] [--flow FW...] [--since ISO-TIME] [--until ISO-TIME]
                          [--status active|ended|failed] [--text TEXT]

  --out    file to write (- for stdout)
  --flow   only executions of this flow (FW...)
  --since  only executions started at or after this time (e.g. 2025-01-01T00:00:00Z)
  --until  only executions started before this time`;

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        out: { type: 'string', short: 'o' },
        'data-dir': { type: 'string' },
        flow: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        status: { type: 'string', multiple: true },
        text: { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (!values.out) throw new UsageError('--out is required');
  const filter = executionFilterSchema.safeParse({
    flowSid: values.flow,
    since: values.since,
    until: values.until,
    status: values.status,
    text: values.text,
  });
  if (!filter.success) {
    const issue = filter.error.issues[0];
    throw new UsageError(`invalid filter: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'unknown'}`);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  if (!fs.existsSync(dataDir)) throw new Error(`no Flowscope data in ${dataDir} (use --data-dir)`);
  const store = EventStore.open(dataDir);
  try {
    const toStdout = values.out === '-';
    const out = toStdout ? process.stdout : fs.createWriteStream(values.out, { mode: 0o600 });
    const counts = await writeExport(store, filter.data, out);
    if (!toStdout) {
      await new Promise<void>((resolve, reject) => {
        out.once('error', reject);
        out.end(resolve);
      });
    }
    process.stderr.write(
      `exported ${counts.executions} executions (${counts.events} events, ${counts.otherEvents} other events)${toStdout ? '' : ` to ${values.out}`}\n`,
    );
  } finally {
    store.close();
  }
}

runCli(USAGE, main);
