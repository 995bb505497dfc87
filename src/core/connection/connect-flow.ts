/**
 * One Connect attempt, step by step (DESIGN.md section 7):
 *   credentials -> receiver -> tunnel -> verification -> cleanup -> sink -> subscription -> test.
 *
 * Invariants:
 * - Each step reports `running`, then `done` or `failed` with a sentence for the user.
 * - Any failure (or a cancel) stops there and UNDOES what this attempt created, newest first:
 *   sink (with its subscription; or, when a create got no answer, whatever carries this
 *   attempt's description), tunnel, receiver verification. Nothing is left behind.
 * - Verification is switched on right after the public URL is known, before any sink exists,
 *   so that no delivery (test event included) is ever accepted unchecked.
 * - The leftover flag (connection-settings.ts) is set before the first create and cleared by
 *   an undo that removed everything.
 */
import { sinkDestinationUrl } from '../receiver/public-url.js';
import { publicUrlFromEnv } from '../tunnel/tunnel-provider.js';
import { createEventStreamsApi } from '../twilio/event-streams.js';
import { formatResourceDescription } from '../twilio/resource-tag.js';
import { describeTwilioErrorFor } from '../twilio/twilio-errors.js';
import type { ConnectionStepName } from '../../shared/contract.js';
import { given, type ConnectInput } from './connect-credentials.js';
import { checkCredentials, rememberSecrets, saveConnectSettings } from './connect-sign-in.js';
import { newUndoState, undoAttempt } from './connect-undo.js';
import type { ConnectionDeps, TunnelChoice } from './connection-deps.js';
import type { StatusBoard } from './connection-status.js';
import { displayUrl, urlPassword } from './display-url.js';
import { LiveConnection } from './live-connection.js';
import { cleanOrphans, describeCleanup, newBasicGuardPassword, plural, withBasicGuard } from './provisioning.js';
import { describeSinkTestFailure, sendSinkTestAndWait } from './sink-test.js';
import { ConnectFailure, isUncertainOutcome, StepError, stepErrorOf, twilioStepError } from './step-errors.js';
import { openTunnel } from './tunnel-step.js';

