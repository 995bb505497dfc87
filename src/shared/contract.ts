/**
 * The one contract between the core and any UI: every command (UI -> core, async request/response)
 * and every pushed event (core -> UI). Both bridges (Electron IPC, WebSocket) are generic over it:
 * a new capability is one entry here plus its implementation in core/rpc, never a new channel.
 *
 * Boundary module: command params arrive from a renderer or a browser and are untrusted; each
 * command has a zod schema and the core validates params with it before dispatch. Results and
 * pushed events come from the core and are typed only. Errors cross as `{ code, message }`.
 * Secrets never appear in any result or event type here.
 * Isomorphic: no node:* and no DOM.
 */
import { z } from 'zod';
import { isReceiverPath, RECEIVER_PATH_RULE } from './receiver-path.js';
import type { ExecutionSummary, ExecutionTree, FlowSummary } from './execution-model.js';
import type { ConnectionStepName } from './connection-steps.js';

export const executionStatusSchema = z.enum(['active', 'ended', 'failed']);

const isoTime = z.string().max(64).refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO date-time');
const sid = z.string().min(1).max(64);

export const executionFilterSchema = z.strictObject({
  flowSid: sid.optional(),
  status: z.array(executionStatusSchema).max(3).optional(),
  /** executions that started at or after / before these times */
  since: isoTime.optional(),
  until: isoTime.optional(),
  /** substring of contact, execution sid, flow sid, started-by sid or a widget name */
  text: z.string().max(200).optional(),
  executionSids: z.array(sid).max(10_000).optional(),
});
export type ExecutionFilter = z.infer<typeof executionFilterSchema>;

export interface StoredEventRecord {
  id: string;
  type: string;
  kind: string;
  time: string | null;
  receivedAt: string;
  /** The raw CloudEvent as received. */
  event: unknown;
}

export interface RejectedRecord {
  id: number;
  receivedAt: string;
  eventId: string | null;
  reason: string;
  /** The raw item, truncated to a safe size. */
  raw: string;
}

export interface UnverifiedRecord {
  receivedAt: string;
  remoteAddress: string | null;
  reason: string;
  /**
   * The request carried what every Event Streams delivery carries: an X-Twilio-Signature header
   * AND a `bodySHA256` query parameter. Refused anyway, it is most likely Twilio's own delivery
   * signed with another token or for another URL; without them, it is someone else's request.
   * Absent (older receivers) counts as false.
   */
  looksLikeTwilio?: boolean;
}

export interface Stats {
  /** Events stored since the store was created (all kinds). */
  storedEvents: number;
  executions: number;
  /** Since this process started: */
  receivedEvents: number;
  eventsPerSecond: number;
  duplicatesIgnored: number;
  rejectedEvents: number;
  unverifiedRequests: number;
  badRequests: number;
  otherEvents: number;
  lastSinkTest: { testId: string | null; receivedAt: string } | null;
}

export interface ReceiverInfo {
  /** Local URL the receiver listens on. */
  localUrl: string;
  /** Public URL registered with Twilio, when known; signatures are checked against it. */
  publicUrl: string | null;
  verifying: boolean;
}

export interface RetentionSettings {
  maxAgeDays: number | null;
  maxEvents: number | null;
}

export const retentionSchema = z.strictObject({
  maxAgeDays: z.number().positive().max(36500).nullable(),
  maxEvents: z.number().int().positive().max(1e9).nullable(),
});

