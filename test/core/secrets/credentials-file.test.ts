import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  assertOwnerOnlyMode,
  CredentialsFileError,
  defaultCredentialsFile,
  readCredentialsDocument,
  writeCredentialsDocument,
} from '../../../src/core/secrets/credentials-file.js';

const posix = process.platform !== 'win32';
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flowscope-creds-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('credentials file', () => {
  it('lives in the data directory by default', () => {
    expect(defaultCredentialsFile('/data')).toBe(path.join('/data', 'credentials.json'));
  });

  it('reads as null when the file does not exist', async () => {
    expect(await readCredentialsDocument(path.join(dir, 'absent.json'))).toBeNull();
  });

  it('round-trips a document, keeping unknown keys', async () => {
    const file = path.join(dir, 'credentials.json');
    const document = { twilio: { accountSid: 'AC1', authToken: 'tok' }, extra: { note: 'kept' } };
    await writeCredentialsDocument(file, document);
    expect(await readCredentialsDocument(file)).toEqual(document);
  });

  it.skipIf(!posix)('writes mode 0600 whatever the umask, creating the directory 0700', async () => {
    const file = path.join(dir, 'nested', 'credentials.json');
    const previous = process.umask(0o000);
    try {
      await writeCredentialsDocument(file, { ngrok: { authtoken: 'secret' } });
    } finally {
      process.umask(previous);
    }
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
  });

  it('replaces the file atomically, leaving no temporary file behind', async () => {
    const file = path.join(dir, 'credentials.json');
    await writeCredentialsDocument(file, { ngrok: { authtoken: 'one' } });
    await writeCredentialsDocument(file, { ngrok: { authtoken: 'two' } });
    expect(await fs.readdir(dir)).toEqual(['credentials.json']);
    expect(await readCredentialsDocument(file)).toEqual({ ngrok: { authtoken: 'two' } });
  });

  it.skipIf(!posix)('refuses a file that group or others can access, naming the fix', async () => {
    const file = path.join(dir, 'credentials.json');
    await fs.writeFile(file, JSON.stringify({ twilio: { authToken: 'supersecret' } }));
    for (const mode of [0o644, 0o640, 0o604, 0o620, 0o601]) {
      await fs.chmod(file, mode);
      const failure = await readCredentialsDocument(file).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(CredentialsFileError);
      expect((failure as Error).message).toContain('chmod 600');
      expect((failure as Error).message).not.toContain('supersecret');
    }
    await fs.chmod(file, 0o400);
    expect(await readCredentialsDocument(file)).toEqual({ twilio: { authToken: 'supersecret' } });
  });

  it('ignores the mode on Windows', () => {
    expect(() => assertOwnerOnlyMode(0o666, 'x', 'win32')).not.toThrow();
    expect(() => assertOwnerOnlyMode(0o666, 'x', 'linux')).toThrow(CredentialsFileError);
    expect(() => assertOwnerOnlyMode(0o100600, 'x', 'linux')).not.toThrow();
  });

  it('reports invalid JSON without quoting the content', async () => {
    const file = path.join(dir, 'credentials.json');
    await fs.writeFile(file, '{"twilio": {"authToken": "leakme" ', { mode: 0o600 });
    const failure = await readCredentialsDocument(file).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CredentialsFileError);
    expect((failure as Error).message).toMatch(/not valid JSON/);
    expect((failure as Error).message).not.toContain('leakme');
  });

  it('reports a wrongly typed field by name, without its value', async () => {
    const file = path.join(dir, 'credentials.json');
    await fs.writeFile(file, JSON.stringify({ twilio: { authToken: 12345678 } }), { mode: 0o600 });
    const failure = await readCredentialsDocument(file).catch((error: unknown) => error);
    expect((failure as Error).message).toContain('twilio.authToken');
    expect((failure as Error).message).not.toContain('12345678');
  });

  it('refuses something that is not a regular file', async () => {
    const sub = path.join(dir, 'sub');
    await fs.mkdir(sub, { mode: 0o700 });
    await expect(readCredentialsDocument(sub)).rejects.toThrow(/not a regular file/);
  });
});
