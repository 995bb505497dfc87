/**
 * The Twilio side of Connect / Disconnect: what gets created, and how all of it is removed again.
 *
 * Boundary module (creates and deletes resources in the user's Twilio account).
 * Invariants:
 * - Every resource carries the description of ONE attempt (install id, host, creation time), so
 *   a create whose answer was lost (the request reached Twilio, the response did not) is still
 *   found and removed: `removeCreated` sweeps for that exact description when asked to.
 * - Removal is idempotent (event-streams.ts treats 404 as gone) and never throws: it returns
 *   what could not be removed, for the caller to report; the next Connect cleans those up as
 *   orphans of this install.
 * - Other installs' resources are only counted, unless the user explicitly asks to remove them.
 */
import { randomBytes } from 'node:crypto';
import type { EventStreamsApi, FlowscopeResources } from '../twilio/event-streams.js';

/** User name of the HTTP Basic guard put in the sink URL when signatures cannot be checked. */
export const BASIC_GUARD_USER = 'flowscope';

export function newBasicGuardPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** `https://abc.example` -> `https://flowscope:<password>@abc.example` (unless it already has credentials). */
export function withBasicGuard(publicUrl: string, password: string): string {
  const match = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(publicUrl.trim());
  if (match === null || (match[2] ?? '').includes('@')) return publicUrl;
  return `${match[1]}${BASIC_GUARD_USER}:${encodeURIComponent(password)}@${match[2]}${match[3]}`;
}

export interface CreatedResources {
  sinkSid: string | null;
  subscriptionSid: string | null;
  description: string;
  /** A create failed without an answer: Twilio may have made the resource anyway. */
  uncertain: boolean;
}

export interface Removal {
  removedSinks: string[];
  /** One sentence per failure (Twilio's message, already safe to show). */
  problems: string[];
}

/** Removes `sinkSids` (with their subscriptions) and, when `sweepDescription` is set, anything else carrying it. */
export async function removeCreated(
  api: EventStreamsApi,
  sinkSids: readonly string[],
  sweepDescription: string | null,
  describe: (error: unknown) => string,
): Promise<Removal> {
  const removal: Removal = { removedSinks: [], problems: [] };
  const remove = async (sinkSid: string) => {
    try {
      await api.removeSink(sinkSid);
      removal.removedSinks.push(sinkSid);
    } catch (error) {
      removal.problems.push(`Could not delete sink ${sinkSid}: ${describe(error)}`);
    }
  };
  for (const sinkSid of sinkSids) await remove(sinkSid);
  if (sweepDescription !== null) {
    try {
      for (const sink of await api.listSinks()) {
        if (sink.description === sweepDescription && !removal.removedSinks.includes(sink.sid)) await remove(sink.sid);
      }
      for (const subscription of await api.listSubscriptions()) {
        if (subscription.description === sweepDescription) await api.deleteSubscription(subscription.sid);
      }
    } catch (error) {
      removal.problems.push(`Could not check for resources left by this attempt: ${describe(error)}`);
    }
  }
  return removal;
}

export interface OrphanCleanup {
  removedSinks: number;
  removedSubscriptions: number;
  otherInstallSinks: number;
  problems: string[];
}

/** Removes this install's leftovers (and, when asked, other installs' sinks); counts the rest. */
export async function cleanOrphans(
  api: EventStreamsApi,
  installId: string,
  removeOtherInstalls: boolean,
  describe: (error: unknown) => string,
): Promise<OrphanCleanup> {
  const found: FlowscopeResources = await api.findOrphans(installId);
  const targets = [...found.own, ...(removeOtherInstalls ? found.otherInstalls : [])].map((tagged) => tagged.sink.sid);
  const removal = await removeCreated(api, targets, null, describe);
  let removedSubscriptions = 0;
  for (const subscription of found.strayOwnSubscriptions) {
    try {
      if (await api.deleteSubscription(subscription.sid)) removedSubscriptions += 1;
    } catch (error) {
      removal.problems.push(`Could not delete subscription ${subscription.sid}: ${describe(error)}`);
    }
  }
  return {
    removedSinks: removal.removedSinks.length,
    removedSubscriptions,
    otherInstallSinks: removeOtherInstalls ? 0 : found.otherInstalls.length,
    problems: removal.problems,
  };
}

export function describeCleanup(cleanup: OrphanCleanup): string {
  const parts: string[] = [];
  const removed = cleanup.removedSinks + cleanup.removedSubscriptions;
  parts.push(
    removed === 0
      ? 'Nothing left over from an earlier run'
      : `Removed ${plural(cleanup.removedSinks, 'sink')} and ${plural(cleanup.removedSubscriptions, 'stray subscription')} left by an earlier run`,
  );
  if (cleanup.otherInstallSinks > 0) {
    parts.push(`${plural(cleanup.otherInstallSinks, 'sink')} of other Flowscope installs left as they are`);
  }
  return `${parts.join('; ')}.`;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

