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
import type { Request, RequestHandler, Response } from 'express';
import { parseDelivery } from '../../shared/studio-event.js';
import type { IngestPort, ReceiverObserver } from './ingest-port.js';
import { sendError, type ErrorCode } from './http-responses.js';
import { checkContentHeaders, decodeUtf8, parseJsonBody, readRawBody } from './request-body.js';
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
}

export interface DeliveryHandlerDeps {
  ingest: IngestPort;
  observer: ReceiverObserver | undefined;
  maxBodyBytes: number;
  verification: () => VerificationState;
}

export function createDeliveryHandler(deps: DeliveryHandlerDeps): RequestHandler {
  const { ingest, observer, maxBodyBytes } = deps;

  const badRequest = (res: Response, status: number, code: ErrorCode, message: string, close = false) => {
    notify(() => observer?.onBadRequest(status, message));
    sendError(res, status, code, message, { close });
  };

  return async (req: Request, res: Response): Promise<void> => {
    const receivedAt = new Date();

    const headers = checkContentHeaders(req.headers['content-type'], req.headers['content-encoding']);
    if (!headers.ok) {
      req.resume();
      return badRequest(res, 415, 'unsupported_media_type', headers.message, true);
    }

    const raw = await readRawBody(req, maxBodyBytes);
    if (raw.kind === 'aborted') return;
    if (raw.kind === 'too_large') {
      return badRequest(res, 413, 'payload_too_large', `The body is larger than ${maxBodyBytes} bytes.`, true);
    }

    const text = decodeUtf8(raw.bytes);
    if (text === null) return badRequest(res, 400, 'invalid_encoding', 'The body is not well-formed UTF-8.');

    const verdict = verifyDelivery(deps.verification(), {
      target: req.originalUrl,
      host: req.headers.host,
      authorization: req.headers.authorization,
      signature: singleHeader(req.headers[SIGNATURE_HEADER]),
      body: text,
    });
    if (!verdict.ok) {
      const record = { receivedAt: receivedAt.toISOString(), remoteAddress: req.socket.remoteAddress ?? null, reason: verdict.reason };
      notify(() => observer?.onUnverified(record));
      return verdict.status === 401
        ? sendError(res, 401, 'unauthorized', 'HTTP Basic credentials are missing or wrong.', {
            headers: { 'WWW-Authenticate': 'Basic realm="flowscope", charset="UTF-8"' },
          })
        : sendError(res, 403, 'invalid_signature', 'The request is not signed by the configured Twilio account.');
    }

    const json = parseJsonBody(text);
    if (!json.ok) return badRequest(res, 400, json.code, json.message);

    const delivery = parseDelivery(json.value);
    if (delivery === null) {
      return badRequest(res, 400, 'not_cloudevents', 'The body must be a CloudEvent object or an array of CloudEvents.');
    }

    const ack: DeliveryAck = {
      accepted: delivery.accepted.length,
      stored: 0,
      duplicates: 0,
      rejected: delivery.rejected.map(({ index, id, reason }) => ({ index, id, reason })),
    };
    if (delivery.accepted.length + delivery.rejected.length > 0) {
      try {
        const outcome = await ingest.ingest({ accepted: delivery.accepted, rejected: delivery.rejected, receivedAt });
        ack.stored = outcome.inserted;
        ack.duplicates = outcome.duplicates;
      } catch {
        // The reason (disk full, locked, closing) stays inside: it may name paths. Twilio retries.
        return sendError(res, 503, 'store_unavailable', 'The events could not be stored right now; retry later.');
      }
    }
    if (!res.headersSent) res.status(200).json(ack);
  };
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
