/**
 * An established connection: the tunnel under its supervisor, and the sink + subscription that
 * point at it. Follows tunnel URL changes and tears everything down on disconnect.
 *
 * Invariants:
 * - A sink's destination cannot change (DESIGN.md section 7): a new tunnel URL means a new sink
 *   and subscription, verification switched to the new URL, THEN the old sink deleted. In between
 *   Twilio may deliver to both; duplicates are harmless (the event id is the idempotency key).
 * - A re-point that fails removes what it created and retries later; a re-point that finds the
 *   connection torn down removes what it created itself. Teardown waits for it, so when
 *   teardown resolves nothing of this connection is left in the account (or the problems are
 *   reported, to be cleaned as orphans at the next start or Connect).
 * - A sink that cannot be deleted (the old one after a re-point, or one a failed re-point made)
 *   is never forgotten: it is kept in `pending`, retried while connected, tried again at
 *   teardown, and every one still left is among teardown's problems, so the caller keeps the
 *   leftover flag set.
 * - Teardown is bounded by its time budget; the tunnel is closed whatever Twilio does.
 */
import { sinkDestinationUrl } from '../receiver/public-url.js';
import type { TunnelSupervisor } from '../tunnel/tunnel-supervisor.js';
import type { EventStreamsApi, EventTypeSelection } from '../twilio/event-streams.js';
import { formatResourceDescription } from '../twilio/resource-tag.js';
import type { ConnectionDeps } from './connection-deps.js';
import type { StatusBoard } from './connection-status.js';
import { displayUrl } from './display-url.js';
import { describeRemoval, PendingRemovals, removeOne, type PendingRemoval } from './pending-removals.js';
import { withBasicGuard, type Removal } from './provisioning.js';
import { describeSinkTestFailure, sendSinkTestAndWait } from './sink-test.js';

export interface LiveResources {
  sinkSid: string;
  subscriptionSid: string;
  /** The tunnel's URL these resources were made for (without any Basic guard). */
  tunnelUrl: string;
  /** What the receiver verifies against (tunnel URL, with the Basic guard when there is one). */
  publicUrl: string;
}

export interface LiveConnectionContext {
  deps: ConnectionDeps;
  board: StatusBoard;
  api: EventStreamsApi;
  supervisor: TunnelSupervisor;
  installId: string;
  receiverPath: string;
  verificationToken: string | null;
  guardPassword: string | null;
  types: readonly EventTypeSelection[];
  describe(error: unknown): string;
}

/** Appended to the warning about a sink that could not be deleted while connected. */
const RETRY_NOTE = 'Flowscope tries again later, and at Disconnect.';

export class LiveConnection {
  private resources: LiveResources;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private repointing: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;
  /** Sinks that could not be deleted yet. */
  private readonly pending: PendingRemovals;

  constructor(
    private readonly context: LiveConnectionContext,
    initial: LiveResources,
  ) {
    this.resources = initial;
    this.pending = new PendingRemovals({
      api: context.api,
      describe: context.describe,
      retryMs: context.deps.sinkDeleteRetryMs,
      onRemoved: (removal, note) => {
        if (note === null) return; // never reported (teardown's own attempts)
        context.board.unwarn(note);
        context.deps.log(`deleted ${describeRemoval(removal)}, which an earlier attempt could not delete`);
      },
    });
    this.unsubscribe = context.supervisor.on('url', (url) => this.follow(url));
    // The URL may have changed while Connect was still creating the sink.
    const url = context.supervisor.url;
    if (url !== null) this.follow(url);
  }

  get current(): Readonly<LiveResources> {
    return this.resources;
  }

  /**
   * Deletes the sink (and its subscription) and every sink left by earlier re-points, closes the
   * tunnel, restores the receiver's verification. `problems` has one sentence per sink (or
   * sweep) still left in the account.
   */
  async teardown(budgetMs: number): Promise<Removal & { timedOut: boolean }> {
    this.closed = true;
    this.unsubscribe();
    this.abort.abort();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.pending.stop();
    const { deps, supervisor } = this.context;
    const removedSinks: string[] = [];
    const removing = (async () => {
      const current = this.resources.sinkSid;
      this.pending.add({ kind: 'sink', sinkSid: current }, `Sink ${current} was not deleted.`);
      const first = await this.pending.flush();
      removedSinks.push(...first.removedSinks);
      // A re-point in flight removes what it made once it sees `closed`; what it could not
      // remove (or the old sink it was deleting) lands in `pending`: one more try for those.
      await this.repointing;
      const tried = new Set(first.attempted);
      const late = await this.pending.flush((key) => !tried.has(key));
      removedSinks.push(...late.removedSinks);
      return true;
    })();
    const finished = await withinBudget(removing, budgetMs);
    await supervisor.stop();
    deps.host.setVerification(deps.baselineVerification);
    if (finished === null) {
      const seconds = Math.round(budgetMs / 1000);
      const problems = this.pending.removals().map((removal) => `Twilio did not answer within ${seconds} s while deleting ${describeRemoval(removal)}.`);
      return { removedSinks: [...removedSinks], problems, timedOut: true };
    }
    return { removedSinks, problems: this.pending.problems(), timedOut: false };
  }

