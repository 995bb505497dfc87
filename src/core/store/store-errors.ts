/**
 * Errors the store raises to its callers. The receiver maps StoreUnavailableError to HTTP 503
 * (Twilio retries) and never to a 4xx (Twilio would drop the events for good); the rpc layer maps
 * it to `{ code: 'unavailable' }`. Messages carry no event content and no secrets.
 */

/**
 * SQLite result codes (libsql exposes them as `error.code`, e.g. 'SQLITE_BUSY', extended codes as
 * 'SQLITE_IOERR_WRITE') that say the database as a whole cannot be written right now: any other
 * write would fail the same way, so retrying items one by one only multiplies the wait.
 */
const STORE_WIDE_SQLITE_CODES = [
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_READONLY',
  'SQLITE_CANTOPEN',
  'SQLITE_NOMEM',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
] as const;

/** What libsql throws (a TypeError) when a statement runs on a closed connection. */
const CONNECTION_CLOSED_MESSAGE = 'The database connection is not open';

/** The store cannot take or serve data right now: closed, disk full, locked, I/O error. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /**
   * True when the failure hits every write alike (locked, disk full, I/O error, closed), not one
   * poison item: group commit then fails the whole group at once instead of retrying each item.
   * Derived from the cause unless given.
   */
  readonly storeWide: boolean;
  constructor(message: string, options?: { cause?: unknown; storeWide?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.storeWide = options?.storeWide ?? isStoreWideFailure(options?.cause);
  }
}

/** What every operation on a closed store (or on a read snapshot it closed) throws. */
export function storeClosedError(): StoreUnavailableError {
  return new StoreUnavailableError('the store is closed', { storeWide: true });
}

/** An import document is not a Flowscope export this version can read; nothing was stored. */
export class ImportFormatError extends Error {
  override readonly name = 'ImportFormatError';
}

/**
 * Whether `error` (or an error in its `cause` chain) makes every write fail alike: a SQLite error
 * of the database as a whole (see STORE_WIDE_SQLITE_CODES), or a closed store or connection.
 */
export function isStoreWideFailure(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof StoreUnavailableError && current.storeWide) return true;
    if (current.message === CONNECTION_CLOSED_MESSAGE) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && STORE_WIDE_SQLITE_CODES.some((c) => code === c || code.startsWith(`${c}_`))) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** Describes an unknown thrown value without leaking more than its message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
