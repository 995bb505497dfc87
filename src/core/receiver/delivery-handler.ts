/**
 * `POST <path>`: one webhook delivery from Twilio Event Streams, from raw bytes to a durable
 * commit (DESIGN.md section 5).
 *
 * Order of checks, and why:
 *   content headers (415) -> size (413) -> UTF-8 (400) -> credentials (401/403)
 *   -> JSON (400) -> CloudEvents shape (400) -> ingest -> 200, or 503 when ingest fails.
 * - Verification runs before JSON parsing, so unverified input never reaches the parser.
 * - 2xx is sent only after `ingest` resolves (the batch is durably committed). Any failure to
 *   commit is a 503 with Retry-After, never a 4xx: Twilio drops a delivery for good on 4xx.
 * - In a batch, invalid events go to `rejected` with their reason and are ingested too (kept
 *   aside, visible in the UI) so that one poison event never makes Twilio retry the batch.
 * - Nothing here merges request objects into others; JSON.parse creates own properties only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDelivery } from '../../shared/studio-event.js';
import type { UnverifiedRecord } from '../../shared/contract.js';
import type { IngestPort, ReceiverObserver } from './ingest-port.js';
import { sendError, sendJson, type ErrorCode } from './http-responses.js';
import { BodyBudget, checkContentHeaders, decodeUtf8, parseJsonBody, readRawBody } from './request-body.js';
import { verifyDelivery, type VerificationState } from './verification.js';
import { SIGNATURE_HEADER } from './twilio-signature.js';

/** The 200 answer to a delivery. */
export interface DeliveryAck {
  /** Valid events in the delivery (newly stored + duplicates). */
  accepted: number;
  /** Of those, how many were new to the store. */
  stored: number;
  /** Of those, how many the store already had (at-least-once delivery). */
  duplicates: number;
  /** Invalid events, set aside with the reason (their raw JSON is kept by the store, not echoed). */
  rejected: { index: number; id: string | null; reason: string }[];
  /** All invalid events, when more than the MAX_REJECTED_KEPT listed in `rejected`. */
  rejectedTotal?: number;
}

/**
 * Twilio's deliveries hold one event (batching sinks a few): far below these. They bound what one
 * hostile 1 MiB body (`[{},{},…]`: ~350,000 items) can cost in parsing, rows and response size.
 */
export const MAX_EVENTS_PER_DELIVERY = 5_000;
export const MAX_REJECTED_KEPT = 100;
/** Headers a proxy or tunnel adds (ngrok adds X-Forwarded-For): such a request is not local. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'via'] as const;
/** All bodies being read at once, together: 64 deliveries of the 1 MiB maximum. */
export const MAX_BUFFERED_BODY_BYTES = 64 * 1024 * 1024;

export interface DeliveryHandlerDeps {
  ingest: IngestPort;
  observer: ReceiverObserver | undefined;
  maxBodyBytes: number;
  verification: () => VerificationState;
  maxBufferedBytes?: number;
}

/**
 * Handles one delivery on plain node:http objects: the receiver calls it for `POST <path>` before
 * express sees the request (see receiver.ts), and express routes the path's variants to it too.
 */
