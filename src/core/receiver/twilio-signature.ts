/**
 * Twilio Event Streams webhook signatures, both ways, through the real `twilio` package.
 *
 * How Event Streams signs (DESIGN.md section 5): it appends `bodySHA256=<lowercase hex SHA-256 of
 * the raw body>` to the sink's destination URL, POSTs there, and sends
 * `X-Twilio-Signature: base64(HMAC-SHA1(auth token, full URL with query))`.
 *
 * Security assumptions:
 * - Verification calls `validateRequestWithBody`, which checks the URL signature (with and without
 *   the default port, constant-time) AND that `bodySHA256` matches the body, so a captured
 *   signature cannot carry a forged body.
 * - twilio hashes the body as a JS string re-encoded to UTF-8. That equals the hash of the raw
 *   bytes only for well-formed UTF-8, so callers pass bodies decoded with a fatal decoder (the
 *   receiver answers 400 to anything else before verifying).
 * - The auth token never appears in a return value, an error or a log line.
 * - `signDelivery` is what the demo traffic generator and the fake Twilio use, so the test and
 *   demo senders sign exactly as this verifier expects (and as twilio-node computes it).
 */
import { createHash } from 'node:crypto';
import twilio from 'twilio';

/** Lowercase hex SHA-256 of the body bytes (strings are hashed as UTF-8). */
export function bodySha256Hex(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Appends `bodySHA256=<hash>` to a URL the way Event Streams does (`?` or `&`). */
export function withBodySha256(url: string, body: string | Uint8Array): string {
  const hashIndex = url.indexOf('#');
  const withoutFragment = hashIndex === -1 ? url : url.slice(0, hashIndex);
  const separator = withoutFragment.includes('?') ? '&' : '?';
  return `${withoutFragment}${separator}bodySHA256=${bodySha256Hex(body)}`;
}

export interface SignedDelivery {
  /** The URL to POST to: the destination with `bodySHA256` appended. */
  url: string;
  /** The `X-Twilio-Signature` header value. */
  signature: string;
}

/**
 * Signs a delivery as Twilio Event Streams would: `url` is the sink destination (it may carry
 * `user:pass@`; the signature is computed over the URL string exactly as given plus the hash).
 */
export function signDelivery(authToken: string, url: string, body: string | Uint8Array): SignedDelivery {
  const signedUrl = withBodySha256(url, body);
  return { url: signedUrl, signature: twilio.getExpectedTwilioSignature(authToken, signedUrl, {}) };
}

/** The header names, as Twilio sends them. */
export const SIGNATURE_HEADER = 'x-twilio-signature';

export type SignatureCheck = { ok: true; url: string } | { ok: false; reason: string };

/**
 * Checks a delivery against each candidate URL (public base + received path and query).
 * `body` must be the raw body decoded as well-formed UTF-8 (see the header comment).
 * Never throws: a URL the twilio package cannot parse counts as a mismatch.
 */
export function verifyTwilioSignature(
  authToken: string,
  signature: string | undefined,
  candidateUrls: readonly string[],
  body: string,
): SignatureCheck {
  if (signature === undefined || signature === '') {
    return { ok: false, reason: 'missing X-Twilio-Signature header' };
  }
  if (candidateUrls.length === 0) {
    return { ok: false, reason: 'no public URL to verify the signature against' };
  }
  for (const url of candidateUrls) {
    if (validateQuietly(authToken, signature, url, body)) return { ok: true, url };
  }
  return { ok: false, reason: diagnose(candidateUrls, body) };
}

function validateQuietly(authToken: string, signature: string, url: string, body: string): boolean {
  try {
    return twilio.validateRequestWithBody(authToken, signature, url, body);
  } catch {
    return false; // `new URL()` inside twilio throws on an unparsable candidate
  }
}

/** A reason a user can act on; it never says anything about the token. */
function diagnose(candidateUrls: readonly string[], body: string): string {
  const sample = candidateUrls[0] ?? '';
  const queryStart = sample.indexOf('?');
  const query = new URLSearchParams(queryStart === -1 ? '' : sample.slice(queryStart + 1));
  const claimedHash = query.get('bodySHA256');
  if (claimedHash === null) return 'no bodySHA256 parameter in the request URL';
  if (claimedHash !== bodySha256Hex(body)) return 'the body does not match its bodySHA256 parameter';
  return 'X-Twilio-Signature does not match (check the auth token and the public URL)';
}
