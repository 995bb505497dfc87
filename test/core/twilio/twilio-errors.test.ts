import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { TwilioNetworkError } from '../../../src/core/twilio/twilio-client.js';
import { describeTwilioError, isTwilioNotFound, scrubSecrets } from '../../../src/core/twilio/twilio-errors.js';

const TOKEN = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const restException = (statusCode: number, body: unknown) => new twilio.RestException({ statusCode, body });

describe('describeTwilioError', () => {
  it('maps 401 / 20003 to the credentials sentence, by credential kind', () => {
    const error = restException(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    expect(describeTwilioError(error)).toEqual({
      code: 20003,
      kind: 'auth',
      status: 401,
      message: 'Twilio rejected these credentials (error 20003: Authenticate). Check the Account SID and Auth Token.',
    });
    expect(describeTwilioError(error, { credentials: 'api-key' }).message).toContain('API Key SID and API Key secret');
    // A 401 without a Twilio body (a proxy) is still a credentials problem.
    expect(describeTwilioError(restException(401, 'Unauthorized'))).toMatchObject({ code: 20003, kind: 'auth' });
  });

  it('keeps Twilio code and text for other REST errors', () => {
    expect(describeTwilioError(restException(404, { code: 20404, message: 'The requested resource /v1/Sinks/DGx was not found' }))).toEqual({
      code: 20404,
      kind: 'not_found',
      status: 404,
      message: 'Twilio error 20404: The requested resource /v1/Sinks/DGx was not found',
    });
    expect(describeTwilioError(restException(429, { code: 20429, message: 'Too Many Requests' })).kind).toBe('rate_limited');
    expect(describeTwilioError(restException(403, { code: 20403, message: 'Forbidden' })).kind).toBe('forbidden');
    expect(describeTwilioError(restException(502, '<html>Bad gateway</html>'))).toEqual({
      code: null,
      kind: 'twilio',
      status: 502,
      message: 'Twilio error HTTP 502: [HTTP 502] Failed to execute request',
    });
  });

  it("reads twilio's RFC 9457 exceptions too", () => {
    const problem = { type: 'https://www.twilio.com/docs/errors/20001', title: 'Invalid parameter', status: 400, code: 20001, detail: 'Types is invalid' };
    expect(describeTwilioError(problem)).toEqual({ code: 20001, kind: 'twilio', status: 400, message: 'Twilio error 20001: Types is invalid' });
  });

  it('maps transport failures to the network sentence', () => {
    for (const error of [new TwilioNetworkError('ENOTFOUND'), Object.assign(new Error('x'), { code: 'ETIMEDOUT' })]) {
      expect(describeTwilioError(error)).toMatchObject({ kind: 'network', message: expect.stringMatching(/^Cannot reach Twilio's API \(network down\?\)/) });
    }
  });

  it('never lets a secret through', () => {
    const basic = Buffer.from(`AC${'1'.repeat(32)}:${TOKEN}`).toString('base64');
    const leaky = new Error(`request failed: Authorization: Basic ${basic} token=${TOKEN} secret=Sup3rSecretKeyValue42`);
    const { message } = describeTwilioError(leaky, { secrets: ['Sup3rSecretKeyValue42'] });
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain(basic);
    expect(message).not.toContain('Sup3rSecretKeyValue42');
    const inRest = describeTwilioError(restException(400, { code: 20001, message: `bad value ${TOKEN}` }));
    expect(inRest.message).toBe('Twilio error 20001: bad value [redacted]');
  });

  it('keeps SIDs (prefixed hex) readable while scrubbing bare hex tokens', () => {
    const sid = `DG${'ab'.repeat(16)}`;
    expect(scrubSecrets(`sink ${sid} token ${TOKEN}`)).toBe(`sink ${sid} token [redacted]`);
  });

  it('tells a 404 apart', () => {
    expect(isTwilioNotFound(restException(404, { code: 20404, message: 'x' }))).toBe(true);
    expect(isTwilioNotFound(restException(400, { code: 20001, message: 'x' }))).toBe(false);
    expect(isTwilioNotFound(new Error('404'))).toBe(false);
  });
});
