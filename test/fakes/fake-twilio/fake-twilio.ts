/**
 * A fake Twilio REST API on loopback (port 0) for tests: the account fetch of the 2010-04-01 API
 * and the Event Streams (events v1) subset Flowscope uses, with Twilio's parameter names, status
 * codes, response shapes and error bodies (fake-routes.ts). Point the real twilio client at it
 * with `createTwilioClient(credentials, { apiBaseUrl: fake.baseUrl })` (or
 * FLOWSCOPE_TWILIO_API_URL).
 *
 * Like Twilio, it delivers signed CloudEvents to sinks (fake-delivery.ts): the test event on
 * POST /v1/Sinks/{Sid}/Test, and Studio traffic on `deliver(events)` to every sink subscribed
 * to the events' types. Test controls are plain methods, never HTTP:
 *   fake.failNext('createSubscription', { status: 500, code: 20500 })   // next call fails
 *   fake.failNext('deleteSink', { network: 'reset' })                   // connection dropped
 *   fake.failNext('createSink', { network: 'reset-after' })             // created, answer lost
 *   fake.failNext('listSink', { network: 'hang' })                      // never answered
 *   await fake.deliver(events, { batchSize: 5, duplicateRate: 0.2, reorderRate: 0.2, seed: 7 })
 *   await fake.settled()                                                // in-flight deliveries done
 *   fake.sinks(), fake.subscriptions(), fake.requests, fake.deliveries
 *
 * The request log keeps the Basic-auth user name (a SID), never the password.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RetryPolicy } from '../../../src/core/demo/delivery-sender.js';
import { FakeApiError, authenticateError, notFoundError, paramsRecord, parseBasicAuth, readForm, sendJson, twilioErrorBody } from './fake-http.js';
import { matchRoute, pathParamsValid, type FakeOperation } from './fake-routes.js';
import {
  FakeTwilioState,
  newFakeAccount,
  type FakeAccount,
  type FakeAccountConfig,
  type SinkRecord,
  type SubscriptionRecord,
} from './fake-state.js';
import {
  FAST_RETRY,
  loopbackOnly,
  planRequests,
  sendToSink,
  sinkTestEvent,
  type CloudEventLike,
  type DeliveryRecord,
  type DeliveryShapeOptions,
  type DestinationResolver,
  type SinkTarget,
} from './fake-delivery.js';

export type InjectedFailure =
  /** A Twilio error answer (code defaults to status * 100); nothing changes. */
  | { status: number; code?: number; message?: string }
  /** The connection drops before the request is handled; nothing changes. */
  | { network: 'reset' }
  /** The request IS handled (a sink gets created...), then the answer is lost: the client sees a network error. */
  | { network: 'reset-after' }
  /** No answer at all (the client times out); nothing changes. */
  | { network: 'hang' };

export interface RecordedRequest {
  operation: FakeOperation | null;
  method: string;
  path: string;
  query: Record<string, string[]>;
  form: Record<string, string[]>;
  /** 0 when the connection was dropped on purpose. */
  status: number;
  body: unknown;
  /** Basic-auth user name (Account or API Key SID); never the password. */
  username: string | null;
}

export interface FakeTwilioOptions {
  /** Default: one fresh account (with one API key). The first is the primary `account`. */
  accounts?: FakeAccountConfig[];
  resolveDestination?: DestinationResolver;
  retry?: RetryPolicy;
}

export interface DeliverOptions extends DeliveryShapeOptions {
  /** Whose sinks receive the events (default: the primary account). */
  accountSid?: string;
}

