/**
 * HTTP plumbing of the fake Twilio API: Twilio-style error bodies, form bodies, Basic auth,
 * Twilio's date formats and SIDs.
 *
 * Error bodies follow Twilio's REST errors: `{ code, message, more_info, status }` (twilio-node
 * reads `code`, `message`, `more_info` into RestException).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface TwilioErrorBody {
  code: number;
  message: string;
  more_info: string;
  status: number;
}

/** Thrown by route handlers; the server turns it into a Twilio error answer. */
export class FakeApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  body(): TwilioErrorBody {
    return twilioErrorBody(this.status, this.code, this.message);
  }
}

export function twilioErrorBody(status: number, code: number, message: string): TwilioErrorBody {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

/** Twilio's answer to bad credentials, on every API. */
export const authenticateError = () => new FakeApiError(401, 20003, 'Authenticate');

export const notFoundError = (path: string) => new FakeApiError(404, 20404, `The requested resource ${path} was not found`);

export const invalidParameter = (message: string) => new FakeApiError(400, 20001, message);

export const missingParameter = (name: string) => invalidParameter(`Missing required parameter ${name} in the post body`);

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

const MAX_FORM_BYTES = 64 * 1024;

/** Reads an `application/x-www-form-urlencoded` body (what twilio-node sends). */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw invalidParameter('Request body too large');
    chunks.push(buffer);
  }
  if (size === 0) return new URLSearchParams();
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw invalidParameter('Request body must be application/x-www-form-urlencoded');
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  if (header === undefined || !/^Basic /i.test(header)) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The events v1 date format: ISO 8601 without milliseconds (`2015-07-30T20:00:00Z`). */
export const iso8601 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The 2010-04-01 API's date format (RFC 2822): `Thu, 30 Jul 2015 20:00:00 +0000`. */
export const rfc2822 = (date: Date) => date.toUTCString().replace(/GMT$/, '+0000');

/** A fresh SID: two-letter prefix + 32 lowercase hex digits. */
export const newSid = (prefix: string) => prefix + randomBytes(16).toString('hex');

/** Form or query values as a plain record (for the request log). */
export function paramsRecord(params: URLSearchParams): Record<string, string[]> {
  const record: Record<string, string[]> = {};
  for (const [key, value] of params) (record[key] ??= []).push(value);
  return record;
}
