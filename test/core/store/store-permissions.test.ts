/**
 * The data directory holds phone numbers and message bodies: it must not be readable by other local
 * users, whatever the process umask (POSIX only; Windows has no mode bits).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionSettingsStore } from '../../../src/core/connection/connection-settings.js';
import { ivrScenario } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir } from './store-test-helpers.js';

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe.skipIf(process.platform === 'win32')('store file permissions', () => {
  it('creates the data dir 0700 and the database, its WAL and shared memory 0600', async () => {
    const dir = path.join(tempDir(), 'data');
    const store = openStore(dir);
    await store.append(batchOf(ivrScenario().events));
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(store.file)).toBe(0o600);
    for (const suffix of ['-wal', '-shm']) {
      expect(fs.existsSync(store.file + suffix), suffix).toBe(true);
      expect(modeOf(store.file + suffix), suffix).toBe(0o600);
    }
  });

  it('keeps the data dir 0700 when the connection settings create it first (the monitor start order)', async () => {
    const dir = path.join(tempDir(), 'data');
    await new ConnectionSettingsStore(dir).settings();
    const store = openStore(dir);
    expect(modeOf(dir)).toBe(0o700);
    expect(modeOf(store.file)).toBe(0o600);
  });

  it('tightens the files of a store an earlier version left readable by others', async () => {
    const dir = tempDir();
    const first = openStore(dir);
    await first.append(batchOf(ivrScenario().events));
    first.close();
    fs.chmodSync(first.file, 0o644);
    const store = openStore(dir);
    expect(modeOf(store.file)).toBe(0o600);
    for (const suffix of ['-wal', '-shm']) {
      if (fs.existsSync(store.file + suffix)) expect(modeOf(store.file + suffix), suffix).toBe(0o600);
    }
  });
});