export interface FakeTwilio {
  readonly baseUrl: string;
  /** The primary account. */
  readonly account: FakeAccount;
  readonly accounts: ReadonlyMap<string, FakeAccount>;
  readonly requests: RecordedRequest[];
  readonly deliveries: DeliveryRecord[];
  /** The primary account's Account SID + Auth Token. */
  authTokenCredentials(): { accountSid: string; authToken: string };
  /** The primary account's Account SID + its first API key. */
  apiKeyCredentials(): { accountSid: string; apiKeySid: string; apiKeySecret: string };
  addAccount(config: FakeAccountConfig): FakeAccount;
  /** Snapshot of the sinks (of one account, or all). */
  sinks(accountSid?: string): SinkRecord[];
  subscriptions(accountSid?: string): SubscriptionRecord[];
  /** The next `times` calls of `operation` (after authentication) fail this way. */
  failNext(operation: FakeOperation, failure: InjectedFailure, times?: number): void;
  setDestinationResolver(resolver: DestinationResolver): void;
  /** Delivers to every subscribed sink; resolves when every request is settled. */
  deliver(events: readonly CloudEventLike[], options?: DeliverOptions): Promise<DeliveryRecord[]>;
  /** Resolves when every delivery started so far (sink tests included) is settled. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export async function createFakeTwilio(options: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  const state = new FakeTwilioState();
  for (const config of options.accounts ?? [newFakeAccount()]) state.addAccount(config);
  const primary = state.accounts.values().next().value;
  if (primary === undefined) throw new Error('the fake Twilio needs at least one account');
  const requests: RecordedRequest[] = [];
  const deliveries: DeliveryRecord[] = [];
  const failures = new Map<FakeOperation, InjectedFailure[]>();
  const inFlight = new Set<Promise<unknown>>();
  const abort = new AbortController();
  let resolveDestination = options.resolveDestination ?? loopbackOnly;
  const retry = options.retry ?? FAST_RETRY;

  const targetOf = (sink: SinkRecord): SinkTarget => ({
    sid: sink.sid,
    destination: String(sink.sinkConfiguration.destination ?? ''),
    method: String(sink.sinkConfiguration.method ?? 'POST'),
    batchEvents: sink.sinkConfiguration.batch_events === true,
    authToken: state.accounts.get(sink.accountSid)?.authToken ?? '',
  });

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  function send(sink: SinkRecord, events: readonly CloudEventLike[], shape: DeliveryShapeOptions): Promise<DeliveryRecord[]> {
    const target = targetOf(sink);
    return track(
      sendToSink(target, planRequests(events, target.batchEvents, shape), {
        resolve: (destination) => resolveDestination(destination),
        retry,
        signal: abort.signal,
        onRecord: (record) => {
          deliveries.push(record);
          if (record.outcome === 'acknowledged' && sink.status === 'initialized') sink.status = 'active';
        },
      }),
    );
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake.twilio.invalid');
    const method = req.method ?? 'GET';
    const credentials = parseBasicAuth(req.headers.authorization);
    const record: RecordedRequest = {
      operation: null,
      method,
      path: url.pathname,
      query: paramsRecord(url.searchParams),
      form: {},
      status: 0,
      body: undefined,
      username: credentials?.username ?? null,
    };
    requests.push(record);
    const answer = (status: number, body?: unknown, headers?: Record<string, string>) => {
      record.status = status;
      record.body = body;
      sendJson(res, status, body, headers);
    };
    try {
      const form = await readForm(req);
      record.form = paramsRecord(form);
      const account = credentials === null ? null : state.authenticate(credentials.username, credentials.password);
      if (account === null) throw authenticateError();
      const matched = matchRoute(method, url.pathname);
      if (matched === null || !pathParamsValid(matched.pathParams)) throw notFoundError(url.pathname);
      record.operation = matched.route.operation;
      const failure = failures.get(matched.route.operation)?.shift();
      if (failure !== undefined && 'status' in failure) {
        throw new FakeApiError(failure.status, failure.code ?? failure.status * 100, failure.message ?? 'Injected failure');
      }
      if (failure !== undefined && failure.network !== 'reset-after') {
        if (failure.network === 'reset') req.socket.destroy();
        return; // 'hang': the socket stays open until the client gives up or the fake closes
      }
      const result = matched.route.handle({
        state,
        account,
        path: url.pathname,
        pathParams: matched.pathParams,
        query: url.searchParams,
        form,
        onSinkTest: (sink) => void send(sink, [sinkTestEvent()], {}),
      });
      if (failure !== undefined) {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      answer(result.status, result.body);
    } catch (error) {
      if (error instanceof FakeApiError) {
        answer(error.status, error.body(), error.status === 401 ? { 'www-authenticate': 'Basic realm="Twilio API"' } : {});
      } else {
        answer(500, twilioErrorBody(500, 20500, 'Internal Server Error'));
      }
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const settled = async () => {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    account: primary,
    accounts: state.accounts,
    requests,
    deliveries,
    authTokenCredentials: () => ({ accountSid: primary.sid, authToken: primary.authToken }),
    apiKeyCredentials() {
      const key = primary.apiKeys[0];
      if (key === undefined) throw new Error('the primary fake account has no API key');
      return { accountSid: primary.sid, apiKeySid: key.sid, apiKeySecret: key.secret };
    },
    addAccount: (config) => state.addAccount(config),
    sinks: (accountSid) => [...state.sinks.values()].filter((s) => accountSid === undefined || s.accountSid === accountSid).map((s) => ({ ...s })),
    subscriptions: (accountSid) =>
      [...state.subscriptions.values()].filter((s) => accountSid === undefined || s.accountSid === accountSid).map((s) => ({ ...s })),
    failNext(operation, failure, times = 1) {
      const queue = failures.get(operation) ?? [];
      for (let i = 0; i < times; i++) queue.push(failure);
      failures.set(operation, queue);
    },
    setDestinationResolver(resolver) {
      resolveDestination = resolver;
    },
    async deliver(events, deliverOptions = {}) {
      const accountSid = deliverOptions.accountSid ?? primary.sid;
      const sends: Promise<DeliveryRecord[]>[] = [];
      for (const sink of state.sinksOf(accountSid)) {
        const types = new Set(state.subscriptionsOf(accountSid).filter((s) => s.sinkSid === sink.sid).flatMap((s) => s.types.map((t) => t.type)));
        const selected = events.filter((event) => types.has(event.type));
        if (selected.length > 0) sends.push(send(sink, selected, deliverOptions));
      }
      return (await Promise.all(sends)).flat();
    },
    settled,
    async close() {
      abort.abort();
      await settled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

export { newFakeAccount, type FakeAccount, type FakeAccountConfig };
export { tunnelResolver, loopbackOnly, sinkTestEvent, type DeliveryRecord, type CloudEventLike, type DestinationResolver } from './fake-delivery.js';
export { FAKE_OPERATIONS, FAKE_ROUTES, type FakeOperation } from './fake-routes.js';
