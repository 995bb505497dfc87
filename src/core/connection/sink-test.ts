/**
 * The last Connect step: ask Twilio for a Sink Test and wait until its test event has come all
 * the way through (Twilio -> public URL -> tunnel -> receiver -> committed to the store).
 *
 * Invariants: the arrival listener is registered BEFORE the test is requested, so a fast
 * delivery cannot be missed; the wait is bounded and can be cancelled; listeners are always
 * removed. Twilio's Sink Test answer carries no test id, so any test event that arrives after
 * the request counts.
 *
 * Security assumption: the public URL is reachable by anyone, so requests the receiver refuses
 * may be a stranger's. Only a refused request that looks like a Twilio delivery (signed, with
 * `bodySHA256`: UnverifiedRecord.looksLikeTwilio) shortens the wait (REFUSAL_GRACE_MS) and is
 * reported as a failed verification; others are only counted, so junk posted to the URL during
 * Connect cannot fail it. (Forging those two markers takes intent; it costs the forger no more
 * than a retried Connect.)
 */
import type { UnverifiedRecord } from '../../shared/contract.js';
import { SINK_TEST_EVENT } from '../../shared/studio-event.js';

export interface SinkTestArrival {
  testId: string | null;
  receivedAt: string;
}

/** What the wait needs from the monitor. */
export interface SinkTestSource {
  onSinkTest(listener: (arrival: SinkTestArrival) => void): () => void;
  /**
   * Called for every request the receiver refused (bad signature or password), with its record.
   * A host that passes no record makes every refusal count as a stranger's.
   */
  onUnverified(listener: (record?: UnverifiedRecord) => void): () => void;
  /** Requests refused so far, of any kind. */
  unverifiedCount(): number;
}

/**
 * Twilio drops a delivery answered 401/403 for good, so once a delivery that looks like Twilio's
 * was refused during the wait the test event is most likely lost: wait only this much longer for
 * a genuine one.
 */
export const REFUSAL_GRACE_MS = 1_000;

export type SinkTestOutcome =
  | { ok: true; arrival: SinkTestArrival; roundTripMs: number }
  | {
      ok: false;
      reason: 'timeout' | 'cancelled';
      /** Refused requests that looked like Twilio's deliveries. */
      refusedMeanwhile: number;
      /** Other refused requests (someone else's). */
      otherRefusedMeanwhile: number;
    };

export async function sendSinkTestAndWait(options: {
  source: SinkTestSource;
  request: () => Promise<unknown>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Default REFUSAL_GRACE_MS. */
  refusalGraceMs?: number;
  now?: () => number;
}): Promise<SinkTestOutcome> {
  const now = options.now ?? Date.now;
  const graceMs = options.refusalGraceMs ?? REFUSAL_GRACE_MS;
  const refusedBefore = options.source.unverifiedCount();
  const started = now();
  let unsubscribe = () => {};
  let unsubscribeRefused = () => {};
  let timer: NodeJS.Timeout | undefined;
  let deadline = started + options.timeoutMs;
  let refusedLikeTwilio = 0;
  let onAbort = () => {};
  const outcome = new Promise<SinkTestOutcome>((resolve) => {
    const fail = (reason: 'timeout' | 'cancelled') => {
      const refused = Math.max(0, options.source.unverifiedCount() - refusedBefore);
      resolve({ ok: false, reason, refusedMeanwhile: refusedLikeTwilio, otherRefusedMeanwhile: Math.max(0, refused - refusedLikeTwilio) });
    };
    const armTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail('timeout'), Math.max(0, deadline - now()));
    };
    unsubscribe = options.source.onSinkTest((arrival) => resolve({ ok: true, arrival, roundTripMs: Math.max(0, now() - started) }));
    unsubscribeRefused = options.source.onUnverified((record) => {
      if (record?.looksLikeTwilio !== true) return;
      refusedLikeTwilio += 1;
      if (now() + graceMs >= deadline) return;
      deadline = now() + graceMs;
      armTimer();
    });
    armTimer();
    onAbort = () => fail('cancelled');
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // Race the API call against the wait: a cancel or timeout must not wait for Twilio's answer
    // (up to 15 s), and a lost answer must not fail a test whose event already arrived.
    const requested = options.request().then(
      () => null,
      (error: unknown) => ({ error }),
    );
    const first = await Promise.race([outcome, requested]);
    if (first === null) return await outcome;
    if ('error' in first) throw first.error;
    return first;
  } finally {
    unsubscribe();
    unsubscribeRefused();
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onAbort);
  }
}

export function describeSinkTestFailure(outcome: Extract<SinkTestOutcome, { ok: false }>, destination: string, timeoutMs: number): string {
  if (outcome.reason === 'cancelled') return 'Connect was cancelled while waiting for the test event.';
  if (outcome.refusedMeanwhile > 0) {
    return (
      `Twilio's test event reached Flowscope but failed verification (${outcome.refusedMeanwhile} request(s) refused): ` +
      'check that the Auth Token belongs to this account and that the public URL is the one Twilio posts to.'
    );
  }
  const others = outcome.otherRefusedMeanwhile > 0 ? ` Meanwhile ${outcome.otherRefusedMeanwhile} request(s) that did not look like Twilio's were refused.` : '';
  return (
    `The test event (${SINK_TEST_EVENT}) did not arrive within ${Math.round(timeoutMs / 1000)} s: ` +
    `Twilio could not deliver to ${destination}. Check that this URL reaches this computer.${others}`
  );
}
