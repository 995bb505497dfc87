// Signature and HTTP Basic checks over real HTTP. Signatures are made by the real twilio
// library (getExpectedTwilioSignature over the URL with bodySHA256), not by our own helper.
import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { postJson, startHarness, startedEvent, type Harness } from './receiver-harness.js';

const TOKEN = 'auth-token-0123456789abcdef';
const PUBLIC = 'https://abc123.ngrok-free.app';

let harness: Harness;
afterEach(async () => {
  await harness?.receiver.stop();
});

/** What Event Streams does: append bodySHA256 to the destination and sign the full URL. */
function twilioSigned(token: string, destination: string, body: string): { signedUrl: string; query: string; signature: string } {
  const hash = createHash('sha256').update(body, 'utf8').digest('hex');
  const signedUrl = `${destination}${destination.includes('?') ? '&' : '?'}bodySHA256=${hash}`;
  return { signedUrl, query: signedUrl.slice(signedUrl.indexOf('?')), signature: twilio.getExpectedTwilioSignature(token, signedUrl, {}) };
}

/** POSTs to the local receiver what Twilio would POST to `destination` (same path and query). */
function deliver(h: Harness, query: string, body: string, headers: Record<string, string>): Promise<Response> {
  return postJson(h.deliveryUrl + query, body, headers);
}

describe('receiver: X-Twilio-Signature', () => {
  const body = JSON.stringify([startedEvent()]);

  it('accepts a delivery signed for the public URL', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl: PUBLIC });
    const { query, signature } = twilioSigned(TOKEN, `${PUBLIC}/events`, body);
    const response = await deliver(harness, query, body, { 'x-twilio-signature': signature });
    expect(response.status).toBe(200);
    expect(harness.ingest.batches).toHaveLength(1);
    expect(harness.observer.unverified).toEqual([]);
  });

  it('refuses tampered bodies, wrong tokens, missing headers and local-URL signatures', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl: PUBLIC });
    const genuine = twilioSigned(TOKEN, `${PUBLIC}/events`, body);
    const forged = JSON.stringify([startedEvent('EV-forged')]);
    const forgedHash = twilioSigned(TOKEN, `${PUBLIC}/events`, forged); // its URL, but the genuine signature
    const wrongToken = twilioSigned('another-token', `${PUBLIC}/events`, body);
    const local = twilioSigned(TOKEN, harness.deliveryUrl, body);

    const attempts: [string, string, Record<string, string>][] = [
      [genuine.query, forged, { 'x-twilio-signature': genuine.signature }],
      [forgedHash.query, forged, { 'x-twilio-signature': genuine.signature }],
      [wrongToken.query, body, { 'x-twilio-signature': wrongToken.signature }],
      [genuine.query, body, {}],
      ['', body, { 'x-twilio-signature': genuine.signature }],
      [local.query, body, { 'x-twilio-signature': local.signature }],
    ];
    for (const [query, sent, headers] of attempts) {
      const response = await deliver(harness, query, sent, headers);
      expect(response.status).toBe(403);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: 'invalid_signature' });
      expect(text).not.toContain(TOKEN);
    }
    expect(harness.ingest.batches).toHaveLength(0);
    expect(harness.observer.unverified.map((r) => r.reason)).toEqual([
      'the body does not match its bodySHA256 parameter',
      'X-Twilio-Signature does not match (check the auth token and the public URL)',
      'X-Twilio-Signature does not match (check the auth token and the public URL)',
      'missing X-Twilio-Signature header',
      'no bodySHA256 parameter in the request URL',
      'X-Twilio-Signature does not match (check the auth token and the public URL)',
    ]);
    const record = harness.observer.unverified[0]!;
    expect(record.remoteAddress).toMatch(/127\.0\.0\.1/);
    expect(Number.isNaN(Date.parse(record.receivedAt))).toBe(false);
  });

  it('rebuilds the URL of a public base with a path prefix, a trailing slash or a port', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl: 'https://example.test/flowscope/' });
    const prefixed = twilioSigned(TOKEN, 'https://example.test/flowscope/events', body);
    expect((await deliver(harness, prefixed.query, body, { 'x-twilio-signature': prefixed.signature })).status).toBe(200);
    // twilio-node also tries the URL with the default port added or removed
    const withPort = twilioSigned(TOKEN, 'https://example.test:443/flowscope/events', body);
    expect((await deliver(harness, withPort.query, body, { 'x-twilio-signature': withPort.signature })).status).toBe(200);
  });

  it('accepts a public URL given as the full destination (ending with the path)', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl: `${PUBLIC}/events/` });
    expect(harness.receiver.info().destinationUrl).toBe(`${PUBLIC}/events`);
    const signed = twilioSigned(TOKEN, `${PUBLIC}/events`, body);
    expect((await deliver(harness, signed.query, body, { 'x-twilio-signature': signed.signature })).status).toBe(200);
  });

  it('keeps the query string the destination already had', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl: PUBLIC });
    const signed = twilioSigned(TOKEN, `${PUBLIC}/events?sink=main`, body);
    expect(signed.query.startsWith('?sink=main&bodySHA256=')).toBe(true);
    expect((await deliver(harness, signed.query, body, { 'x-twilio-signature': signed.signature })).status).toBe(200);
  });

  it('falls back to the Host header that arrived when no public URL is configured', async () => {
    harness = await startHarness({ authToken: TOKEN });
    const signed = twilioSigned(TOKEN, harness.deliveryUrl, body); // fetch sends Host: 127.0.0.1:<port>
    expect((await deliver(harness, signed.query, body, { 'x-twilio-signature': signed.signature })).status).toBe(200);
    const elsewhere = twilioSigned(TOKEN, `${PUBLIC}/events`, body);
    expect((await deliver(harness, elsewhere.query, body, { 'x-twilio-signature': elsewhere.signature })).status).toBe(403);
  });

  it('applies verification settings changed at runtime', async () => {
    harness = await startHarness();
    expect((await postJson(harness.deliveryUrl, body)).status).toBe(200); // nothing configured: open
    harness.receiver.setVerification({ authToken: TOKEN, publicUrl: PUBLIC });
    expect(harness.receiver.info()).toMatchObject({ verifiesSignature: true, publicUrl: PUBLIC, destinationUrl: `${PUBLIC}/events` });
    expect((await postJson(harness.deliveryUrl, body)).status).toBe(403);
    const signed = twilioSigned(TOKEN, `${PUBLIC}/events`, body);
    expect((await deliver(harness, signed.query, body, { 'x-twilio-signature': signed.signature })).status).toBe(200);
    harness.receiver.setVerification({ authToken: null, publicUrl: null });
    expect((await postJson(harness.deliveryUrl, body)).status).toBe(200);
    expect(() => harness.receiver.setVerification({ authToken: TOKEN, publicUrl: 'ftp://u:secret@x' })).toThrow(TypeError);
    expect(() => harness.receiver.setVerification({ authToken: TOKEN, publicUrl: 'not a url secret' })).toThrow(/publicUrl/);
  });
});

