/**
 * Every answer the receiver gives is JSON built here, so that no input is ever reflected into
 * HTML and no error carries more than a fixed code and a fixed sentence.
 *
 * Invariants: messages are constants or built from numbers only (never from request data, never
 * from configuration such as the auth token); 5xx bodies never carry internal error text.
 */
import type { ServerResponse } from 'node:http';

export type ErrorCode =
  | 'not_found'
  | 'method_not_allowed'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_encoding'
  | 'invalid_json'
  | 'too_deep'
  | 'not_cloudevents'
  | 'bad_request'
  | 'unauthorized'
  | 'invalid_signature'
  | 'store_unavailable'
  | 'shutting_down'
  | 'busy'
  | 'internal_error';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

/** Seconds Twilio (or any client) is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** Headers on every response: the body is data, never a document to render or cache. */
export function applySecurityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Referrer-Policy', 'no-referrer');
}

export interface ErrorOptions {
  /** Close the connection after answering (the request body may be left unread). */
  close?: boolean;
  headers?: Record<string, string>;
}

export function sendError(res: ServerResponse, status: number, error: ErrorCode, message: string, options: ErrorOptions = {}): void {
  if (res.headersSent) return;
  if (options.close) res.setHeader('Connection', 'close');
  if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  const body: ErrorBody = { error, message };
  sendJson(res, status, body);
}

/**
 * Writes a JSON answer directly. Express's `res.json` runs content negotiation and a freshness
 * check meant for cacheable GETs; on the delivery hot path it was ~15% of the receiver's CPU.
 * `<`, `>` and `&` are escaped so that no answer can be read as HTML.
 */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const json = JSON.stringify(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(json));
  res.end(json);
}
