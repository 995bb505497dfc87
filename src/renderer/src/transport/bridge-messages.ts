/**
 * Narrowing of the WebSocket bridge's wire messages (BridgeResponse / BridgePush of contract.ts).
 *
 * Boundary: a frame from the socket is untrusted JSON until it passes these guards; anything that
 * does not look like a response or a push is ignored, never thrown into the app. Payloads and
 * results stay `unknown` here: the contract types them, and they come from our own core.
 * Hand-written guards instead of zod keep zod out of the renderer bundle (types-only import).
 */
import type { BridgePush, BridgeResponse, ErrorCode, PushEventName } from '../../../shared/contract.js';

/** A copy of contract.ts ERROR_CODES: importing the value would pull zod into the bundle. */
const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>(['bad_request', 'not_found', 'internal', 'unavailable', 'unauthorized']);

const PUSH_EVENTS: ReadonlySet<string> = new Set<PushEventName>([
  'executions.changed',
  'flows.changed',
  'stats.changed',
  'store.reset',
  'connection.changed',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorShape(value: unknown): value is { code: string; message: string } {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

/** An unknown code (a newer core) is reported as `internal` with its message kept. */
function errorCodeOf(code: string): ErrorCode {
  return ERROR_CODES.has(code) ? (code as ErrorCode) : 'internal';
}

export function parseBridgeMessage(text: string): BridgeResponse | BridgePush | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  if (value.kind === 'push') {
    if (typeof value.event !== 'string' || !PUSH_EVENTS.has(value.event)) return null;
    return { kind: 'push', event: value.event as PushEventName, payload: value.payload };
  }
  if (value.kind === 'response' && typeof value.id === 'number') {
    if (value.ok === true) return { kind: 'response', id: value.id, ok: true, result: value.result };
    if (value.ok === false && isErrorShape(value.error)) {
      const error = { code: errorCodeOf(value.error.code), message: value.error.message };
      return { kind: 'response', id: value.id, ok: false, error };
    }
  }
  return null;
}
