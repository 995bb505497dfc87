/**
 * Decides whether a delivery really comes from the configured Twilio account.
 *
 * Security assumptions:
 * - Verification is on whenever credentials are configured (DESIGN.md section 5): an auth token
 *   turns on the signature check, `user:pass@` in the public URL turns on HTTP Basic auth. With
 *   neither (a first run before Connect, a local demo), only requests addressed to this machine
 *   (a loopback Host) or to the configured public URL's host are accepted: a tunnel or proxy
 *   left pointing here, or a web page using DNS rebinding (its Host is the attacker's name),
 *   cannot inject events into an unguarded receiver.
 * - The signed URL is rebuilt from the PUBLIC base plus the path and query this request carried;
 *   never from the local listener address, which the tunnel rewrites. With a token but no public
 *   URL yet, the Host header that arrived stands in (see `hostHeaderBases` for why that is safe).
 * - Secrets are compared in constant time; reasons and errors never contain them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { hostHeaderBases, parsePublicUrl, signingBasesFor, type BasicCredentials, type PublicUrlConfig } from './public-url.js';
import { verifyTwilioSignature } from './twilio-signature.js';

export interface VerificationSettings {
  authToken: string | null;
  publicUrl: string | null;
}

/** The parsed, validated form kept by the receiver; swapped atomically by `setVerification`. */
export interface VerificationState {
  authToken: string | null;
  publicUrl: PublicUrlConfig | null;
  /** Bases the received path and query are appended to (empty without a public URL). */
  signingBases: string[];
}

/** `receiverPath` lets a public URL given as the full destination (ending in the path) work too. */
export function toVerificationState(settings: VerificationSettings, receiverPath: string): VerificationState {
  const authToken = settings.authToken === null || settings.authToken === '' ? null : settings.authToken;
  const publicUrl = settings.publicUrl === null || settings.publicUrl.trim() === '' ? null : parsePublicUrl(settings.publicUrl);
  return { authToken, publicUrl, signingBases: publicUrl === null ? [] : signingBasesFor(publicUrl, receiverPath) };
}

export interface DeliveryCredentials {
  /** The request-target exactly as received (origin form: path and query). */
  target: string;
  host: string | undefined;
  authorization: string | undefined;
  signature: string | undefined;
  /** Raw body decoded as well-formed UTF-8. */
  body: string;
  /** The peer's address (the proxy's, behind one). */
  remoteAddress?: string | undefined;
  /** Whether a proxy or tunnel says it forwarded the request (Forwarded, X-Forwarded-*, Via). */
  forwarded?: boolean;
}

export type VerificationResult =
  | { ok: true }
  | { ok: false; status: 401 | 403; code: 'unauthorized' | 'invalid_signature' | 'unguarded'; reason: string };

export function verifyDelivery(state: VerificationState, request: DeliveryCredentials): VerificationResult {
  const basic = state.publicUrl?.basicAuth ?? null;
  if (basic !== null && !basicAuthMatches(request.authorization, basic)) {
    const reason = request.authorization === undefined ? 'missing HTTP Basic credentials' : 'wrong HTTP Basic credentials';
    return { ok: false, status: 401, code: 'unauthorized', reason };
  }
  if (state.authToken === null) {
    if (basic !== null || isAllowedUnverified(request, state.publicUrl)) return { ok: true };
    return {
      ok: false,
      status: 403,
      code: 'unguarded',
      reason: 'unsigned delivery from or to a non-local address while no auth token is configured',
    };
  }
  if (!request.target.startsWith('/')) {
    return { ok: false, status: 403, code: 'invalid_signature', reason: 'request target is not a path' };
  }
  const bases = state.publicUrl !== null ? state.signingBases : hostHeaderBases(request.host);
  const candidates = bases.map((base) => base + request.target);
  const check = verifyTwilioSignature(state.authToken, request.signature, candidates, request.body);
  return check.ok ? { ok: true } : { ok: false, status: 403, code: 'invalid_signature', reason: check.reason };
}

/** Constant-time check of `Authorization: Basic base64(user:pass)`. */
export function basicAuthMatches(header: string | undefined, expected: BasicCredentials): boolean {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const given = match?.[1] === undefined ? '' : Buffer.from(match[1], 'base64').toString('utf8');
  // Hashing first makes both sides the same length, so timingSafeEqual never leaks the length.
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const equal = timingSafeEqual(digest(given), digest(`${expected.username}:${expected.password}`));
  return match !== null && equal;
}

/**
 * Without a token: a request from this machine to a loopback name, not relayed by a proxy or
 * tunnel (what `npm run demo` and local scripts send), or one addressed to the configured public
 * URL (the user chose to expose it; the README says to set a token then). The Host check stops
 * DNS rebinding; the peer and forwarding checks stop proxies and tunnels that rewrite Host to
 * 127.0.0.1. This is a guard for local use, not authentication: that is the token's job.
 */
function isAllowedUnverified(request: DeliveryCredentials, publicUrl: PublicUrlConfig | null): boolean {
  const hostname = hostnameOf(request.host);
  if (hostname === null) return false;
  if (isLoopbackName(hostname)) return request.forwarded !== true && isLoopbackName(request.remoteAddress?.replace(/^::ffff:/i, ''));
  return publicUrl !== null && publicUrl.signingBases.some((base) => hostnameOf(base.replace(/^https?:\/\//i, '').split('/')[0]) === hostname);
}

/** `localhost`, `::1` or 127.x.x.x: a host name or a peer address. */
function isLoopbackName(name: string | undefined): boolean {
  return name === 'localhost' || name === '::1' || (name !== undefined && /^127(\.\d{1,3}){3}$/.test(name));
}

/** `Example.com:443` -> `example.com`, `[::1]:80` -> `::1`; null when it is not a plain host. */
function hostnameOf(host: string | undefined): string | null {
  if (host === undefined) return null;
  const at = host.lastIndexOf('@');
  const bare = (at >= 0 ? host.slice(at + 1) : host).trim().toLowerCase();
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.exec(bare);
  if (match?.[1] === undefined) return null;
  return match[1].replace(/^\[|\]$/g, '');
}
