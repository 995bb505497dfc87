/**
 * The public URL a Twilio sink delivers to, and the URL strings its signatures are computed over.
 *
 * Boundary module (configuration that ends up in a security check).
 * Conventions:
 * - `publicUrl` is the public BASE that maps to the receiver's root: what the tunnel reports
 *   (`https://abc.ngrok-free.app`) or the user's own reverse-proxy prefix
 *   (`https://example.com/flowscope`, the proxy stripping `/flowscope`). The sink destination is
 *   `publicUrl + path` ({@link sinkDestinationUrl}); the Connect flow must register exactly that.
 *   A public URL that already ends with the receiver path (the full destination) is accepted too.
 * - Twilio signs the URL string it requested, so bases are kept as the string the user gave
 *   (no `new URL()` re-serialization, which could lower-case, percent-encode or add a slash); only
 *   a trailing slash, a query and a fragment are cut off.
 * - Credentials (`user:pass@`) in the base mean HTTP Basic auth on every delivery. They are kept
 *   out of everything this module returns for display ({@link PublicUrlConfig.redacted}).
 */

export interface BasicCredentials {
  /** Percent-decoded user name and password, as a client sends them in `Authorization: Basic`. */
  username: string;
  password: string;
}

export interface PublicUrlConfig {
  /**
   * Base strings (no trailing slash) to which the received path and query are appended to
   * rebuild the signed URL: the base as given, plus the same without `user:pass@` when it has
   * credentials (whether Twilio signs the destination with or without them is not documented;
   * both are derived from our own configuration, so trying both admits no attacker-chosen URL).
   */
  signingBases: string[];
  basicAuth: BasicCredentials | null;
  /** The base with any password replaced by `***`, safe for logs and the UI. */
  redacted: string;
}

const SCHEME_AND_AUTHORITY = /^(https?:\/\/)([^/?#]*)(.*)$/i;

/** Parses and checks a public base URL. Throws a TypeError (without echoing credentials) when unusable. */
export function parsePublicUrl(publicUrl: string): PublicUrlConfig {
  const trimmed = publicUrl.trim();
  let parsed: URL;
  try {
    parsed = new URL(trimmed);
  } catch {
    throw new TypeError('publicUrl is not a valid URL');
  }
  const match = SCHEME_AND_AUTHORITY.exec(trimmed);
  if (!match || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.hostname === '') {
    throw new TypeError('publicUrl must be an absolute http:// or https:// URL');
  }
  const scheme = match[1] ?? '';
  const authority = match[2] ?? '';
  const pathPrefix = (match[3] ?? '').replace(/[?#].*$/s, '').replace(/\/+$/, '');
  const at = authority.lastIndexOf('@');
  const hostPart = authority.slice(at + 1);
  const base = scheme + authority + pathPrefix;
  const baseWithoutCredentials = scheme + hostPart + pathPrefix;

  const hasCredentials = at !== -1;
  const basicAuth = hasCredentials
    ? { username: safeDecode(parsed.username), password: safeDecode(parsed.password) }
    : null;
  const redactedAuthority = hasCredentials
    ? `${parsed.username}${parsed.password === '' ? '' : ':***'}@${hostPart}`
    : hostPart;
  return {
    signingBases: hasCredentials ? [base, baseWithoutCredentials] : [base],
    basicAuth,
    redacted: scheme + redactedAuthority + pathPrefix,
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The destination to register for a sink: the public base joined with the receiver path. A
 * public URL that already ends with the path (a full destination pasted by the user) is kept.
 */
export function sinkDestinationUrl(publicUrl: string, path: string): string {
  const [base = ''] = parsePublicUrl(publicUrl).signingBases;
  const suffix = normalizedPath(path);
  return suffix !== '' && pathOf(base).endsWith(suffix) ? base : base + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * The bases to prepend to a received path and query. Besides each configured base, a base that
 * already ends with the receiver path (the user gave the full destination, not the tunnel root)
 * also counts without that suffix, so `https://x.test/events` + `/events?bodySHA256=…` is
 * checked as `https://x.test/events?bodySHA256=…`. All candidates come from our configuration.
 */
export function signingBasesFor(config: PublicUrlConfig, path: string): string[] {
  const suffix = normalizedPath(path);
  const bases = [...config.signingBases];
  if (suffix === '') return bases;
  for (const base of config.signingBases) {
    if (pathOf(base).endsWith(suffix)) bases.push(base.slice(0, base.length - suffix.length));
  }
  return bases;
}

/** The path part of a base string (no query or fragment by construction). */
function pathOf(base: string): string {
  return base.replace(/^https?:\/\/[^/]*/i, '');
}

/** `/events/` -> `/events`; `/` -> `` (the root adds nothing to strip). */
function normalizedPath(path: string): string {
  return (path.startsWith('/') ? path : `/${path}`).replace(/\/+$/, '');
}

/**
 * Fallback when a token is configured but no public URL is known yet: the Host header that
 * arrived, with either scheme. ngrok and most reverse proxies pass the public Host through, so
 * this is the best available guess. It is safe because the signature still binds the body and
 * needs the auth token: a forged Host header can only make a genuine delivery fail, never make a
 * forged one pass. Returns no base when the header is missing or not a plain host[:port].
 */
export function hostHeaderBases(hostHeader: string | undefined): string[] {
  if (hostHeader === undefined || !/^[A-Za-z0-9.\-[\]:]{1,255}$/.test(hostHeader)) return [];
  return [`https://${hostHeader}`, `http://${hostHeader}`];
}