describe('receiver: HTTP Basic credentials from user:pass@ in the public URL', () => {
  const body = JSON.stringify([startedEvent()]);
  const publicUrl = 'https://flow:p%40ss@abc123.ngrok-free.app';
  const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

  it('requires matching credentials (401 with a challenge otherwise), then the signature', async () => {
    harness = await startHarness({ authToken: TOKEN, publicUrl });
    const signed = twilioSigned(TOKEN, `${publicUrl}/events`, body);
    const headers = { 'x-twilio-signature': signed.signature };
    const missing = await deliver(harness, signed.query, body, headers);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await missing.json()).toMatchObject({ error: 'unauthorized' });
    const wrong = await deliver(harness, signed.query, body, { ...headers, authorization: basic('flow:wrong') });
    expect(wrong.status).toBe(401);
    const good = await deliver(harness, signed.query, body, { ...headers, authorization: basic('flow:p@ss') });
    expect(good.status).toBe(200);
    // a signature over the destination without the credentials passes too
    const bare = twilioSigned(TOKEN, 'https://abc123.ngrok-free.app/events', body);
    const alsoGood = await deliver(harness, bare.query, body, { 'x-twilio-signature': bare.signature, authorization: basic('flow:p@ss') });
    expect(alsoGood.status).toBe(200);
    // right credentials do not replace the signature
    expect((await deliver(harness, '', body, { authorization: basic('flow:p@ss') })).status).toBe(403);
    expect(harness.observer.unverified.map((r) => r.reason)).toEqual([
      'missing HTTP Basic credentials',
      'wrong HTTP Basic credentials',
      'missing X-Twilio-Signature header',
    ]);
  });

  it('checks Basic credentials even without an auth token, and never reveals the password', async () => {
    harness = await startHarness({ publicUrl });
    expect((await postJson(harness.deliveryUrl, body)).status).toBe(401);
    expect((await postJson(harness.deliveryUrl, body, { authorization: basic('flow:p@ss') })).status).toBe(200);
    const info = JSON.stringify(harness.receiver.info());
    expect(info).not.toContain('p%40ss');
    expect(info).not.toContain('p@ss');
    expect(harness.receiver.info()).toMatchObject({ requiresBasicAuth: true, verifiesSignature: false });
  });
});
