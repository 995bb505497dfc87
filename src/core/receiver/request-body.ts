/**
 * Reading and decoding a webhook body from an untrusted client.
 *
 * Invariants:
 * - The body is read as raw bytes (the signature hashes them) and never beyond `maxBytes`: a
 *   declared Content-Length over the limit is refused before reading, a chunked body is cut off
 *   as soon as it passes the limit.
 * - Only identity content-encoding is accepted: inflating would hash something other than what
 *   was signed, and a compressed body could expand far beyond the limit.
 * - Text must be well-formed UTF-8 (fatal decoder; a BOM is kept so the bytes round-trip exactly
 *   for the signature check, and skipped only for JSON parsing).
 * - Nesting depth is bounded before JSON.parse: deeper values would later overflow the stack in
 *   JSON.stringify when the store serializes them, turning one hostile body into endless 503s.
 * Every function here is total: no throw on any input.
 */
import type { IncomingMessage } from 'node:http';

export const ACCEPTED_MEDIA_TYPES = [
  'application/json',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
] as const;

/** A Studio CloudEvent nests 3 levels; this leaves room for any extension data. */
export const MAX_JSON_DEPTH = 64;

export type MediaTypeCheck = { ok: true } | { ok: false; message: string };

/** Checks Content-Type (JSON media types, UTF-8 or no charset) and Content-Encoding (identity). */
export function checkContentHeaders(contentType: string | undefined, contentEncoding: string | undefined): MediaTypeCheck {
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== 'identity' && contentEncoding.trim() !== '') {
    return { ok: false, message: 'Content-Encoding must be identity (compressed bodies are not accepted).' };
  }
  if (contentType === undefined) {
    return { ok: false, message: 'Content-Type must be application/json.' };
  }
  const [mediaType = '', ...params] = contentType.split(';');
  if (!(ACCEPTED_MEDIA_TYPES as readonly string[]).includes(mediaType.trim().toLowerCase())) {
    return { ok: false, message: 'Content-Type must be application/json.' };
  }
  for (const param of params) {
    const separator = param.indexOf('=');
    const name = param.slice(0, separator === -1 ? undefined : separator).trim().toLowerCase();
    if (name !== 'charset') continue;
    const value = param.slice(separator + 1).trim().replace(/^"(.*)"$/s, '$1').toLowerCase();
    if (separator === -1 || (value !== 'utf-8' && value !== 'utf8')) {
      return { ok: false, message: 'The body must be UTF-8 encoded JSON.' };
    }
  }
  return { ok: true };
}

export type RawBodyResult =
  | { kind: 'ok'; bytes: Buffer }
  | { kind: 'too_large' }
  /** All requests together hold more than the shared budget: answer 503, Twilio retries. */
  | { kind: 'busy' }
  /** The client went away or the stream failed: there is nobody left to answer. */
  | { kind: 'aborted' };

/**
 * Reads the request body up to `maxBytes`. On overflow it resolves `too_large` at once and
 * discards the rest, so the caller can answer 413 (with `Connection: close`) without buffering.
 */
/** Bytes buffered by all requests being read at once: bounds memory under many slow uploads. */
export class BodyBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

export function readRawBody(req: IncomingMessage, maxBytes: number, budget?: BodyBudget): Promise<RawBodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    req.resume(); // discard; the 413 goes out with Connection: close
    return Promise.resolve({ kind: 'too_large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const release = () => {
      if (budget) budget.used -= received;
    };
    const settle = (result: RawBodyResult) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      release();
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (budget) budget.used += chunk.length;
      if (received > maxBytes) settle({ kind: 'too_large' });
      else if (budget && budget.used > budget.limit) settle({ kind: 'busy' });
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!settled) {
        settled = true;
        release();
        resolve({ kind: 'ok', bytes: Buffer.concat(chunks, received) });
      }
    });
    req.on('error', () => settle({ kind: 'aborted' }));
    req.on('close', () => settle({ kind: 'aborted' }));
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes well-formed UTF-8 (keeping a BOM), or null for any malformed sequence. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

export type JsonParseResult = { ok: true; value: unknown } | { ok: false; code: 'invalid_json' | 'too_deep'; message: string };

/** Parses JSON text after bounding its nesting depth. JSON.parse builds own properties only. */
export function parseJsonBody(text: string): JsonParseResult {
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (exceedsDepth(json, MAX_JSON_DEPTH)) {
    return { ok: false, code: 'too_deep', message: `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels.` };
  }
  try {
    return { ok: true, value: JSON.parse(json) as unknown };
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The body is not valid JSON.' };
  }
}

/** Linear scan of bracket depth outside strings; exact for valid JSON, harmless for invalid. */
export function exceedsDepth(json: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}
