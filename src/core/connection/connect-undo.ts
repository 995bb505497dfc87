/**
 * Undoing a failed or cancelled Connect attempt: whatever it created is removed, newest first —
 * the sink (with its subscription; or, when a create got no answer, anything carrying the
 * attempt's description), the tunnel, the receiver's verification. The leftover flag is cleared
 * only when nothing could be left in the account.
 */
import type { EventStreamsApi } from '../twilio/event-streams.js';
import type { TunnelSupervisor } from '../tunnel/tunnel-supervisor.js';
import type { ConnectionDeps } from './connection-deps.js';
import type { StatusBoard } from './connection-status.js';
import { removeCreated } from './provisioning.js';

export interface UndoState {
  api: EventStreamsApi | null;
  describe: (error: unknown) => string;
  description: string;
  sinkSid: string | null;
  uncertain: boolean;
  supervisor: TunnelSupervisor | null;
  verificationChanged: boolean;
  /** Leftovers that even the cleanup step could not remove: keep the leftover flag. */
  cleanupProblems: number;
}

export function newUndoState(description: string): UndoState {
  return {
    api: null,
    describe: () => 'unknown error',
    description,
    sinkSid: null,
    uncertain: false,
    supervisor: null,
    verificationChanged: false,
    cleanupProblems: 0,
  };
}

export async function undoAttempt(undo: UndoState, deps: ConnectionDeps, board: StatusBoard): Promise<void> {
  const mayHaveResources = undo.api !== null && (undo.sinkSid !== null || undo.uncertain);
  if (!mayHaveResources && undo.supervisor === null && !undo.verificationChanged) return;
  board.step('undo', 'running', 'Removing what this attempt created');
  const done: string[] = [];
  let problems: string[] = [];
  if (mayHaveResources && undo.api !== null) {
    const removal = await removeCreated(undo.api, undo.sinkSid === null ? [] : [undo.sinkSid], undo.uncertain ? undo.description : null, undo.describe);
    problems = removal.problems;
    if (removal.removedSinks.length > 0) done.push(`deleted ${removal.removedSinks.map((sid) => `sink ${sid}`).join(', ')} and its subscription`);
  }
  if (undo.supervisor !== null) {
    await undo.supervisor.stop();
    done.push('closed the tunnel');
  }
  if (undo.verificationChanged) deps.host.setVerification(deps.baselineVerification);
  if (undo.api !== null && problems.length === 0 && undo.cleanupProblems === 0) {
    await deps.settings.setLeftoverAccount(null).catch(() => undefined);
  }
  board.update({ sinkSid: null, subscriptionSid: null, publicUrl: null, destinationUrl: null, tunnel: null, verification: verificationOf(deps) });
  if (problems.length > 0) board.step('undo', 'failed', `${problems.join(' ')} Flowscope removes it at the next Connect.`);
  else board.step('undo', 'done', done.length === 0 ? 'Nothing left behind.' : `Nothing left behind: ${done.join('; ')}.`);
}

export function verificationOf(deps: Pick<ConnectionDeps, 'host'>): 'signature' | 'basic-auth' | 'off' {
  const info = deps.host.receiverState();
  return info.verifiesSignature ? 'signature' : info.requiresBasicAuth ? 'basic-auth' : 'off';
}
