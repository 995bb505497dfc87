import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCredentialsDocument } from '../../../src/core/secrets/credentials-file.js';
import {
  HeadlessCredentialsError,
  loadHeadlessCredentials,
  saveHeadlessCredentials,
  secretValues,
} from '../../../src/core/secrets/headless-credentials.js';

const ACCOUNT_SID = `AC${'a'.repeat(32)}`;
const API_KEY_SID = `SK${'b'.repeat(32)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const NGROK_TOKEN = '2abcDEF_ghiJKL';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flowscope-headless-'));
  file = path.join(dir, 'credentials.json');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function writeFile(document: unknown, mode = 0o600): Promise<void> {
  await fs.writeFile(file, JSON.stringify(document), { mode });
  await fs.chmod(file, mode);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const result = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(result instanceof Error)) throw new Error('expected a rejection');
  return result;
}

describe('loadHeadlessCredentials', () => {
  it('reads the account SID, auth token and ngrok authtoken from the environment', async () => {
    const env = { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: ` ${AUTH_TOKEN}\n`, NGROK_AUTHTOKEN: NGROK_TOKEN };
    const loaded = await loadHeadlessCredentials(env);
    expect(loaded.twilio).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: null });
    expect(loaded.ngrok).toEqual({ authtoken: NGROK_TOKEN, domain: null });
    expect(loaded.sources).toEqual({ twilio: 'env', ngrokAuthtoken: 'env' });
  });

  it('accepts an API key instead of the auth token, and keeps both when both are set', async () => {
    const apiOnly = await loadHeadlessCredentials({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_API_KEY_SID: API_KEY_SID,
      TWILIO_API_KEY_SECRET: 'keysecret',
    });
    expect(apiOnly.twilio).toEqual({ accountSid: ACCOUNT_SID, authToken: null, apiKey: { sid: API_KEY_SID, secret: 'keysecret' } });
    const both = await loadHeadlessCredentials({
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_API_KEY_SID: API_KEY_SID,
      TWILIO_API_KEY_SECRET: 'keysecret',
    });
    expect(both.twilio?.authToken).toBe(AUTH_TOKEN);
    expect(both.twilio?.apiKey?.sid).toBe(API_KEY_SID);
  });

  it('gives nothing (and no error) when nothing is configured', async () => {
    const loaded = await loadHeadlessCredentials({ TWILIO_AUTH_TOKEN: '  ' }, file);
    expect(loaded).toEqual({
      twilio: null,
      ngrok: { authtoken: null, domain: null },
      sources: { twilio: null, ngrokAuthtoken: null },
    });
  });

  it.each([
    [{ TWILIO_AUTH_TOKEN: AUTH_TOKEN }, /TWILIO_ACCOUNT_SID is missing/],
    [{ TWILIO_ACCOUNT_SID: ACCOUNT_SID }, /set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET/],
    [{ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY_SID: API_KEY_SID }, /TWILIO_API_KEY_SECRET is missing/],
    [{ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY_SECRET: 'keysecret' }, /TWILIO_API_KEY_SID is missing/],
    [{ TWILIO_ACCOUNT_SID: AUTH_TOKEN, TWILIO_AUTH_TOKEN: ACCOUNT_SID }, /TWILIO_ACCOUNT_SID must be "AC" followed by 32 hex/],
    [
      { TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_API_KEY_SID: 'notakeysid', TWILIO_API_KEY_SECRET: 'keysecretvalue' },
      /TWILIO_API_KEY_SID must be "SK"/,
    ],
  ])('refuses half-configured or malformed environment %#', async (env, message) => {
    const failure = await failureOf(loadHeadlessCredentials(env));
    expect(failure).toBeInstanceOf(HeadlessCredentialsError);
    expect(failure.message).toMatch(message);
    for (const value of Object.values(env)) if (value !== ACCOUNT_SID) expect(failure.message).not.toContain(value);
  });

  it('reads the file when the environment has nothing, including the ngrok domain', async () => {
    await writeFile({
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      ngrok: { authtoken: NGROK_TOKEN, domain: 'me.ngrok-free.app' },
    });
    const loaded = await loadHeadlessCredentials({}, file);
    expect(loaded.twilio).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: null });
    expect(loaded.ngrok).toEqual({ authtoken: NGROK_TOKEN, domain: 'me.ngrok-free.app' });
    expect(loaded.sources).toEqual({ twilio: 'file', ngrokAuthtoken: 'file' });
  });

  it('prefers the environment per credential, never mixing Twilio fields from both', async () => {
    await writeFile({ twilio: { accountSid: `AC${'c'.repeat(32)}`, authToken: 'filetoken' }, ngrok: { authtoken: 'filengrok' } });
    const loaded = await loadHeadlessCredentials({ TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN }, file);
    expect(loaded.twilio).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: null });
    expect(loaded.ngrok.authtoken).toBe('filengrok');
    expect(loaded.sources).toEqual({ twilio: 'env', ngrokAuthtoken: 'file' });
    // An Account SID alone in the environment does not borrow the file's token.
    await expect(loadHeadlessCredentials({ TWILIO_ACCOUNT_SID: ACCOUNT_SID }, file)).rejects.toThrow(/TWILIO_AUTH_TOKEN/);
  });

  it('names the file field when the file is half-configured', async () => {
    await writeFile({ twilio: { accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID } });
    const failure = await failureOf(loadHeadlessCredentials({}, file));
    expect(failure.message).toContain(file);
    expect(failure.message).toContain('twilio.apiKeySecret is missing');
  });

  it.skipIf(process.platform === 'win32')('refuses a file readable by others', async () => {
    await writeFile({ twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN } }, 0o644);
    const failure = await failureOf(loadHeadlessCredentials({}, file));
    expect(failure.message).toMatch(/accessible by other users \(mode 644\)/);
    expect(failure.message).not.toContain(AUTH_TOKEN);
  });
});

describe('saveHeadlessCredentials', () => {
  it('writes what loadHeadlessCredentials reads back, mode 0600', async () => {
    const credentials = {
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: { sid: API_KEY_SID, secret: 'keysecret' } },
      ngrok: { authtoken: NGROK_TOKEN, domain: 'me.ngrok.app' },
    };
    await saveHeadlessCredentials(file, credentials);
    if (process.platform !== 'win32') expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    const loaded = await loadHeadlessCredentials({}, file);
    expect({ twilio: loaded.twilio, ngrok: loaded.ngrok }).toEqual(credentials);
  });

  it('omits absent parts', async () => {
    await saveHeadlessCredentials(file, { twilio: null, ngrok: { authtoken: NGROK_TOKEN, domain: null } });
    expect(await readCredentialsDocument(file)).toEqual({ ngrok: { authtoken: NGROK_TOKEN } });
  });
});

describe('secretValues', () => {
  it('lists the secret values only, for redaction', () => {
    const values = secretValues({
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, apiKey: { sid: API_KEY_SID, secret: 'keysecret' } },
      ngrok: { authtoken: NGROK_TOKEN, domain: 'me.ngrok.app' },
    });
    expect(values.sort()).toEqual([AUTH_TOKEN, 'keysecret', NGROK_TOKEN].sort());
  });
});
