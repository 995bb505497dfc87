/**
 * Plays demo traffic into a receiver: realistic Studio executions (studio-scenarios), merged on
 * one timeline (traffic-generator), cut into Event Streams-like deliveries with batches,
 * reorderings and duplicates (delivery-planner), and POSTed with Twilio's signing and retry rules
 * (delivery-sender).
 *
 * Pacing: a delivery goes out no earlier than its rate slot (`rate` events per second) and, when
 * `followTimeline` is on, no earlier than its newest event's time on the timeline (replayed from
 * the moment play starts), so a receiver never gets an event "from the future". Twilio does not
 * wait for one delivery before sending the next: up to `concurrency` deliveries are in flight,
 * each with its own retries.
 *
 * Memory stays bounded by the executions in progress plus, unless `trackEventIds` is off, the set
 * of acknowledged event ids (which tests use to check that nothing acknowledged is lost).
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DEFAULT_RETRY_POLICY,
  DeliverySender,
  type AttemptResult,
  type DeliveryResult,
  type RetryPolicy,
} from './delivery-sender.js';
import { planDeliveries, type DeliveryPlanOptions, type PlannedDelivery } from './delivery-planner.js';
import { deriveSeed } from './seeded-random.js';
import type { ScenarioName } from './studio-scenarios.js';
import { generateTraffic } from './traffic-generator.js';

export interface PlayTrafficOptions {
  /** The receiver's URL, e.g. http://127.0.0.1:8788/events. */
  url: string;
  /** Sign deliveries (X-Twilio-Signature) with this auth token. */
  authToken?: string;
  /** Sign for this public base / destination while posting to `url` (see delivery-sender). */
  publicUrl?: string;
  /**
   * Events per second: the pacing, and the density of the generated timeline. Infinity = as fast
   * as the receiver answers (then the timeline is generated at `timelineRate`). Default 20.
   */
  rate?: number;
  /** Timeline density when `rate` is Infinity. Default 1000 events/s. */
  timelineRate?: number;
  /** Stop after this many events... */
  count?: number;
  /** ...or after this many executions (default 40 when neither is given). */
  executions?: number;
  /** Deliveries in flight at once. Default 8. */
  concurrency?: number;
  /** Same seed (and startTime) = same executions, ids and delivery plan. Default 1. */
  seed?: number;
  /** Real durations are divided by this. Default 1 (a call takes minutes). */
  timeScale?: number;
  /** Epoch ms of the first event. Default: now. */
  startTime?: number;
  /** Never send a delivery before its events' (replayed) time. Default: true when `rate` is finite. */
  followTimeline?: boolean;
  scenarioWeights?: Partial<Record<ScenarioName, number>>;
  delivery?: Omit<DeliveryPlanOptions, 'seed'>;
  retry?: Partial<RetryPolicy>;
  /** Per-request time-out (Twilio gives a sink 5 s). */
  timeoutMs?: number;
  /**
   * Stop (unlike Twilio) after this many deliveries in a row failed all their attempts: the
   * receiver is gone. Default: never.
   */
  maxConsecutiveFailures?: number;
  /** Collect acknowledged event ids in the summary. Default true. */
  trackEventIds?: boolean;
  onProgress?: (progress: TrafficProgress) => void;
  /** How often onProgress fires (it also fires once at the end). Default 500 ms. */
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface TrafficCounters {
  /** Deliveries sent (originals and duplicates), whatever their outcome. */
  deliveries: number;
  /** Events in those deliveries, duplicate copies included. */
  events: number;
  /** Distinct events (each generated event counts once). */
  distinctEvents: number;
  /** Distinct executions the events belong to. */
  executions: number;
  duplicateDeliveries: number;
  duplicateEvents: number;
  reorderedDeliveries: number;
  batchedDeliveries: number;
  /** Deliveries answered 2xx (eventually). */
  acknowledged: number;
  /** Deliveries answered a 4xx other than 429: dropped, never retried (as Twilio does). */
  rejected: number;
  /** Deliveries given up after the last retry (429/5xx/network errors). */
  failed: number;
  /** Deliveries cut short by the abort signal. */
  abortedDeliveries: number;
  /** HTTP requests made, retries included. */
  requests: number;
  retries: number;
  /** Answers by HTTP status code, plus `network` for errors and time-outs. */
  statusCounts: Record<string, number>;
  /** The latest non-2xx answer or network error code, e.g. `503` or `ECONNREFUSED`. */
  lastError: string | null;
  inFlight: number;
  elapsedMs: number;
}

export interface TrafficProgress extends TrafficCounters {
  targetEvents: number | null;
  targetExecutions: number | null;
}

export interface TrafficSummary extends TrafficProgress {
  acknowledgedEventIds: Set<string>;
  /** Stopped by the caller's signal. */
  aborted: boolean;
  /** Stopped after `maxConsecutiveFailures` failed deliveries in a row. */
  gaveUp: boolean;
}

function positive(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  const result = value ?? fallback;
  if (!(result > 0) || (!allowInfinity && !Number.isFinite(result))) {
    throw new RangeError(`${name} must be a positive number`);
  }
  return result;
}

