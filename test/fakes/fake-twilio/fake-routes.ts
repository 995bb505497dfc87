/**
 * The fake Twilio's routes: the account fetch of the 2010-04-01 API and the events v1 subset
 * Flowscope uses. Parameter names, status codes and response shapes follow
 * ../shared/twilio-oai/twilio_events_v1.json (checked by test/core/twilio/fake-twilio-spec.test.ts);
 * `operation` is the spec's operationId with a lower-case first letter.
 *
 * Choices where the spec is silent (documented so tests do not mistake them for Twilio facts):
 * - a malformed SID in a path is answered 404 20404 (the route does not exist), as Twilio does;
 * - a bad parameter is answered 400 with code 20001 ("Invalid parameter");
 * - deleting a sink that a subscription still uses is refused (400 20001): stricter than what
 *   Twilio documents, so that clients that delete in the wrong order are caught.
 */
import { authenticateError, invalidParameter, missingParameter, newSid, notFoundError } from './fake-http.js';
import { listPage } from './fake-paging.js';
import {
  accountJson,
  sinkJson,
  subscribedEventJson,
  subscriptionJson,
  type EventTypeEntry,
  type FakeAccount,
  type FakeTwilioState,
  type SinkRecord,
  type SubscriptionRecord,
} from './fake-state.js';

export const FAKE_OPERATIONS = [
  'fetchAccount',
  'listSink',
  'createSink',
  'fetchSink',
  'updateSink',
  'deleteSink',
  'createSinkTest',
  'listSubscription',
  'createSubscription',
  'fetchSubscription',
  'updateSubscription',
  'deleteSubscription',
  'listSubscribedEvent',
] as const;
export type FakeOperation = (typeof FAKE_OPERATIONS)[number];

export interface RouteContext {
  state: FakeTwilioState;
  account: FakeAccount;
  path: string;
  pathParams: Record<string, string>;
  query: URLSearchParams;
  form: URLSearchParams;
  onSinkTest(sink: SinkRecord): void;
}

export interface RouteAnswer {
  status: number;
  body?: unknown;
}

export interface FakeRoute {
  operation: FakeOperation;
  method: 'GET' | 'POST' | 'DELETE';
  /** The path template as in the spec (null: not in the events spec). */
  specPath: string | null;
  pattern: RegExp;
  handle(context: RouteContext): RouteAnswer;
}

const SID_PATTERNS: Record<string, RegExp> = {
  Sid: /^(DG|DF|AC)[0-9a-fA-F]{32}$/,
  SubscriptionSid: /^DF[0-9a-fA-F]{32}$/,
};
const SINK_SID = /^DG[0-9a-fA-F]{32}$/;
const SINK_TYPES = ['kinesis', 'webhook', 'segment', 'email'];

/** Path params that do not look like the spec's SIDs: no such route, as Twilio answers. */
export function pathParamsValid(params: Record<string, string>): boolean {
  return Object.entries(params).every(([name, value]) => SID_PATTERNS[name]?.test(value) ?? true);
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null || value === '') throw missingParameter(name);
  return value;
}

