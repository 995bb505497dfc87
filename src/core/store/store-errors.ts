/**
 * Errors the store raises to its callers. The receiver maps StoreUnavailableError to HTTP 503
 * (Twilio retries) and never to a 4xx (Twilio would drop the events for good); the rpc layer maps
 * it to `{ code: 'unavailable' }`. Messages carry no event content and no secrets.
 */

/** The store cannot take or serve data right now: closed, disk full, locked, I/O error. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** An import document is not a Flowscope export this version can read; nothing was stored. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

/** Describes an unknown thrown value without leaking more than its message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