export type DeliveryHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createDeliveryHandler(deps: DeliveryHandlerDeps): DeliveryHandler {
  const { ingest, observer, maxBodyBytes } = deps;
  const budget = new BodyBudget(deps.maxBufferedBytes ?? MAX_BUFFERED_BODY_BYTES);

  const badRequest = (res: ServerResponse, status: number, code: ErrorCode, message: string, close = false) => {
    notify(() => observer?.onBadRequest(status, message));
    sendError(res, status, code, message, { close });
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // the path as received, query included (express's originalUrl when it routed here)
    const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const receivedAt = new Date();

    const headers = checkContentHeaders(req.headers['content-type'], req.headers['content-encoding']);
    if (!headers.ok) {
      req.resume();
      return badRequest(res, 415, 'unsupported_media_type', headers.message, true);
    }

    const raw = await readRawBody(req, maxBodyBytes, budget);
    if (raw.kind === 'aborted') return;
    if (raw.kind === 'busy') {
      return sendError(res, 503, 'busy', 'Too many deliveries are being received at once; retry later.', { close: true });
    }
    if (raw.kind === 'too_large') {
      return badRequest(res, 413, 'payload_too_large', `The body is larger than ${maxBodyBytes} bytes.`, true);
    }

    const text = decodeUtf8(raw.bytes);
    if (text === null) return badRequest(res, 400, 'invalid_encoding', 'The body is not well-formed UTF-8.');

    const signature = singleHeader(req.headers[SIGNATURE_HEADER]);
    const verdict = verifyDelivery(deps.verification(), {
      target,
      host: req.headers.host,
      authorization: req.headers.authorization,
      signature,
      body: text,
      remoteAddress: req.socket.remoteAddress,
      forwarded: FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined),
    });
    if (!verdict.ok) {
      const record: UnverifiedRecord = {
        receivedAt: receivedAt.toISOString(),
        remoteAddress: req.socket.remoteAddress ?? null,
        reason: verdict.reason,
        looksLikeTwilio: looksLikeTwilioDelivery(signature, target),
      };
      notify(() => observer?.onUnverified(record));
      // A real Twilio delivery reaching a receiver that has no token (a config left half-done):
      // 503 keeps Twilio retrying for hours while it is fixed; a 4xx would drop the events for good.
      if (verdict.code === 'unguarded' && record.looksLikeTwilio) {
        return sendError(res, 503, 'store_unavailable', 'This receiver has no Twilio auth token configured; set TWILIO_AUTH_TOKEN or Connect.');
      }
      return verdict.status === 401
        ? sendError(res, 401, 'unauthorized', 'HTTP Basic credentials are missing or wrong.', {
            headers: { 'WWW-Authenticate': 'Basic realm="flowscope", charset="UTF-8"' },
          })
        : sendError(res, 403, 'invalid_signature', 'The request is not signed by the configured Twilio account.');
    }

    const json = parseJsonBody(text);
    if (!json.ok) return badRequest(res, 400, json.code, json.message);

    if (Array.isArray(json.value) && json.value.length > MAX_EVENTS_PER_DELIVERY) {
      return badRequest(res, 413, 'payload_too_large', `A delivery holds at most ${MAX_EVENTS_PER_DELIVERY} events.`);
    }
    const delivery = parseDelivery(json.value);
    if (delivery === null) {
      return badRequest(res, 400, 'not_cloudevents', 'The body must be a CloudEvent object or an array of CloudEvents.');
    }

    const kept = delivery.rejected.slice(0, MAX_REJECTED_KEPT);
    const notKept = delivery.rejected.length - kept.length;
    const ack: DeliveryAck = {
      accepted: delivery.accepted.length,
      stored: 0,
      duplicates: 0,
      rejected: kept.map(({ index, id, reason }) => ({ index, id, reason })),
      ...(notKept > 0 ? { rejectedTotal: delivery.rejected.length } : {}),
    };
    if (delivery.accepted.length + delivery.rejected.length > 0) {
      try {
        const batch = { accepted: delivery.accepted, rejected: kept, receivedAt, ...(notKept > 0 ? { rejectedNotKept: notKept } : {}) };
        const outcome = await ingest.ingest(batch);
        ack.stored = outcome.inserted;
        ack.duplicates = outcome.duplicates;
      } catch {
        // The reason (disk full, locked, closing) stays inside: it may name paths. Twilio retries.
        return sendError(res, 503, 'store_unavailable', 'The events could not be stored right now; retry later.');
      }
    }
    if (!res.headersSent) sendJson(res, 200, ack);
  };
}

/** What every Event Streams delivery carries (DESIGN.md section 5): a signature header and a bodySHA256 query parameter. */
function looksLikeTwilioDelivery(signature: string | undefined, target: string): boolean {
  const query = target.indexOf('?');
  return signature !== undefined && signature !== '' && query >= 0 && new URLSearchParams(target.slice(query + 1)).has('bodySHA256');
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** An observer is someone else's code: its failure must not change the HTTP answer. */
function notify(call: () => void): void {
  try {
    call();
  } catch {
    // ignored on purpose
  }
}
