/**
 * The receiver's only dependency on the rest of the core: a durable sink for parsed deliveries.
 * Invariant: `ingest` resolves only after the batch is durably committed (the receiver answers 2xx
 * after that and never before). It rejects when the batch cannot be committed (store closed, disk
 * full, locked): the receiver then answers 503 so that Twilio retries, never a 4xx, which Twilio
 * takes as "drop for good".
 */
import type { RejectedEvent, StudioEvent } from '../../shared/studio-event.js';
import type { UnverifiedRecord } from '../../shared/contract.js';

export interface IngestBatch {
  accepted: StudioEvent[];
  /** Invalid events kept aside with their reason (at most MAX_REJECTED_KEPT per delivery). */
  rejected: RejectedEvent[];
  /** Invalid events beyond that: counted, not kept (a hostile body must not become a big table). */
  rejectedNotKept?: number;
  receivedAt: Date;
}

export interface IngestOutcome {
  inserted: number;
  duplicates: number;
}

export interface IngestPort {
  ingest(batch: IngestBatch): Promise<IngestOutcome>;
}

/** What the receiver reports about requests that never reach the store. */
export interface ReceiverObserver {
  /** A request failed signature verification (403). */
  onUnverified(record: UnverifiedRecord): void;
  /** A request was malformed (400/413/415). */
  onBadRequest(status: number, reason: string): void;
}
