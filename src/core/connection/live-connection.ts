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
 *   reported, to be cleaned as orphans at the next Connect).
 * - Teardown is bounded by its time budget; the tunnel is closed whatever Twilio does.
 */
import { sinkDestinationUrl } from '../receiver/public-url.js';
import type { TunnelSupervisor } from '../tunnel/tunnel-supervisor.js';
import type { EventStreamsApi, EventTypeSelection } from '../twilio/event-streams.js';
import { formatResourceDescription } from '../twilio/resource-tag.js';
import type { ConnectionDeps } from './connection-deps.js';
import type { StatusBoard } from './connection-status.js';
import { displayUrl } from './display-url.js';
import { removeCreated, withBasicGuard, type Removal } from './provisioning.js';
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

export class LiveConnection {
  private resources: LiveResources;
  private closed = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private repointing: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly context: LiveConnectionContext,
    initial: LiveResources,
  ) {
    this.resources = initial;
    this.unsubscribe = context.supervisor.on('url', (url) => this.follow(url));
    // The URL may have changed while Connect was still creating the sink.
    const url = context.supervisor.url;
    if (url !== null) this.follow(url);
  }

  get current(): Readonly<LiveResources> {
    return this.resources;
  }

  /** Deletes the sink (and its subscription), closes the tunnel, restores the receiver's verification. */
  async teardown(budgetMs: number): Promise<Removal & { timedOut: boolean }> {
    this.closed = true;
    this.unsubscribe();
    this.abort.abort();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    const { api, deps, describe, supervisor } = this.context;
    const removing = (async () => {
      const removal = await removeCreated(api, [this.resources.sinkSid], null, describe);
      await this.repointing; // a re-point in flight removes its own sink once it sees `closed`
      return removal;
    })();
    const removal = await withinBudget(removing, budgetMs);
    await supervisor.stop();
    deps.host.setVerification(deps.baselineVerification);
    if (removal === null) {
      return { removedSinks: [], problems: [`Twilio did not answer within ${Math.round(budgetMs / 1000)} s while deleting sink ${this.resources.sinkSid}.`], timedOut: true };
    }
    return { ...removal, timedOut: false };
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
      await removeCreated(api, sinkSid === null ? [] : [sinkSid], uncertain ? description : null, describe);
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
    const removal = await removeCreated(api, [previous.sinkSid], null, describe);
    for (const problem of removal.problems) board.warn(`${problem} Flowscope removes it at the next Connect.`);
    const outcome = await sendSinkTestAndWait({
      source: deps.host,
      request: () => api.testSink(this.resources.sinkSid),
      timeoutMs: deps.sinkTestTimeoutMs,
      signal: this.abort.signal,
    }).catch((error: unknown) => ({ ok: false as const, reason: 'timeout' as const, refusedMeanwhile: 0, error }));
    if (this.closed) return;
    if (outcome.ok) {
      board.update({ lastSinkTest: { receivedAt: outcome.arrival.receivedAt, roundTripMs: outcome.roundTripMs } });
      board.step('repoint', 'done', `Sink ${this.resources.sinkSid} now delivers to ${displayUrl(destination)}; old sink ${previous.sinkSid} deleted; test event arrived.`);
    } else {
      const why = 'error' in outcome ? describe(outcome.error) : describeSinkTestFailure(outcome, displayUrl(destination), deps.sinkTestTimeoutMs);
      board.step('repoint', 'done', `Sink ${this.resources.sinkSid} now delivers to ${displayUrl(destination)}; old sink ${previous.sinkSid} deleted.`);
      board.warn(`After the tunnel URL changed, the test event did not come through: ${why}`);
    }
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