  private follow(url: string): void {
    if (this.closed || this.repointing !== null || url === this.resources.tunnelUrl) return;
    const run = this.repoint(url).finally(() => {
      this.repointing = null;
      // The URL may have moved again while this re-point ran.
      const latest = this.context.supervisor.url;
      if (!this.closed && latest !== null && latest !== this.resources.tunnelUrl && this.retryTimer === null) this.follow(latest);
    });
    this.repointing = run;
  }

  private async repoint(tunnelUrl: string): Promise<void> {
    const { api, board, deps, describe, receiverPath, verificationToken, guardPassword } = this.context;
    board.step('repoint', 'running', `The tunnel URL changed to ${tunnelUrl}: creating a sink for it`);
    const publicUrl = guardPassword === null ? tunnelUrl : withBasicGuard(tunnelUrl, guardPassword);
    const destination = sinkDestinationUrl(publicUrl, receiverPath);
    const description = formatResourceDescription({ installId: this.context.installId, host: deps.hostLabel, createdAt: deps.now() });
    const previous = this.resources;
    let sinkSid: string | null = null;
    let uncertain = false;
    try {
      const sink = await api.createWebhookSink({ destinationUrl: destination, description, batchEvents: true }).catch((error: unknown) => {
        uncertain = true;
        throw error;
      });
      sinkSid = sink.sid;
      uncertain = false;
      if (this.closed) throw new Error('closed');
      deps.host.setVerification({ authToken: verificationToken, publicUrl });
      const subscription = await api.createSubscription({ sinkSid: sink.sid, description, types: this.context.types });
      if (this.closed) throw new Error('closed');
      this.resources = { sinkSid: sink.sid, subscriptionSid: subscription.sid, tunnelUrl, publicUrl };
    } catch (error) {
      const made: PendingRemoval[] = sinkSid === null ? [] : [{ kind: 'sink', sinkSid }];
      if (uncertain) made.push({ kind: 'sweep', description });
      await this.removeOrKeep(made);
      if (this.closed) return;
      deps.host.setVerification({ authToken: verificationToken, publicUrl: previous.publicUrl });
      const seconds = Math.max(1, Math.round(deps.repointRetryMs / 1000));
      board.step('repoint', 'failed', `Could not re-point the sink to ${tunnelUrl}: ${describe(error)} Retrying in ${seconds} s.`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        const latest = this.context.supervisor.url;
        if (latest !== null) this.follow(latest);
      }, deps.repointRetryMs);
      this.retryTimer.unref();
      return;
    }
    board.update({
      sinkSid: this.resources.sinkSid,
      subscriptionSid: this.resources.subscriptionSid,
      publicUrl: displayUrl(publicUrl),
      destinationUrl: displayUrl(destination),
    });
    const oldSinkLeft = (await this.removeOrKeep([{ kind: 'sink', sinkSid: previous.sinkSid }])) > 0;
    const oldSink = oldSinkLeft ? `old sink ${previous.sinkSid} could not be deleted yet` : `old sink ${previous.sinkSid} deleted`;
    const outcome = await sendSinkTestAndWait({
      source: deps.host,
      request: () => api.testSink(this.resources.sinkSid),
      timeoutMs: deps.sinkTestTimeoutMs,
      refusalGraceMs: deps.sinkTestRefusalGraceMs,
      signal: this.abort.signal,
    }).catch((error: unknown) => ({ ok: false as const, reason: 'timeout' as const, refusedMeanwhile: 0, otherRefusedMeanwhile: 0, error }));
    if (this.closed) return;
    if (outcome.ok) {
      board.update({ lastSinkTest: { receivedAt: outcome.arrival.receivedAt, roundTripMs: outcome.roundTripMs } });
      board.step('repoint', 'done', `Sink ${this.resources.sinkSid} now delivers to ${displayUrl(destination)}; ${oldSink}; test event arrived.`);
    } else {
      const why = 'error' in outcome ? describe(outcome.error) : describeSinkTestFailure(outcome, displayUrl(destination), deps.sinkTestTimeoutMs);
      board.step('repoint', 'done', `Sink ${this.resources.sinkSid} now delivers to ${displayUrl(destination)}; ${oldSink}.`);
      board.warn(`After the tunnel URL changed, the test event did not come through: ${why}`);
    }
  }

  /**
   * Deletes what a re-point made or replaced. What cannot be deleted now goes to `pending` (with
   * a warning while connected); returns how many did.
   */
  private async removeOrKeep(removals: readonly PendingRemoval[]): Promise<number> {
    const { api, board, describe } = this.context;
    let kept = 0;
    for (const removal of removals) {
      const outcome = await removeOne(api, removal, describe);
      if (outcome.problems.length === 0) continue;
      const problem = outcome.problems.join(' ');
      const note = this.closed ? null : `${problem} ${RETRY_NOTE}`;
      this.pending.add(removal, problem, note);
      if (note !== null) board.warn(note);
      kept += 1;
    }
    return kept;
  }
}

/** The promise's value, or null when it did not settle within `ms` (it keeps running). */
export async function withinBudget<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