export interface ImportResult {
  executions: number;
  events: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

// ---- Twilio connection (DESIGN.md section 7): Connect / Disconnect, settings, write-only secrets ----

export { CONNECTION_STEPS, CONNECT_STEP_ORDER, type ConnectionStepName } from './connection-steps.js';

export interface ConnectionStepProgress {
  step: ConnectionStepName;
  state: 'running' | 'done' | 'failed';
  /** A sentence for the user; never contains a secret. */
  message: string;
  /** ISO time of this report. */
  at: string;
}

/** `failed`: the last Connect failed (see `error`); nothing it created is left. */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'disconnecting' | 'failed';

export interface TunnelStatusInfo {
  /** `ngrok`, `static` (the user's own public URL) or a test provider's name. */
  provider: string;
  state: 'idle' | 'connecting' | 'online' | 'reconnecting' | 'failed' | 'stopped';
  url: string | null;
  /** Why it is reconnecting or failed. */
  message: string | null;
  /** Reconnecting: when the next attempt is due (ISO). */
  nextRetryAt: string | null;
}

/** The secrets the UI may replace or forget (never read). */
export const CONNECTION_SECRET_NAMES = ['twilio.authToken', 'twilio.apiKeySecret', 'ngrok.authtoken'] as const;
export type ConnectionSecretName = (typeof CONNECTION_SECRET_NAMES)[number];

/** What the UI may know about stored secrets: where and how they are kept, and which exist. */
export interface SecretsStatus {
  /** e.g. `file`, `safeStorage:gnome_libsecret`, `safeStorage:basic_text`. */
  backend: string;
  /** False for a 0600 file or Linux's `basic_text` (obfuscation only): say so plainly in the UI. */
  encrypted: boolean;
  /** False when nothing can be stored (e.g. no OS keyring at all). */
  canRemember: boolean;
  stored: Record<ConnectionSecretName, boolean>;
  /** Headless: credentials given through environment variables (used when the form leaves them empty). */
  fromEnvironment: { twilio: boolean; ngrok: boolean };
}

export interface ConnectionStatus {
  state: ConnectionState;
  /** The progress of the current (or last) Connect, then any re-points, in order. */
  steps: ConnectionStepProgress[];
  error: { step: ConnectionStepName; code: string | null; message: string } | null;
  /** Things that work but deserve attention (e.g. no signature check with an API key only). */
  warnings: string[];
  accountSid: string | null;
  friendlyName: string | null;
  credentialKind: 'auth-token' | 'api-key' | null;
  /** The public base URL (tunnel or the user's own), any password masked. */
  publicUrl: string | null;
  /** Where the sink delivers (public URL + receiver path), any password masked. */
  destinationUrl: string | null;
  sinkSid: string | null;
  subscriptionSid: string | null;
  eventTypes: string[];
  /** How the receiver checks deliveries: X-Twilio-Signature, an HTTP Basic password only, or not at all. */
  verification: 'signature' | 'basic-auth' | 'off';
  tunnel: TunnelStatusInfo | null;
  connectedAt: string | null;
  lastSinkTest: { receivedAt: string; roundTripMs: number } | null;
  /** What the last clean-up found: sinks of this install removed, other installs' sinks left alone. */
  orphans: { removedSinks: number; otherInstallSinks: number } | null;
  secrets: SecretsStatus;
}

/** Connection preferences, kept in the data directory. No secrets. */
export interface ConnectionSettings {
  /** Subscribed at schema version 1. Default: the three Studio types. */
  eventTypes: string[];
  /** Kept for when Twilio's API offers it; the events v1 API used here has no such option (a warning says so). */
  includeSubaccounts: boolean;
  /** Used at the next start (null: any free port). Headless flags override it. */
  receiverPort: number | null;
  /** Used at the next start. */
  receiverPath: string;
  /** A reserved ngrok domain (bare hostname), or null for the account's dev domain. */
  tunnelDomain: string | null;
  /** Remembered for the form; not secret. */
  accountSid: string | null;
  apiKeySid: string | null;
  /** "I have my own public URL" (no password part is ever remembered). */
  publicUrl: string | null;
}

const eventTypeName = z
  .string()
  .max(200)
  .regex(/^com\.twilio\.[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a Twilio event type such as com.twilio.studio.flow.execution.started');
const connectionSecretName = z.enum(CONNECTION_SECRET_NAMES);
/** Empty strings are allowed in the form's fields and mean "not given". */
const formText = (max: number) => z.string().max(max);
const secretText = z.string().max(1024);

export const connectionSettingsSchema = z.strictObject({
  eventTypes: z.array(eventTypeName).min(1).max(50),
  includeSubaccounts: z.boolean(),
  receiverPort: z.number().int().min(0).max(65535).nullable(),
  receiverPath: z.string().max(200).refine(isReceiverPath, RECEIVER_PATH_RULE),
  tunnelDomain: formText(253).nullable(),
  accountSid: formText(64).nullable(),
  apiKeySid: formText(64).nullable(),
  publicUrl: formText(2048).nullable(),
});

/** Every command: its params schema and result type. */
export const commandSchemas = {
  'flows.list': z.strictObject({}),
  'executions.list': z.strictObject({
    filter: executionFilterSchema.default({}),
    offset: z.number().int().min(0).max(1e9).default(0),
    limit: z.number().int().min(1).max(1000).default(200),
  }),
  'executions.get': z.strictObject({ executionSid: sid }),
  'stats.get': z.strictObject({}),
  'receiver.info': z.strictObject({}),
  'rejected.list': z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
  'unverified.list': z.strictObject({}),
  'retention.get': z.strictObject({}),
  'retention.set': retentionSchema,
  'store.clearOlderThan': z.strictObject({ before: isoTime }),
  /**
   * The export document as text, for small programmatic exports (refused beyond 64 MiB). The UIs
   * stream instead: the desktop through export.save, the browser from the UI server's GET /export.
   */
  'export.run': z.strictObject({ filter: executionFilterSchema.default({}) }),
  'import.run': z.strictObject({ text: z.string().max(512 * 1024 * 1024) }),
  /**
   * Desktop only: the main process asks where to save (native dialog) and streams the export to
   * that file. The headless host answers `unavailable`; the renderer then downloads the streamed
   * document from the UI server's `GET /export?token=…&filter=…`.
   */
  'export.save': z.strictObject({ filter: executionFilterSchema.default({}) }),
  /** Desktop only: native open dialog, then import.run on the chosen file. */
  'import.open': z.strictObject({}),
  /** The connection's status (no secrets: booleans only). */
  'connection.get': z.strictObject({}),
  /**
   * Runs Connect and resolves when it ends (state `connected` or `failed`); progress arrives as
   * `connection.changed` pushes. Secrets given here are used, and stored only with `remember`;
   * omitted (or empty) ones come from the environment (headless) or the secret store. Non-secret
   * values given here (SIDs, domain, event types) are saved as settings.
   */
  'connection.connect': z.strictObject({
    accountSid: formText(64).optional(),
    authToken: secretText.optional(),
    apiKeySid: formText(64).optional(),
    apiKeySecret: secretText.optional(),
    ngrokAuthtoken: secretText.optional(),
    ngrokDomain: formText(253).optional(),
    /** Skip the tunnel: Twilio posts to this URL (plus the receiver path). */
    publicUrl: formText(2048).optional(),
    remember: z.boolean().default(false),
    eventTypes: z.array(eventTypeName).min(1).max(50).optional(),
    includeSubaccounts: z.boolean().optional(),
    /** Also delete sinks left by OTHER Flowscope installs (default: report them only). */
    removeOtherInstalls: z.boolean().default(false),
  }),
  /** Deletes the subscription and sink, closes the tunnel; idempotent; cancels a Connect in progress. */
  'connection.disconnect': z.strictObject({}),
  /** Forgets every stored secret. */
  'connection.forgetSecrets': z.strictObject({}),
  /** Replaces a stored secret (write-only: there is no command to read one). */
  'secrets.set': z.strictObject({ name: connectionSecretName, value: secretText.min(1) }),
  'secrets.delete': z.strictObject({ name: connectionSecretName }),
  'settings.get': z.strictObject({}),
  /** Changes some settings; returns them all. */
  'settings.set': connectionSettingsSchema.partial(),
} as const;

export interface CommandResults {
  'flows.list': FlowSummary[];
  'executions.list': { items: ExecutionSummary[]; total: number; offset: number };
  'executions.get': { tree: ExecutionTree; events: StoredEventRecord[] } | null;
  'stats.get': Stats;
  'receiver.info': ReceiverInfo;
  'rejected.list': RejectedRecord[];
  'unverified.list': UnverifiedRecord[];
  'retention.get': RetentionSettings;
  /** The saved settings, and what enforcing them at once removed (0 and 0 when nothing had to go). */
  'retention.set': { settings: RetentionSettings; deletedEvents: number; deletedExecutions: number };
  'store.clearOlderThan': { deletedEvents: number; deletedExecutions: number };
  'export.run': { fileName: string; text: string };
  'import.run': ImportResult;
  'export.save': { saved: false } | { saved: true; path: string; executions: number };
  'import.open': { imported: false } | ({ imported: true; path: string } & ImportResult);
  'connection.get': ConnectionStatus;
  'connection.connect': ConnectionStatus;
  'connection.disconnect': ConnectionStatus;
  'connection.forgetSecrets': SecretsStatus;
  'secrets.set': SecretsStatus;
  'secrets.delete': SecretsStatus;
  'settings.get': ConnectionSettings;
  'settings.set': ConnectionSettings;
}

export type CommandName = keyof typeof commandSchemas;
export type CommandParams<C extends CommandName> = z.input<(typeof commandSchemas)[C]>;
export type ParsedCommandParams<C extends CommandName> = z.output<(typeof commandSchemas)[C]>;
export type CommandResult<C extends CommandName> = CommandResults[C];

/** Events the core pushes; the monitor coalesces them (~every 50-100 ms). */
export interface PushEvents {
  /** Executions whose summary changed since the last push (latest version of each). */
  'executions.changed': { executions: ExecutionSummary[] };
  /** Flows whose counts changed. */
  'flows.changed': { flows: FlowSummary[] };
  'stats.changed': Stats;
  /** The store was cleared or imported into: refetch lists. */
  'store.reset': Record<string, never>;
  /** The connection's status changed (each Connect step, tunnel status, secrets stored/forgotten). */
  'connection.changed': ConnectionStatus;
}
export type PushEventName = keyof PushEvents;

export const ERROR_CODES = ['bad_request', 'not_found', 'internal', 'unavailable', 'unauthorized'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
export interface ContractError {
  code: ErrorCode;
  message: string;
}

/** The outcome of one command as it crosses a bridge; never a thrown error. */
export type InvokeOutcome = { ok: true; result: unknown } | { ok: false; error: ContractError };

/**
 * The one transport a renderer gets (preload's `window.flowscope`, or the WebSocket client).
 * Generic: it knows no command by name.
 */
export interface Transport {
  readonly kind: 'electron' | 'websocket';
  invoke(command: string, params: unknown): Promise<InvokeOutcome>;
  /** Returns an unsubscribe function. */
  onPush(listener: (event: PushEventName, payload: unknown) => void): () => void;
  /** Connection state changes (the WebSocket reconnects after a server restart; IPC is always open). */
  onConnectionChange(listener: (state: 'connecting' | 'open' | 'closed') => void): () => void;
}

/** Wire messages shared by both bridges. */
export type BridgeRequest = { kind: 'request'; id: number; command: string; params: unknown };
export type BridgeResponse =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: ContractError };
export type BridgePush = { kind: 'push'; event: PushEventName; payload: unknown };

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commandSchemas, name);
}
