import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/core/monitor.js';
import { exportDocumentSchema } from '../../src/shared/export-format.js';
import { ivrScenario, messagingScenario, parseAll } from '../shared/studio-fixtures.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir();
const monitors: Monitor[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled);
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
});

async function seededMonitor(): Promise<Monitor> {
  const monitor = await Monitor.start({
    dataDir: tempDir(),
    receiver: { port: 0 },
    connection: { recoverLeftoversAtStart: false },
  });
  monitors.push(monitor);
  await monitor.store.append({ accepted: parseAll([...ivrScenario().events, ...messagingScenario().events]), rejected: [], receivedAt: new Date() });
  return monitor;
}

/** Lets any rejection nobody handles surface (Node reports them after the microtask queue drains). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('Monitor.exportToFile', () => {
  it('writes the export document, private to the user, and nothing else', async () => {
    const monitor = await seededMonitor();
    const dir = tempDir();
    const file = path.join(dir, 'export.json');
    const counts = await monitor.exportToFile({}, file);
    expect(counts).toMatchObject({ executions: 2 });
    const doc = exportDocumentSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    expect(doc.executions).toHaveLength(2);
    expect(fs.readdirSync(dir)).toEqual(['export.json']);
    if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('rejects with an error naming the path when the directory does not exist, leaking nothing', async () => {
    const monitor = await seededMonitor();
    const file = path.join(tempDir(), 'no-such-dir', 'x.json');
    await expect(monitor.exportToFile({}, file)).rejects.toThrow(/could not export to .*no-such-dir.*x\.json/);
    await settle();
    expect(unhandled).toEqual([]);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('when the export itself fails, removes what it wrote and leaves an existing file as it was', async () => {
    const monitor = await seededMonitor();
    const dir = tempDir();
    const file = path.join(dir, 'export.json');
    fs.writeFileSync(file, 'an earlier export');
    monitor.store.close(); // writeExport now throws StoreUnavailableError on its first read
    await expect(monitor.exportToFile({}, file)).rejects.toThrow(/could not export to .*export\.json: the store is closed/);
    await settle();
    expect(unhandled).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual(['export.json']);
    expect(fs.readFileSync(file, 'utf8')).toBe('an earlier export');
  });
});
