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
import type { ExecutionSummary, ExecutionTree, FlowSummary } from './execution-model.js';

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
  /** Returns the export document as text (for the UI's save/download); CLI export streams instead. */
  'export.run': z.strictObject({ filter: executionFilterSchema.default({}) }),
  'import.run': z.strictObject({ text: z.string().max(512 * 1024 * 1024) }),
  /**
   * Desktop only: the main process asks where to save (native dialog) and streams the export to
   * that file. The headless host answers `unavailable`; the renderer then falls back to export.run
   * and a browser download.
   */
  'export.save': z.strictObject({ filter: executionFilterSchema.default({}) }),
  /** Desktop only: native open dialog, then import.run on the chosen file. */
  'import.open': z.strictObject({}),
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
  'retention.set': RetentionSettings;
  'store.clearOlderThan': { deletedEvents: number; deletedExecutions: number };
  'export.run': { fileName: string; text: string };
  'import.run': ImportResult;
  'export.save': { saved: false } | { saved: true; path: string; executions: number };
  'import.open': { imported: false } | ({ imported: true; path: string } & ImportResult);
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