function parseJsonObject(text: string, name: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidParameter(`Invalid ${name}: not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidParameter(`Invalid ${name}: expected a JSON object`);
  return value as Record<string, unknown>;
}

function checkWebhookConfiguration(configuration: Record<string, unknown>): void {
  const { destination, method, batch_events: batchEvents } = configuration;
  let url: URL | null = null;
  try {
    url = typeof destination === 'string' ? new URL(destination) : null;
  } catch {
    url = null;
  }
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw invalidParameter('Invalid SinkConfiguration: destination must be an absolute http(s) URL');
  }
  if (method !== 'POST' && method !== 'GET') throw invalidParameter('Invalid SinkConfiguration: method must be POST or GET');
  if (batchEvents !== undefined && typeof batchEvents !== 'boolean') throw invalidParameter('Invalid SinkConfiguration: batch_events must be a boolean');
}

function parseTypes(values: string[]): EventTypeEntry[] {
  if (values.length === 0) throw missingParameter('Types');
  return values.map((text) => {
    const entry = parseJsonObject(text, 'Types');
    const version = entry.schema_version ?? 1;
    if (typeof entry.type !== 'string' || entry.type === '') throw invalidParameter('Invalid Types: each entry needs a "type"');
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw invalidParameter('Invalid Types: schema_version must be a positive integer');
    return { type: entry.type, schema_version: version };
  });
}

function sinkOf(context: RouteContext): SinkRecord {
  const sink = context.state.sinks.get(context.pathParams.Sid ?? '');
  if (sink === undefined || sink.accountSid !== context.account.sid) throw notFoundError(context.path);
  return sink;
}

function subscriptionOf(context: RouteContext, param = 'Sid'): SubscriptionRecord {
  const subscription = context.state.subscriptions.get(context.pathParams[param] ?? '');
  if (subscription === undefined || subscription.accountSid !== context.account.sid) throw notFoundError(context.path);
  return subscription;
}

const route = (operation: FakeOperation, method: FakeRoute['method'], specPath: string | null, pattern: RegExp, handle: FakeRoute['handle']): FakeRoute => ({
  operation,
  method,
  specPath,
  pattern,
  handle,
});

export const FAKE_ROUTES: readonly FakeRoute[] = [
  route('fetchAccount', 'GET', null, /^\/2010-04-01\/Accounts\/(?<Sid>[^/]+)\.json$/, (context) => {
    // Credentials only open their own account (an API key: the account it belongs to).
    if (context.pathParams.Sid !== context.account.sid) throw authenticateError();
    return { status: 200, body: accountJson(context.account) };
  }),

  route('listSink', 'GET', '/v1/Sinks', /^\/v1\/Sinks$/, ({ state, account, query }) => {
    let sinks = state.sinksOf(account.sid);
    const inUse = query.get('InUse');
    if (inUse !== null) {
      if (inUse !== 'true' && inUse !== 'false') throw invalidParameter(`Invalid InUse: ${inUse}`);
      const used = new Set(state.subscriptionsOf(account.sid).map((s) => s.sinkSid));
      sinks = sinks.filter((sink) => used.has(sink.sid) === (inUse === 'true'));
    }
    const status = query.get('Status');
    if (status !== null) sinks = sinks.filter((sink) => sink.status === status);
    return { status: 200, body: listPage(sinks.map(sinkJson), query, '/v1/Sinks', 'sinks', ['InUse', 'Status']) };
  }),

  route('createSink', 'POST', '/v1/Sinks', /^\/v1\/Sinks$/, ({ state, account, form }) => {
    const description = required(form, 'Description');
    const configuration = parseJsonObject(required(form, 'SinkConfiguration'), 'SinkConfiguration');
    const sinkType = required(form, 'SinkType');
    if (!SINK_TYPES.includes(sinkType)) throw invalidParameter(`Invalid SinkType: ${sinkType}`);
    if (sinkType === 'webhook') checkWebhookConfiguration(configuration);
    const now = new Date();
    const sink: SinkRecord = {
      sid: newSid('DG'),
      accountSid: account.sid,
      description,
      sinkType,
      sinkConfiguration: configuration,
      status: 'initialized',
      dateCreated: now,
      dateUpdated: now,
    };
    state.sinks.set(sink.sid, sink);
    return { status: 201, body: sinkJson(sink) };
  }),

  route('fetchSink', 'GET', '/v1/Sinks/{Sid}', /^\/v1\/Sinks\/(?<Sid>[^/]+)$/, (context) => ({ status: 200, body: sinkJson(sinkOf(context)) })),

  route('updateSink', 'POST', '/v1/Sinks/{Sid}', /^\/v1\/Sinks\/(?<Sid>[^/]+)$/, (context) => {
    const sink = sinkOf(context);
    sink.description = required(context.form, 'Description');
    sink.dateUpdated = new Date();
    return { status: 200, body: sinkJson(sink) };
  }),

  route('deleteSink', 'DELETE', '/v1/Sinks/{Sid}', /^\/v1\/Sinks\/(?<Sid>[^/]+)$/, (context) => {
    const sink = sinkOf(context);
    const user = context.state.subscriptionsOf(context.account.sid).find((s) => s.sinkSid === sink.sid);
    if (user !== undefined) throw invalidParameter(`Cannot delete Sink ${sink.sid}: Subscription ${user.sid} still uses it`);
    context.state.sinks.delete(sink.sid);
    return { status: 204 };
  }),

  route('createSinkTest', 'POST', '/v1/Sinks/{Sid}/Test', /^\/v1\/Sinks\/(?<Sid>[^/]+)\/Test$/, (context) => {
    const sink = sinkOf(context);
    context.onSinkTest(sink);
    return { status: 201, body: { result: 'submitted' } };
  }),

  route('listSubscription', 'GET', '/v1/Subscriptions', /^\/v1\/Subscriptions$/, ({ state, account, query }) => {
    let subscriptions = state.subscriptionsOf(account.sid);
    const sinkSid = query.get('SinkSid');
    if (sinkSid !== null) {
      if (!SINK_SID.test(sinkSid)) throw invalidParameter(`Invalid SinkSid: ${sinkSid}`);
      subscriptions = subscriptions.filter((s) => s.sinkSid === sinkSid);
    }
    return { status: 200, body: listPage(subscriptions.map(subscriptionJson), query, '/v1/Subscriptions', 'subscriptions', ['SinkSid']) };
  }),

  route('createSubscription', 'POST', '/v1/Subscriptions', /^\/v1\/Subscriptions$/, ({ state, account, form }) => {
    const description = required(form, 'Description');
    const sinkSid = required(form, 'SinkSid');
    const types = parseTypes(form.getAll('Types'));
    if (!SINK_SID.test(sinkSid)) throw invalidParameter(`Invalid SinkSid: ${sinkSid}`);
    const sink = state.sinks.get(sinkSid);
    if (sink === undefined || sink.accountSid !== account.sid) throw invalidParameter(`Sink ${sinkSid} not found`);
    if (sink.status === 'failed') throw invalidParameter(`Sink ${sinkSid} is not active`);
    const now = new Date();
    const subscription: SubscriptionRecord = { sid: newSid('DF'), accountSid: account.sid, sinkSid, description, types, dateCreated: now, dateUpdated: now };
    state.subscriptions.set(subscription.sid, subscription);
    return { status: 201, body: subscriptionJson(subscription) };
  }),

  route('fetchSubscription', 'GET', '/v1/Subscriptions/{Sid}', /^\/v1\/Subscriptions\/(?<Sid>[^/]+)$/, (context) => ({
    status: 200,
    body: subscriptionJson(subscriptionOf(context)),
  })),

  route('updateSubscription', 'POST', '/v1/Subscriptions/{Sid}', /^\/v1\/Subscriptions\/(?<Sid>[^/]+)$/, (context) => {
    const subscription = subscriptionOf(context);
    const description = context.form.get('Description');
    if (description !== null) subscription.description = description;
    subscription.dateUpdated = new Date();
    return { status: 200, body: subscriptionJson(subscription) };
  }),

  route('deleteSubscription', 'DELETE', '/v1/Subscriptions/{Sid}', /^\/v1\/Subscriptions\/(?<Sid>[^/]+)$/, (context) => {
    context.state.subscriptions.delete(subscriptionOf(context).sid);
    return { status: 204 };
  }),

  route(
    'listSubscribedEvent',
    'GET',
    '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents',
    /^\/v1\/Subscriptions\/(?<SubscriptionSid>[^/]+)\/SubscribedEvents$/,
    (context) => {
      const subscription = subscriptionOf(context, 'SubscriptionSid');
      const types = subscription.types.map((entry) => subscribedEventJson(subscription, entry));
      return { status: 200, body: listPage(types, context.query, `/v1/Subscriptions/${subscription.sid}/SubscribedEvents`, 'types') };
    },
  ),
];

/** The route for a method and path, with its path params; null when none matches. */
export function matchRoute(method: string, path: string): { route: FakeRoute; pathParams: Record<string, string> } | null {
  for (const candidate of FAKE_ROUTES) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match !== null) return { route: candidate, pathParams: { ...(match.groups ?? {}) } };
  }
  return null;
}