export async function playTraffic(options: PlayTrafficOptions): Promise<TrafficSummary> {
  const rate = positive('rate', options.rate, 20, true);
  const concurrency = Math.floor(positive('concurrency', options.concurrency, 8));
  const seed = options.seed ?? 1;
  const startTime = options.startTime ?? Date.now();
  const timeScale = positive('timeScale', options.timeScale, 1, true);
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const followTimeline = options.followTimeline ?? Number.isFinite(rate);
  const timelineRate = Number.isFinite(rate) ? rate : positive('timelineRate', options.timelineRate, 1000);
  const trackIds = options.trackEventIds ?? true;
  if (options.count !== undefined) positive('count', options.count, 1);
  if (options.executions !== undefined) positive('executions', options.executions, 1);

  const sender = new DeliverySender({
    url: options.url,
    authToken: options.authToken,
    publicUrl: options.publicUrl,
    timeoutMs: options.timeoutMs,
    maxSockets: concurrency,
  });
  const events = generateTraffic({
    seed,
    startTime,
    events: options.count,
    executions: options.executions,
    eventsPerSecond: timelineRate,
    timeScale,
    scenarioWeights: options.scenarioWeights,
  });
  const plan = planDeliveries(events, { ...options.delivery, seed: deriveSeed(seed, 'delivery-plan') });

  const counters: TrafficCounters = {
    deliveries: 0, events: 0, distinctEvents: 0, executions: 0, duplicateDeliveries: 0, duplicateEvents: 0,
    reorderedDeliveries: 0, batchedDeliveries: 0, acknowledged: 0, rejected: 0, failed: 0, abortedDeliveries: 0,
    requests: 0, retries: 0, statusCounts: {}, lastError: null, inFlight: 0, elapsedMs: 0,
  };
  const acknowledgedEventIds = new Set<string>();
  const executionSids = new Set<string>();
  const wallStart = Date.now();
  const giveUp = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, giveUp.signal]) : giveUp.signal;
  // each in-flight request and backoff listens to it: not a leak
  setMaxListeners(4 * concurrency + 16, signal);
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? Infinity;
  let consecutiveFailures = 0;
  const progress = (): TrafficProgress => ({
    ...counters,
    statusCounts: { ...counters.statusCounts },
    elapsedMs: Date.now() - wallStart,
    targetEvents: options.count ?? null,
    targetExecutions: options.executions ?? (options.count === undefined ? 40 : null),
  });
  const ticker = options.onProgress
    ? setInterval(() => options.onProgress?.(progress()), options.progressIntervalMs ?? 500)
    : null;
  ticker?.unref();

  const onAttempt = (result: AttemptResult, attemptNumber: number) => {
    counters.requests++;
    if (attemptNumber > 1) counters.retries++;
    const key = result.kind === 'status' ? String(result.status) : 'network';
    counters.statusCounts[key] = (counters.statusCounts[key] ?? 0) + 1;
    if (result.kind === 'network') counters.lastError = result.code;
    else if (result.status < 200 || result.status >= 300) counters.lastError = String(result.status);
  };
  const settle = (delivery: PlannedDelivery, result: DeliveryResult) => {
    consecutiveFailures = result.outcome === 'failed' ? consecutiveFailures + 1 : 0;
    if (consecutiveFailures >= maxConsecutiveFailures) giveUp.abort();
    if (result.outcome === 'acknowledged') {
      counters.acknowledged++;
      if (trackIds) for (const event of delivery.events) acknowledgedEventIds.add(event.id);
    } else if (result.outcome === 'rejected') counters.rejected++;
    else if (result.outcome === 'failed') counters.failed++;
    else counters.abortedDeliveries++;
  };

  // A tiny semaphore: the loop waits for a free slot before it sends the next delivery.
  let wakeSlot: (() => void) | null = null;
  const inFlight = new Set<Promise<void>>();
  let rateSlotMs = wallStart;

  try {
    for (const delivery of plan) {
      if (signal.aborted) break;
      const newestEventMs = Math.max(...delivery.events.map((event) => Date.parse(event.time)));
      const timelineDue = followTimeline ? wallStart + (newestEventMs - startTime) : 0;
      const now = Date.now();
      rateSlotMs = Math.max(rateSlotMs, now - 250); // after a stall, do not burst to catch up
      const due = Math.max(rateSlotMs, timelineDue);
      if (Number.isFinite(rate)) rateSlotMs += (delivery.events.length * 1000) / rate;
      if (due - now >= 1) await sleep(due - now, undefined, { signal }).catch(() => undefined);
      while (counters.inFlight >= concurrency && !signal.aborted) {
        await new Promise<void>((resolve) => (wakeSlot = resolve));
      }
      if (signal.aborted) break;

      record(counters, delivery, executionSids);
      const body = JSON.stringify(delivery.events);
      let attemptNumber = 0;
      counters.inFlight++;
      const task = sender
        .deliver(body, policy, signal, (result) => onAttempt(result, ++attemptNumber))
        .then((result) => settle(delivery, result))
        .finally(() => {
          counters.inFlight--;
          inFlight.delete(task);
          const wake = wakeSlot;
          wakeSlot = null;
          wake?.();
        });
      inFlight.add(task);
    }
    await Promise.all(inFlight);
  } finally {
    if (ticker) clearInterval(ticker);
    sender.close();
  }
  counters.executions = executionSids.size;
  const summary: TrafficSummary = {
    ...progress(),
    acknowledgedEventIds,
    aborted: options.signal?.aborted ?? false,
    gaveUp: giveUp.signal.aborted,
  };
  options.onProgress?.(progress());
  return summary;
}

function record(counters: TrafficCounters, delivery: PlannedDelivery, executionSids: Set<string>): void {
  counters.deliveries++;
  counters.events += delivery.events.length;
  if (delivery.events.length > 1) counters.batchedDeliveries++;
  if (delivery.reordered) counters.reorderedDeliveries++;
  if (delivery.duplicate) {
    counters.duplicateDeliveries++;
    counters.duplicateEvents += delivery.events.length;
    return;
  }
  counters.distinctEvents += delivery.events.length;
  for (const event of delivery.events) executionSids.add(event.data.execution_sid);
  counters.executions = executionSids.size;
}
