/**
 * The fake Twilio's data: accounts (with API keys), sinks and subscriptions, and their JSON
 * representations exactly as events v1 and the 2010-04-01 API shape them.
 *
 * Resource URLs use Twilio's real hosts (https://events.twilio.com, /2010-04-01 paths), as the
 * real API does; a client pointed at the fake through FLOWSCOPE_TWILIO_API_URL follows them
 * (e.g. `next_page_url`) because its URL rewriting applies to every *.twilio.com URL.
 */
import { randomBytes } from 'node:crypto';
import { iso8601, newSid, rfc2822 } from './fake-http.js';

export const EVENTS_ORIGIN = 'https://events.twilio.com';

export interface FakeApiKey {
  sid: string;
  secret: string;
}

export interface FakeAccountConfig {
  sid: string;
  authToken: string;
  friendlyName?: string;
  /** `active` (default), `suspended` or `closed`. */
  status?: string;
  /** `Full` (default) or `Trial`. */
  type?: string;
  apiKeys?: FakeApiKey[];
}

export interface FakeAccount {
  sid: string;
  authToken: string;
  friendlyName: string;
  status: string;
  type: string;
  apiKeys: FakeApiKey[];
  dateCreated: Date;
}

export interface EventTypeEntry {
  type: string;
  schema_version: number;
}

export interface SinkRecord {
  sid: string;
  accountSid: string;
  description: string;
  sinkType: string;
  sinkConfiguration: Record<string, unknown>;
  status: 'initialized' | 'validating' | 'active' | 'failed';
  dateCreated: Date;
  dateUpdated: Date;
}

export interface SubscriptionRecord {
  sid: string;
  accountSid: string;
  sinkSid: string;
  description: string;
  types: EventTypeEntry[];
  dateCreated: Date;
  dateUpdated: Date;
}

/** Fresh, valid-looking credentials for a test account (token: 32 hex; API key secret: 32 alphanumerics). */
export function newFakeAccount(overrides: Partial<FakeAccountConfig> = {}): FakeAccountConfig & { apiKeys: FakeApiKey[] } {
  return {
    sid: newSid('AC'),
    authToken: randomBytes(16).toString('hex'),
    friendlyName: 'Flowscope test account',
    apiKeys: [{ sid: newSid('SK'), secret: randomBytes(24).toString('base64').replace(/[^A-Za-z0-9]/g, '').padEnd(32, 'x').slice(0, 32) }],
    ...overrides,
  };
}

export class FakeTwilioState {
  readonly accounts = new Map<string, FakeAccount>();
  readonly sinks = new Map<string, SinkRecord>();
  readonly subscriptions = new Map<string, SubscriptionRecord>();

  addAccount(config: FakeAccountConfig): FakeAccount {
    const account: FakeAccount = {
      sid: config.sid,
      authToken: config.authToken,
      friendlyName: config.friendlyName ?? `Account ${config.sid.slice(-6)}`,
      status: config.status ?? 'active',
      type: config.type ?? 'Full',
      apiKeys: [...(config.apiKeys ?? [])],
      dateCreated: new Date('2020-01-01T00:00:00Z'),
    };
    this.accounts.set(account.sid, account);
    return account;
  }

  /** The account these Basic credentials belong to: Account SID + token, or API Key SID + secret. */
  authenticate(username: string, password: string): FakeAccount | null {
    for (const account of this.accounts.values()) {
      if (username === account.sid && password === account.authToken) return account;
      if (account.apiKeys.some((key) => key.sid === username && key.secret === password)) return account;
    }
    return null;
  }

  sinksOf(accountSid: string): SinkRecord[] {
    return [...this.sinks.values()].filter((sink) => sink.accountSid === accountSid);
  }

  subscriptionsOf(accountSid: string): SubscriptionRecord[] {
    return [...this.subscriptions.values()].filter((subscription) => subscription.accountSid === accountSid);
  }
}

export function accountJson(account: FakeAccount): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${account.sid}`;
  // The real Account resource carries the auth token; the app must drop it (credentials.ts does).
  return {
    auth_token: account.authToken,
    date_created: rfc2822(account.dateCreated),
    date_updated: rfc2822(account.dateCreated),
    friendly_name: account.friendlyName,
    owner_account_sid: account.sid,
    sid: account.sid,
    status: account.status,
    subresource_uris: {
      calls: `${uri}/Calls.json`,
      messages: `${uri}/Messages.json`,
      keys: `${uri}/Keys.json`,
      incoming_phone_numbers: `${uri}/IncomingPhoneNumbers.json`,
    },
    type: account.type,
    uri: `${uri}.json`,
  };
}

export function sinkJson(sink: SinkRecord): Record<string, unknown> {
  const url = `${EVENTS_ORIGIN}/v1/Sinks/${sink.sid}`;
  return {
    date_created: iso8601(sink.dateCreated),
    date_updated: iso8601(sink.dateUpdated),
    description: sink.description,
    sid: sink.sid,
    sink_configuration: sink.sinkConfiguration,
    sink_type: sink.sinkType,
    status: sink.status,
    url,
    links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
  };
}

export function subscriptionJson(subscription: SubscriptionRecord): Record<string, unknown> {
  const url = `${EVENTS_ORIGIN}/v1/Subscriptions/${subscription.sid}`;
  return {
    account_sid: subscription.accountSid,
    sid: subscription.sid,
    date_created: iso8601(subscription.dateCreated),
    date_updated: iso8601(subscription.dateUpdated),
    description: subscription.description,
    sink_sid: subscription.sinkSid,
    url,
    links: { subscribed_events: `${url}/SubscribedEvents` },
  };
}

export function subscribedEventJson(subscription: SubscriptionRecord, entry: EventTypeEntry): Record<string, unknown> {
  return {
    account_sid: subscription.accountSid,
    type: entry.type,
    schema_version: entry.schema_version,
    subscription_sid: subscription.sid,
    url: `${EVENTS_ORIGIN}/v1/Subscriptions/${subscription.sid}/SubscribedEvents/${encodeURIComponent(entry.type)}`,
  };
}
