import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseTwilioCredentials, validateCredentials, type TwilioCredentials } from '../../../src/core/twilio/credentials.js';
import { createTwilioClient } from '../../../src/core/twilio/twilio-client.js';
import { createFakeTwilio, newFakeAccount, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'fedcba9876543210'.repeat(2);
const KEY_SID = `SK${'a1'.repeat(16)}`;
const KEY_SECRET = 'Zx9'.repeat(10) + 'Qw';

describe('parseTwilioCredentials', () => {
  it('accepts both kinds, trimmed', () => {
    expect(parseTwilioCredentials({ accountSid: ` ${ACCOUNT_SID}\n`, authToken: `${TOKEN} ` })).toEqual({
      ok: true,
      credentials: { accountSid: ACCOUNT_SID, authToken: TOKEN },
    });
    expect(parseTwilioCredentials({ accountSid: ACCOUNT_SID, apiKeySid: KEY_SID, apiKeySecret: KEY_SECRET })).toEqual({
      ok: true,
      credentials: { accountSid: ACCOUNT_SID, apiKeySid: KEY_SID, apiKeySecret: KEY_SECRET },
    });
  });

  it('says which field is wrong and how, without echoing any value', () => {
    const secretLike = 'not-a-token-but-a-secret-value-123';
    const result = parseTwilioCredentials({ accountSid: KEY_SID, authToken: secretLike });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'The Account SID starts with AC; that looks like an API Key SID (SK…).',
      `The Auth Token must be 32 hexadecimal digits (the value given has ${secretLike.length} characters).`,
    ]);
    expect(result.problems.join(' ')).not.toContain(secretLike);
  });

  it('reports missing fields and the API-key kind as soon as a key field is present', () => {
    expect(parseTwilioCredentials({})).toEqual({ ok: false, problems: ['The Account SID is required.', 'The Auth Token is required.'] });
    const keyed = parseTwilioCredentials({ accountSid: ACCOUNT_SID, apiKeySid: ACCOUNT_SID, apiKeySecret: 'short' });
    expect(keyed).toEqual({
      ok: false,
      problems: [
        'The API Key SID starts with SK; that looks like an Account SID (AC…).',
        'The API Key secret must be 32 letters and digits (the value given has 5 characters).',
      ],
    });
    expect(parseTwilioCredentials('junk')).toMatchObject({ ok: false });
  });
});

describe('validateCredentials against the fake Twilio', () => {
  let fake: FakeTwilio;
  beforeEach(async () => {
    fake = await createFakeTwilio();
  });
  afterEach(async () => {
    await fake.close();
  });
  const client = (credentials: TwilioCredentials) => createTwilioClient(credentials, { apiBaseUrl: fake.baseUrl });
  const authToken = () => ({ accountSid: fake.account.sid, authToken: fake.account.authToken });
  const apiKey = () => ({ accountSid: fake.account.sid, apiKeySid: fake.account.apiKeys[0]!.sid, apiKeySecret: fake.account.apiKeys[0]!.secret });

  it('accepts good credentials of both kinds and keeps no secret of the answer', async () => {
    for (const credentials of [authToken(), apiKey()]) {
      const check = await validateCredentials(client(credentials));
      expect(check).toEqual({
        ok: true,
        account: { sid: fake.account.sid, friendlyName: fake.account.friendlyName, status: 'active', type: 'Full' },
      });
      // The fake, like Twilio, returns auth_token in the Account resource.
      expect(JSON.stringify(check)).not.toContain(fake.account.authToken);
    }
  });

  it('rejects a wrong token with the 20003 message, never containing the token', async () => {
    const wrong = 'ab'.repeat(16);
    const check = await validateCredentials(client({ accountSid: fake.account.sid, authToken: wrong }));
    expect(check).toEqual({
      ok: false,
      error: {
        code: 20003,
        kind: 'auth',
        status: 401,
        message: 'Twilio rejected these credentials (error 20003: Authenticate). Check the Account SID and Auth Token.',
      },
    });
    expect(JSON.stringify(check)).not.toContain(wrong);
  });

  it('rejects a wrong API key secret and points at the API key fields', async () => {
    const check = await validateCredentials(client({ ...apiKey(), apiKeySecret: 'Q'.repeat(32) }));
    expect(check).toMatchObject({ ok: false, error: { code: 20003, kind: 'auth' } });
    if (check.ok) return;
    expect(check.error.message).toContain('Account SID, API Key SID and API Key secret');
  });

  it("rejects an API key used with another account's SID", async () => {
    const other = newFakeAccount();
    fake.addAccount(other);
    const check = await validateCredentials(client({ ...apiKey(), accountSid: other.sid }));
    expect(check).toMatchObject({ ok: false, error: { code: 20003, status: 401 } });
  });

  it('refuses a suspended account', async () => {
    const suspended = newFakeAccount({ status: 'suspended' });
    fake.addAccount(suspended);
    const check = await validateCredentials(client({ accountSid: suspended.sid, authToken: suspended.authToken }));
    expect(check).toEqual({
      ok: false,
      error: { code: null, kind: 'account_inactive', status: null, message: 'This Twilio account is suspended: Event Streams cannot be set up on it.' },
    });
  });

  it('reports other Twilio errors with their code and text', async () => {
    fake.failNext('fetchAccount', { status: 503, code: 20503, message: 'Service Unavailable' });
    const check = await validateCredentials(client(authToken()));
    expect(check).toEqual({
      ok: false,
      error: { code: 20503, kind: 'twilio', status: 503, message: 'Twilio error 20503: Service Unavailable' },
    });
    expect(JSON.stringify(check)).not.toContain(fake.account.authToken);
  });

  it('reports an unreachable API as a network problem', async () => {
    const check = await validateCredentials(createTwilioClient(authToken(), { apiBaseUrl: 'http://127.0.0.1:9' }));
    expect(check).toEqual({
      ok: false,
      error: { code: 'ECONNREFUSED', kind: 'network', status: null, message: "Cannot reach Twilio's API (network down?) [ECONNREFUSED]" },
    });
    expect(JSON.stringify(check)).not.toContain(fake.account.authToken);
  });
});
