import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { bodySha256Hex, signDelivery, verifyTwilioSignature, withBodySha256 } from '../../../src/core/receiver/twilio-signature.js';
import { hostHeaderBases, parsePublicUrl, signingBasesFor, sinkDestinationUrl } from '../../../src/core/receiver/public-url.js';
import { basicAuthMatches } from '../../../src/core/receiver/verification.js';
import { exceedsDepth, checkContentHeaders } from '../../../src/core/receiver/request-body.js';

const TOKEN = '12345678901234567890123456789012';

describe('signDelivery', () => {
  it('signs as the twilio library expects and validates with validateRequestWithBody', () => {
    const body = '[{"id":"EV1","note":"caf\u00e9 \u{1F600}"}]';
    const { url, signature } = signDelivery(TOKEN, 'https://abc.ngrok-free.app/events', body);
    expect(url).toBe(`https://abc.ngrok-free.app/events?bodySHA256=${twilio.getExpectedBodyHash(body)}`);
    expect(signature).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, {}));
    expect(twilio.validateRequestWithBody(TOKEN, signature, url, body)).toBe(true);
    expect(twilio.validateRequestWithBody(TOKEN, signature, url, body + ' ')).toBe(false);
  });

  it('hashes bytes and strings alike and appends to an existing query', () => {
    const body = '{"a":"\u00fc"}';
    expect(bodySha256Hex(new TextEncoder().encode(body))).toBe(bodySha256Hex(body));
    expect(bodySha256Hex(body)).toMatch(/^[0-9a-f]{64}$/);
    expect(withBodySha256('https://x.test/events?a=1#frag', body)).toBe(`https://x.test/events?a=1&bodySHA256=${bodySha256Hex(body)}`);
  });
});

describe('verifyTwilioSignature', () => {
  const body = '[]';
  const { url, signature } = signDelivery(TOKEN, 'https://x.test/events', body);

  it('passes when any candidate URL matches and never throws on garbage', () => {
    expect(verifyTwilioSignature(TOKEN, signature, ['not a url', 'https://y.test/events', url], body)).toEqual({ ok: true, url });
    expect(verifyTwilioSignature(TOKEN, signature, ['::::'], body).ok).toBe(false);
    expect(verifyTwilioSignature(TOKEN, signature, [], body)).toEqual({ ok: false, reason: 'no public URL to verify the signature against' });
    expect(verifyTwilioSignature(TOKEN, undefined, [url], body).ok).toBe(false);
    expect(verifyTwilioSignature(TOKEN, 'x'.repeat(5000), [url], body).ok).toBe(false);
  });
});

describe('parsePublicUrl', () => {
  it('keeps the given string, minus trailing slashes, query and fragment', () => {
    expect(parsePublicUrl('https://abc.ngrok-free.app').signingBases).toEqual(['https://abc.ngrok-free.app']);
    expect(parsePublicUrl(' https://Example.test:8443/pre/fix//?q=1#f ').signingBases).toEqual(['https://Example.test:8443/pre/fix']);
    expect(parsePublicUrl('https://abc.ngrok-free.app/').basicAuth).toBeNull();
  });

  it('splits credentials out, decodes them and redacts the password', () => {
    const config = parsePublicUrl('https://us%20er:p%40ss%3Aw@host.test/x');
    expect(config.signingBases).toEqual(['https://us%20er:p%40ss%3Aw@host.test/x', 'https://host.test/x']);
    expect(config.basicAuth).toEqual({ username: 'us er', password: 'p@ss:w' });
    expect(config.redacted).toBe('https://us%20er:***@host.test/x');
    expect(sinkDestinationUrl('https://host.test/', 'events')).toBe('https://host.test/events');
  });

  it('treats a public URL ending with the receiver path as the full destination', () => {
    expect(sinkDestinationUrl('https://host.test/events/', '/events')).toBe('https://host.test/events');
    expect(sinkDestinationUrl('https://host.test/pre', '/events')).toBe('https://host.test/pre/events');
    expect(sinkDestinationUrl('https://events', '/events')).toBe('https://events/events');
    expect(signingBasesFor(parsePublicUrl('https://u:p@host.test/events'), '/events')).toEqual([
      'https://u:p@host.test/events',
      'https://host.test/events',
      'https://u:p@host.test',
      'https://host.test',
    ]);
    expect(signingBasesFor(parsePublicUrl('https://host.test'), '/')).toEqual(['https://host.test']);
    expect(signingBasesFor(parsePublicUrl('https://events.test'), '/events')).toEqual(['https://events.test']);
  });

  it('refuses what is not an absolute http(s) URL, without echoing it', () => {
    for (const bad of ['', 'abc.ngrok-free.app', 'ftp://u:hunter2@x.test', 'javascript:alert(1)', 'https://']) {
      let message = '';
      try {
        parsePublicUrl(bad);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, bad).toMatch(/publicUrl/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('derives host-header fallbacks only from a plain host[:port]', () => {
    expect(hostHeaderBases('127.0.0.1:4000')).toEqual(['https://127.0.0.1:4000', 'http://127.0.0.1:4000']);
    expect(hostHeaderBases(undefined)).toEqual([]);
    expect(hostHeaderBases('evil.test/path?')).toEqual([]);
  });
});

describe('basicAuthMatches', () => {
  const expected = { username: 'flow', password: 'p@ss' };
  const header = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
  it('compares user and password exactly', () => {
    expect(basicAuthMatches(header('flow:p@ss'), expected)).toBe(true);
    expect(basicAuthMatches(header('flow:p@sS'), expected)).toBe(false);
    expect(basicAuthMatches(header('flow:p@ss '), expected)).toBe(false);
    expect(basicAuthMatches('Bearer abc', expected)).toBe(false);
    expect(basicAuthMatches(undefined, expected)).toBe(false);
  });
});

describe('request body helpers', () => {
  it('measures nesting outside strings only', () => {
    expect(exceedsDepth('[[["[[[[[[[[[["]]]', 3)).toBe(false);
    expect(exceedsDepth('[[["\\"[[[["]]]', 3)).toBe(false);
    expect(exceedsDepth('[[[[]]]]', 3)).toBe(true);
  });

  it('accepts JSON media types with a UTF-8 charset only', () => {
    expect(checkContentHeaders('application/json', undefined).ok).toBe(true);
    expect(checkContentHeaders('application/json;charset=utf8', 'identity').ok).toBe(true);
    expect(checkContentHeaders('application/json; charset', undefined).ok).toBe(false);
    expect(checkContentHeaders('application/jsonx', undefined).ok).toBe(false);
    expect(checkContentHeaders('application/json', 'br').ok).toBe(false);
  });
});
