/**
 * Event Streams provisioning (events v1: Sinks, Sinks/{Sid}/Test, Subscriptions,
 * SubscribedEvents), all through the real twilio client's `client.events.v1`.
 *
 * Boundary module (creates and deletes resources in the user's Twilio account).
 * Invariants:
 * - Sinks are immutable except their description, and a subscription cannot move to another
 *   sink (DESIGN.md section 7): a new destination URL means a NEW sink + subscription, then
 *   deleting the old ones. There is deliberately no "update destination" here.
 * - Deletes are idempotent: a resource that is already gone (404) counts as deleted, so a
 *   clean-up can be retried after a crash or a network failure without special cases.
 * - `removeSink` deletes a sink's subscriptions before the sink, so no subscription is left
 *   pointing at nothing, whatever Twilio does with a sink that is still in use.
 * - Errors are rethrown as they come from twilio (RestException / TwilioNetworkError); callers
 *   turn them into user text with `describeTwilioErrorFor(client, error)`.
 * - Everything read back from Twilio is validated (zod) before use; unknown fields are ignored.
 */
import { z } from 'zod';
import { STUDIO_EVENT_TYPES } from '../../shared/studio-event.js';
import { parseResourceDescription, type ResourceTag } from './resource-tag.js';
import { isTwilioNotFound } from './twilio-errors.js';
import type { TwilioClient } from './twilio-client.js';

/** The three Studio types Connect subscribes to, at schema version 1 (DESIGN.md section 7). */
export const STUDIO_SUBSCRIPTION_TYPES: readonly EventTypeSelection[] = STUDIO_EVENT_TYPES.map((type) => ({
  type,
  schemaVersion: 1,
}));

export interface EventTypeSelection {
  type: string;
  schemaVersion: number;
}

export interface EventSink {
  sid: string;
  description: string;
  sinkType: string;
  /** `initialized`, `validating`, `active` or `failed`. */
  status: string;
  /** Webhook sinks: where Twilio POSTs (may carry `user:pass@`; redact before display). */
  destination: string | null;
  method: string | null;
  batchEvents: boolean | null;
  dateCreated: string | null;
}

export interface EventSubscription {
  sid: string;
  sinkSid: string;
  description: string;
  dateCreated: string | null;
}

export interface TaggedSink {
  sink: EventSink;
  tag: ResourceTag;
  subscriptions: EventSubscription[];
}

export interface FlowscopeResources {
  /** Sinks tagged with this installId (leftovers of an earlier run, or the live one). */
  own: TaggedSink[];
  /** Sinks of other Flowscope installs: reported, never deleted unless asked. */
  otherInstalls: TaggedSink[];
  /** Subscriptions tagged with this installId whose sink is not one of ours. */
  strayOwnSubscriptions: EventSubscription[];
}

export interface SinkRemoval {
  sinkSid: string;
  deletedSubscriptions: string[];
  /** False when the sink was already gone. */
  sinkDeleted: boolean;
}

export interface EventStreamsApi {
  createWebhookSink(input: { destinationUrl: string; description: string; batchEvents?: boolean }): Promise<EventSink>;
  /** Null when the sink does not exist (any more). */
  fetchSink(sinkSid: string): Promise<EventSink | null>;
  /** The only mutable field of a sink. */
  updateSinkDescription(sinkSid: string, description: string): Promise<EventSink>;
  /** False when it was already gone. */
  deleteSink(sinkSid: string): Promise<boolean>;
  /** Every page. */
  listSinks(): Promise<EventSink[]>;
  createSubscription(input: { sinkSid: string; description: string; types: readonly EventTypeSelection[] }): Promise<EventSubscription>;
  deleteSubscription(subscriptionSid: string): Promise<boolean>;
  listSubscriptions(filter?: { sinkSid?: string }): Promise<EventSubscription[]>;
  listSubscribedEvents(subscriptionSid: string): Promise<EventTypeSelection[]>;
  /** Asks Twilio to send a `com.twilio.eventstreams.test-event` to the sink; resolves with Twilio's `result`. */
  testSink(sinkSid: string): Promise<{ result: string }>;
  /** Deletes the sink's subscriptions, then the sink. */
  removeSink(sinkSid: string): Promise<SinkRemoval>;
  /** Flowscope-tagged sinks (with their subscriptions), split into this install's and others'. */
  findOrphans(installId: string): Promise<FlowscopeResources>;
}

export interface EventStreamsOptions {
  /** Page size for list calls (Twilio's default is 50, its maximum 1000). */
  pageSize?: number;
}

const sinkConfigurationSchema = z
  .looseObject({ destination: z.string().optional(), method: z.string().optional(), batch_events: z.boolean().optional() })
  .catch({});

const sinkSchema = z.object({
  sid: z.string(),
  description: z.string().nullish(),
  sinkType: z.string().nullish(),
  status: z.string().nullish(),
  sinkConfiguration: z.unknown(),
  dateCreated: z.unknown(),
});