export async function runConnect(input: ConnectInput, deps: ConnectionDeps, board: StatusBoard, signal: AbortSignal): Promise<LiveConnection> {
  const stored = await deps.settings.load();
  const { installId, settings } = stored;
  const undo = newUndoState(formatResourceDescription({ installId, host: deps.hostLabel, createdAt: deps.now() }));

  const cancelled = (step: ConnectionStepName) => new ConnectFailure(step, 'cancelled', 'Connect was cancelled.');
  async function runStep<T>(step: ConnectionStepName, running: string, work: () => Promise<T>, done: (value: T) => string): Promise<T> {
    if (signal.aborted) throw cancelled(step);
    board.step(step, 'running', running);
    try {
      const value = await work();
      if (signal.aborted) throw cancelled(step);
      board.step(step, 'done', done(value));
      return value;
    } catch (error) {
      if (signal.aborted || error instanceof ConnectFailure) {
        board.step(step, 'failed', 'Cancelled.');
        throw cancelled(step);
      }
      const failure = stepErrorOf(error, deps.log, step);
      const message = board.clean(failure.message);
      board.step(step, 'failed', message);
      throw new ConnectFailure(step, failure.code, message);
    }
  }

  try {
    const signedIn = await runStep(
      'credentials',
      'Checking the Twilio credentials',
      () => checkCredentials(input, deps, board, settings),
      ({ account }) => `Signed in to ${account.friendlyName === '' ? 'the account' : `"${account.friendlyName}"`} (${account.sid})`,
    );
    const { credentials, client } = signedIn;
    const eventTypes = input.eventTypes ?? settings.eventTypes;
    board.update({
      accountSid: signedIn.account.sid,
      friendlyName: signedIn.account.friendlyName,
      credentialKind: credentials.kind,
      eventTypes,
    });
    await saveConnectSettings(input, deps, board, credentials);
    await rememberSecrets(input, deps, board, credentials, ['twilio.authToken', 'twilio.apiKeySecret']);
    if (input.includeSubaccounts ?? settings.includeSubaccounts) {
      board.warn(
        "Subaccounts' events are not included: the Event Streams API Flowscope uses offers no such option. Connect each subaccount with its own credentials.",
      );
    }
    undo.describe = (error) => describeTwilioErrorFor(client, error).message;

    const receiver = await runStep(
      'receiver',
      'Checking the webhook receiver',
      async () => {
        const info = deps.host.receiverState();
        if (info.state !== 'listening' || info.localUrl === null) throw new StepError('The webhook receiver is not running.', 'receiver_down');
        return { localUrl: info.localUrl, path: info.path };
      },
      (info) => `Receiving on ${info.localUrl}${info.path}`,
    );

    const ownUrl = given(input.publicUrl) ?? given(publicUrlFromEnv(deps.env));
    board.addSecrets([ownUrl === null ? null : urlPassword(ownUrl)]);
    const choice: TunnelChoice =
      ownUrl !== null
        ? { kind: 'static', url: ownUrl }
        : { kind: 'ngrok', authtoken: credentials.ngrokAuthtoken, domain: given(input.ngrokDomain) ?? settings.tunnelDomain };
    const tunnelUrl = await runStep(
      'tunnel',
      choice.kind === 'static' ? 'Using your own public URL (no tunnel)' : 'Opening the ngrok tunnel',
      () => openTunnel(choice, receiver.localUrl, deps, board, (supervisor) => (undo.supervisor = supervisor), signal),
      (url) => (choice.kind === 'static' ? `Twilio will post to ${displayUrl(url)}` : `Tunnel open at ${url}`),
    );
    if (choice.kind === 'ngrok') await rememberSecrets(input, deps, board, credentials, ['ngrok.authtoken']);

    const guardPassword = credentials.verificationToken === null && urlPassword(tunnelUrl) === null ? newBasicGuardPassword() : null;
    board.addSecrets([guardPassword]);
    const publicUrl = guardPassword === null ? tunnelUrl : withBasicGuard(tunnelUrl, guardPassword);
    const destination = sinkDestinationUrl(publicUrl, receiver.path);
    const verification = await runStep(
      'verification',
      'Turning on the check of incoming deliveries',
      async () => {
        deps.host.setVerification({ authToken: credentials.verificationToken, publicUrl });
        undo.verificationChanged = true;
        const info = deps.host.receiverState();
        return info.verifiesSignature ? 'signature' : info.requiresBasicAuth ? 'basic-auth' : 'off';
      },
      (mode) =>
        mode === 'signature'
          ? `Deliveries must carry a valid X-Twilio-Signature for ${displayUrl(destination)}`
          : 'Deliveries must carry the random HTTP Basic password of the sink URL',
    );
    if (guardPassword !== null) {
      board.warn(
        "Signatures cannot be checked with an API key alone: Twilio signs deliveries with the account's Auth Token. " +
          'Flowscope guards the sink URL with a random HTTP Basic password instead; add the Auth Token for full verification.',
      );
    }
    board.update({ publicUrl: displayUrl(publicUrl), destinationUrl: displayUrl(destination), verification });

    const api = createEventStreamsApi(client);
    undo.api = api;
    await deps.settings.setLeftoverAccount(signedIn.account.sid);
    const cleanup = await runStep(
      'cleanup',
      'Looking for sinks left by an earlier run',
      () => cleanOrphans(api, installId, input.removeOtherInstalls, undo.describe).catch((error: unknown) => {
        throw twilioStepError(client, error, 'Could not list the sinks');
      }),
      describeCleanup,
    );
    undo.cleanupProblems = cleanup.problems.length;
    for (const problem of cleanup.problems) board.warn(problem);
    board.update({ orphans: { removedSinks: cleanup.removedSinks, otherInstallSinks: cleanup.otherInstallSinks } });

    const sink = await runStep(
      'sink',
      `Creating a webhook sink for ${displayUrl(destination)}`,
      async () => {
        try {
          const created = await api.createWebhookSink({ destinationUrl: destination, description: undo.description, batchEvents: true });
          undo.sinkSid = created.sid;
          return created;
        } catch (error) {
          undo.uncertain = isUncertainOutcome(client, error);
          throw twilioStepError(client, error, 'Twilio did not create the sink');
        }
      },
      (created) => `Sink ${created.sid} created (POST, batched)`,
    );
    board.update({ sinkSid: sink.sid });

    const types = eventTypes.map((type) => ({ type, schemaVersion: 1 }));
    const subscription = await runStep(
      'subscription',
      `Subscribing the sink to ${plural(types.length, 'event type')}`,
      () => api.createSubscription({ sinkSid: sink.sid, description: undo.description, types }).catch((error: unknown) => {
        throw twilioStepError(client, error, 'Twilio did not create the subscription');
      }),
      (created) => `Subscription ${created.sid} created (${describeEventTypes(eventTypes)}, schema version 1)`,
    );
    board.update({ subscriptionSid: subscription.sid });

    const test = await runStep(
      'test',
      'Asking Twilio for a test event and waiting for it to arrive',
      async () => {
        const outcome = await sendSinkTestAndWait({
          source: deps.host,
          request: () => api.testSink(sink.sid).catch((error: unknown) => {
            throw twilioStepError(client, error, 'Twilio did not send the test event');
          }),
          timeoutMs: deps.sinkTestTimeoutMs,
          refusalGraceMs: deps.sinkTestRefusalGraceMs,
          signal,
        });
        if (!outcome.ok) {
          throw new StepError(describeSinkTestFailure(outcome, displayUrl(destination), deps.sinkTestTimeoutMs), outcome.reason === 'timeout' ? 'sink_test_timeout' : 'cancelled');
        }
        return outcome;
      },
      (outcome) => `The test event arrived (round trip ${outcome.roundTripMs} ms): Twilio reaches Flowscope`,
    );
    board.update({ lastSinkTest: { receivedAt: test.arrival.receivedAt, roundTripMs: test.roundTripMs } });

    const supervisor = undo.supervisor;
    if (supervisor === null) throw new ConnectFailure('tunnel', 'internal', 'The tunnel is missing.');
    return new LiveConnection(
      {
        deps,
        board,
        api,
        supervisor,
        installId,
        receiverPath: receiver.path,
        verificationToken: credentials.verificationToken,
        guardPassword,
        types,
        describe: undo.describe,
      },
      { sinkSid: sink.sid, subscriptionSid: subscription.sid, tunnelUrl, publicUrl },
    );
  } catch (error) {
    await undoAttempt(undo, deps, board);
    if (error instanceof ConnectFailure) throw error;
    const failure = stepErrorOf(error, deps.log, 'credentials');
    throw new ConnectFailure('credentials', failure.code, board.clean(failure.message));
  }
}

/** `the 3 Studio event types`, or the list when it is not exactly Studio's three. */
function describeEventTypes(eventTypes: readonly string[]): string {
  const studio = eventTypes.length === 3 && eventTypes.every((type) => type.startsWith('com.twilio.studio.flow.'));
  return studio ? 'the 3 Studio event types' : eventTypes.join(', ');
}
