/**
 * Turns a time-ordered stream of events into webhook deliveries the way Twilio Event Streams
 * delivers them: at least once and unordered (DESIGN.md section 4).
 *
 * - Most deliveries carry one event; a share (`batchRate`) are batches of 2..`batchMax`.
 * - A share (`reorderRate`) are held back until a later delivery of the same execution went out
 *   (or `maxHoldBack` deliveries passed): that is what makes a step arrive before its execution's
 *   `started`, or an `ended` before the last step.
 * - A share (`duplicateRate`) are delivered again, 1..`maxDuplicateDelay` deliveries later, with
 *   the same events and ids (a retry after a lost acknowledgement).
 *
 * Invariant: every input event is delivered at least once; only duplicates add copies. Lazy with
 * bounded memory. Deterministic for a given seed and input.
 */
import type { DemoCloudEvent } from './execution-script.js';
import { createRandom } from './seeded-random.js';

export interface DeliveryPlanOptions {
  seed: number;
  /** Largest batch (1 = never batch). Default 10. */
  batchMax?: number;
  /** Share of deliveries that are batches (when batchMax > 1). Default 0.2. */
  batchRate?: number;
  /** Share of deliveries delivered a second time later. Default 0.03. */
  duplicateRate?: number;
  /** Share of deliveries held back behind later ones. Default 0.08. */
  reorderRate?: number;
  /** A held delivery goes out at the latest this many deliveries later. Default 25. */
  maxHoldBack?: number;
  /** A duplicate goes out 1..this many deliveries after its original. Default 20. */
  maxDuplicateDelay?: number;
}

export interface PlannedDelivery {
  /** Position in the plan (0-based, in send order). */
  index: number;
  /** Sequence number of the original delivery (a duplicate shares its original's). */
  original: number;
  events: DemoCloudEvent[];
  /** A second delivery of events already delivered. */
  duplicate: boolean;
  /** Held back: sent after deliveries that were formed later. */
  reordered: boolean;
}

interface Held {
  delivery: Omit<PlannedDelivery, 'index'>;
  executionSids: Set<string>;
  releaseAt: number;
}

interface ScheduledDuplicate {
  delivery: Omit<PlannedDelivery, 'index'>;
  dueAt: number;
}

const executionsOf = (events: DemoCloudEvent[]) => new Set(events.map((event) => event.data.execution_sid));

export function* planDeliveries(
  events: Iterable<DemoCloudEvent>,
  options: DeliveryPlanOptions,
): Generator<PlannedDelivery> {
  const random = createRandom(options.seed);
  const batchMax = Math.max(1, Math.floor(options.batchMax ?? 10));
  const batchRate = options.batchRate ?? 0.2;
  const duplicateRate = options.duplicateRate ?? 0.03;
  const reorderRate = options.reorderRate ?? 0.08;
  const maxHoldBack = Math.max(1, options.maxHoldBack ?? 25);
  const maxDuplicateDelay = Math.max(1, options.maxDuplicateDelay ?? 20);

  let held: Held[] = [];
  let duplicates: ScheduledDuplicate[] = [];
  /** Original sequence -> how many deliveries after the original goes out its duplicate follows. */
  const duplicateDelays = new Map<number, number>();
  const output: PlannedDelivery[] = [];
  let index = 0;
  let sequence = 0;

  const emit = (delivery: Omit<PlannedDelivery, 'index'>): void => {
    output.push({ ...delivery, index: index++ });
    const delay = delivery.duplicate ? undefined : duplicateDelays.get(delivery.original);
    if (delay !== undefined) {
      // counted from when the original actually goes out, so a duplicate never precedes it
      duplicateDelays.delete(delivery.original);
      duplicates.push({ delivery: { ...delivery, duplicate: true, reordered: false }, dueAt: sequence - 1 + delay });
    }
    if (held.length === 0 || delivery.duplicate) return;
    // A held delivery follows the first later-formed delivery of one of its executions.
    const sids = executionsOf(delivery.events);
    const released = held.filter(
      (entry) => entry.delivery.original < delivery.original && [...entry.executionSids].some((s) => sids.has(s)),
    );
    if (released.length === 0) return;
    held = held.filter((entry) => !released.includes(entry));
    for (const entry of released) emit(entry.delivery);
  };

  const iterator = events[Symbol.iterator]();
  let exhausted = false;
  while (!exhausted) {
    const size = batchMax > 1 && random.chance(batchRate) ? random.int(2, batchMax) : 1;
    const batch: DemoCloudEvent[] = [];
    while (batch.length < size) {
      const next = iterator.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    const seq = sequence++;
    const holdBack = random.chance(reorderRate);
    const duplicateDelay = random.chance(duplicateRate) ? random.int(1, maxDuplicateDelay) : 0;
    if (duplicateDelay > 0) duplicateDelays.set(seq, duplicateDelay);

    if (holdBack) {
      held.push({
        delivery: { original: seq, events: batch, duplicate: false, reordered: true },
        executionSids: executionsOf(batch),
        releaseAt: seq + maxHoldBack,
      });
    } else {
      emit({ original: seq, events: batch, duplicate: false, reordered: false });
    }

    const overdue = held.filter((entry) => entry.releaseAt <= seq);
    if (overdue.length > 0) held = held.filter((entry) => entry.releaseAt > seq);
    for (const entry of overdue) emit(entry.delivery);
    const due = duplicates.filter((entry) => entry.dueAt <= seq);
    if (due.length > 0) duplicates = duplicates.filter((entry) => entry.dueAt > seq);
    for (const entry of due) emit(entry.delivery);

    yield* output.splice(0);
  }
  const stillHeld = held;
  held = []; // emptied first: emit() must not release these a second time
  for (const entry of stillHeld) emit(entry.delivery);
  for (const entry of duplicates.sort((x, y) => x.dueAt - y.dueAt)) emit(entry.delivery);
  yield* output.splice(0);
}