const subscriptionSchema = z.object({
  sid: z.string(),
  sinkSid: z.string(),
  description: z.string().nullish(),
  dateCreated: z.unknown(),
});

const subscribedEventSchema = z.object({ type: z.string(), schemaVersion: z.number().int().nullish() });

/** twilio deserializes dates to Date (or leaves the string when it cannot parse it). */
function isoOrNull(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  return typeof value === 'string' && value !== '' ? value : null;
}

function toSink(instance: unknown): EventSink {
  const sink = sinkSchema.parse(instance);
  const configuration = sinkConfigurationSchema.parse(sink.sinkConfiguration ?? {});
  return {
    sid: sink.sid,
    description: sink.description ?? '',
    sinkType: sink.sinkType ?? 'unknown',
    status: sink.status ?? 'unknown',
    destination: configuration.destination ?? null,
    method: configuration.method ?? null,
    batchEvents: configuration.batch_events ?? null,
    dateCreated: isoOrNull(sink.dateCreated),
  };
}

function toSubscription(instance: unknown): EventSubscription {
  const subscription = subscriptionSchema.parse(instance);
  return {
    sid: subscription.sid,
    sinkSid: subscription.sinkSid,
    description: subscription.description ?? '',
    dateCreated: isoOrNull(subscription.dateCreated),
  };
}

/** Resolves to false instead of rejecting when Twilio answers 404. */
async function unlessGone(operation: Promise<boolean>): Promise<boolean> {
  try {
    return await operation;
  } catch (error) {
    if (isTwilioNotFound(error)) return false;
    throw error;
  }
}

export function createEventStreamsApi(client: TwilioClient, options: EventStreamsOptions = {}): EventStreamsApi {
  const events = client.events.v1;
  const pageSize = options.pageSize ?? 100;

  const api: EventStreamsApi = {
    async createWebhookSink({ destinationUrl, description, batchEvents = true }) {
      const sink = await events.sinks.create({
        description,
        sinkType: 'webhook',
        sinkConfiguration: { destination: destinationUrl, method: 'POST', batch_events: batchEvents },
      });
      return toSink(sink);
    },

    async fetchSink(sinkSid) {
      try {
        return toSink(await events.sinks(sinkSid).fetch());
      } catch (error) {
        if (isTwilioNotFound(error)) return null;
        throw error;
      }
    },

    async updateSinkDescription(sinkSid, description) {
      return toSink(await events.sinks(sinkSid).update({ description }));
    },

    deleteSink: (sinkSid) => unlessGone(events.sinks(sinkSid).remove()),

    async listSinks() {
      return (await events.sinks.list({ pageSize })).map(toSink);
    },

    async createSubscription({ sinkSid, description, types }) {
      const subscription = await events.subscriptions.create({
        sinkSid,
        description,
        types: types.map(({ type, schemaVersion }) => ({ type, schema_version: schemaVersion })),
      });
      return toSubscription(subscription);
    },

    deleteSubscription: (subscriptionSid) => unlessGone(events.subscriptions(subscriptionSid).remove()),

    async listSubscriptions(filter = {}) {
      const list = await events.subscriptions.list(filter.sinkSid === undefined ? { pageSize } : { pageSize, sinkSid: filter.sinkSid });
      return list.map(toSubscription);
    },

    async listSubscribedEvents(subscriptionSid) {
      const list = await events.subscriptions(subscriptionSid).subscribedEvents.list({ pageSize });
      return list.map((instance) => {
        const event = subscribedEventSchema.parse(instance);
        return { type: event.type, schemaVersion: event.schemaVersion ?? 0 };
      });
    },

    async testSink(sinkSid) {
      const test = await events.sinks(sinkSid).sinkTest.create();
      return { result: typeof test.result === 'string' ? test.result : 'unknown' };
    },

    async removeSink(sinkSid) {
      const deletedSubscriptions: string[] = [];
      for (const subscription of await api.listSubscriptions({ sinkSid })) {
        await api.deleteSubscription(subscription.sid);
        deletedSubscriptions.push(subscription.sid);
      }
      return { sinkSid, deletedSubscriptions, sinkDeleted: await api.deleteSink(sinkSid) };
    },

    async findOrphans(installId) {
      const [sinks, subscriptions] = await Promise.all([api.listSinks(), api.listSubscriptions()]);
      const result: FlowscopeResources = { own: [], otherInstalls: [], strayOwnSubscriptions: [] };
      const ownSinkSids = new Set<string>();
      for (const sink of sinks) {
        const tag = parseResourceDescription(sink.description);
        if (tag === null) continue;
        const tagged = { sink, tag, subscriptions: subscriptions.filter((s) => s.sinkSid === sink.sid) };
        if (tag.installId === installId) {
          result.own.push(tagged);
          ownSinkSids.add(sink.sid);
        } else {
          result.otherInstalls.push(tagged);
        }
      }
      result.strayOwnSubscriptions = subscriptions.filter(
        (s) => !ownSinkSids.has(s.sinkSid) && parseResourceDescription(s.description)?.installId === installId,
      );
      return result;
    },
  };
  return api;
}
