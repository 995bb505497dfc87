import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TWILIO_API_URL_ENV,
  TwilioNetworkError,
  apiBaseUrlFromEnv,
  createTwilioClient,
  parseApiBaseUrl,
  redirectTwilioUrl,
} from '../../../src/core/twilio/twilio-client.js';
import { createFakeTwilio, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';

describe('base URL handling', () => {
  it('rewrites every twilio.com origin and keeps path and query', () => {
    const base = 'http://127.0.0.1:4000';
    expect(redirectTwilioUrl('https://api.twilio.com/2010-04-01/Accounts/AC1.json', base)).toBe(`${base}/2010-04-01/Accounts/AC1.json`);
    expect(redirectTwilioUrl('https://events.twilio.com/v1/Sinks?PageSize=2&Page=1', base)).toBe(`${base}/v1/Sinks?PageSize=2&Page=1`);
    expect(redirectTwilioUrl('https://studio.twilio.com/v2/Flows', base)).toBe(`${base}/v2/Flows`);
    expect(redirectTwilioUrl('https://events.sydney.au1.twilio.com/v1/Sinks', `${base}/prefix`)).toBe(`${base}/prefix/v1/Sinks`);
    expect(redirectTwilioUrl('https://example.com/v1/Sinks', base)).toBe('https://example.com/v1/Sinks');
    expect(redirectTwilioUrl('https://eviltwilio.com/x', base)).toBe('https://eviltwilio.com/x');
  });

  it('normalizes a base and refuses unusable ones without echoing them', () => {
    expect(parseApiBaseUrl(' http://127.0.0.1:4000/ ')).toBe('http://127.0.0.1:4000');
    expect(parseApiBaseUrl('https://staging.example.com/twilio/')).toBe('https://staging.example.com/twilio');
    expect(() => parseApiBaseUrl('ftp://x')).toThrow(/http/);
    expect(() => parseApiBaseUrl('not a url')).toThrow(/not a valid URL/);
    expect(() => parseApiBaseUrl('http://x/?a=1')).toThrow(/query/);
    let message = '';
    try {
      parseApiBaseUrl('http://user:s3cretvalue@x');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/credentials/);
    expect(message).not.toContain('s3cretvalue');
  });

  it('reads FLOWSCOPE_TWILIO_API_URL (unset or empty means the real Twilio)', () => {
    expect(apiBaseUrlFromEnv({})).toBeNull();
    expect(apiBaseUrlFromEnv({ [TWILIO_API_URL_ENV]: '  ' })).toBeNull();
    expect(apiBaseUrlFromEnv({ [TWILIO_API_URL_ENV]: 'http://127.0.0.1:9/' })).toBe('http://127.0.0.1:9');
    expect(() => apiBaseUrlFromEnv({ [TWILIO_API_URL_ENV]: 'nope' })).toThrow(TWILIO_API_URL_ENV);
  });
});

describe('the real twilio client against the fake API', () => {
  let fake: FakeTwilio;
  beforeEach(async () => {
    fake = await createFakeTwilio();
  });
  afterEach(async () => {
    await fake.close();
  });
  const credentials = () => ({ accountSid: fake.account.sid, authToken: fake.account.authToken });

  it('sends api., events. and studio. requests to the base URL given as an option', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: fake.baseUrl, env: {} });
    await client.api.v2010.accounts(fake.account.sid).fetch();
    await client.events.v1.sinks.list();
    await expect(client.studio.v2.flows.list()).rejects.toMatchObject({ status: 404, code: 20404 });
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /2010-04-01/Accounts/${fake.account.sid}.json`,
      'GET /v1/Sinks',
      'GET /v2/Flows',
    ]);
    expect(fake.requests.every((r) => r.username === fake.account.sid)).toBe(true);
  });

  it('takes the base URL from FLOWSCOPE_TWILIO_API_URL when no option is given', async () => {
    const client = createTwilioClient(credentials(), { env: { [TWILIO_API_URL_ENV]: fake.baseUrl } });
    const account = await client.api.v2010.accounts(fake.account.sid).fetch();
    expect(account.sid).toBe(fake.account.sid);
  });

  it('authenticates with an API key as user name and the Account SID in paths', async () => {
    const key = fake.account.apiKeys[0]!;
    const client = createTwilioClient(
      { accountSid: fake.account.sid, apiKeySid: key.sid, apiKeySecret: key.secret },
      { apiBaseUrl: fake.baseUrl },
    );
    expect(client.accountSid).toBe(fake.account.sid);
    await client.api.v2010.accounts(fake.account.sid).fetch();
    expect(fake.requests[0]?.username).toBe(key.sid);
  });

  it('follows next_page_url (a twilio.com URL) back to the fake', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: fake.baseUrl });
    for (let i = 0; i < 5; i++) {
      await client.events.v1.sinks.create({
        description: `sink ${i}`,
        sinkType: 'webhook',
        sinkConfiguration: { destination: `http://127.0.0.1:9/e${i}`, method: 'POST' },
      });
    }
    const sinks = await client.events.v1.sinks.list({ pageSize: 2 });
    expect(sinks.map((s) => s.description).sort()).toEqual(['sink 0', 'sink 1', 'sink 2', 'sink 3', 'sink 4']);
    expect(fake.requests.filter((r) => r.operation === 'listSink').map((r) => r.query.Page?.[0] ?? '0')).toEqual(['0', '1', '2']);
  });

  it('replaces transport errors by a TwilioNetworkError that carries no credential', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: 'http://127.0.0.1:9' });
    const error = await client.api.v2010.accounts(fake.account.sid).fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect((error as TwilioNetworkError).code).toBe('ECONNREFUSED');
    const dump = inspect(error, { depth: 10, showHidden: true });
    const basic = Buffer.from(`${fake.account.sid}:${fake.account.authToken}`).toString('base64');
    expect(dump).not.toContain(fake.account.authToken);
    expect(dump).not.toContain(basic);
  });

  it('maps a dropped connection to a network error code', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: fake.baseUrl });
    fake.failNext('listSink', { network: 'reset' });
    const error = await client.events.v1.sinks.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TwilioNetworkError);
    expect((error as TwilioNetworkError).code).toMatch(/^E[A-Z]+$/);
  });

  it('gives up on an API that does not answer, as a time-out', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: fake.baseUrl, timeoutMs: 200 });
    fake.failNext('listSink', { network: 'hang' });
    const error = await client.events.v1.sinks.list().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TwilioNetworkError', code: 'ETIMEDOUT' });
  });

  it('keeps no copy of the last request or response (they hold the credentials and the token)', async () => {
    const client = createTwilioClient(credentials(), { apiBaseUrl: fake.baseUrl });
    await client.api.v2010.accounts(fake.account.sid).fetch();
    expect(client.httpClient.lastRequest).toBeUndefined();
    expect(client.httpClient.lastResponse).toBeUndefined();
  });
});
