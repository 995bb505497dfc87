/**
 * The shapes of the execution-tree model: what the store projects, the contract carries and the UI
 * shows. Types only; the pure builder lives in execution-tree.ts.
 * Isomorphic: no node:* and no DOM.
 */

/**
 * `active`: no `ended` event seen yet. `ended`: ended normally (ended_reason FLOW_END or none).
 * `failed`: ended with another ended_reason, or the last step left through a failure transition
 * (`fail`, `failed`, `error`...). Studio itself has only active/ended; failed is our reading of it.
 */
export type ExecutionStatus = 'active' | 'ended' | 'failed';

export interface StepNode {
  stepSid: string;
  executionSid: string;
  flowSid: string;
  /** The transition event that ended the step (`keypress`, `timeout`, `incomingMessage`...). */
  name: string | null;
  /** The widget this step ran. */
  widget: string | null;
  /** The widget it went to next, or `Ended`. */
  transitionedTo: string | null;
  parentStepSid: string | null;
  /** When the step ended (ISO), or null if the event carried no time. */
  time: string | null;
  /** ms from the execution's start to this step's end, when both are known. */
  sinceStartMs: number | null;
  /**
   * ms the step took: from the previous step's end (or the execution's start) to this one's end.
   * A step that waited an hour for an SMS reply shows an hour here.
   */
  durationMs: number | null;
  /** The CloudEvent id of the step.ended event. */
  eventId: string;
  /** Steps of a subflow that this step ran, ordered. */
  children: StepNode[];
}

export interface ExecutionSummary {
  executionSid: string;
  flowSid: string;
  accountSid: string | null;
  status: ExecutionStatus;
  endedReason: string | null;
  /** E.164 number, `whatsapp:+...`, `client:name` or a SIP address. */
  contact: string | null;
  /** The Call or Message SID that started the execution. */
  startedBy: string | null;
  flowRevision: number | null;
  /** ISO times; startedAt falls back to the earliest event seen when `started` has not arrived. */
  startedAt: string | null;
  endedAt: string | null;
  /** The latest time of any event of this execution. */
  lastEventAt: string | null;
  /** endedAt - startedAt once ended; null while active (the UI counts live). */
  durationMs: number | null;
  /** Number of distinct steps (all levels). */
  stepCount: number;
  /** While active: the widget the execution is waiting in (the last step's `transitioned_to`). */
  currentWidget: string | null;
  /** The widget of the latest step. */
  lastWidget: string | null;
  /** Whether the `started` / `ended` events have been received (they may arrive after steps). */
  seenStarted: boolean;
  seenEnded: boolean;
  /** Distinct widget names (both ends of every transition but `Ended`), for text search. */
  widgets: string[];
  /** Number of distinct events (all kinds) of this execution. */
  eventCount: number;
}

export interface ExecutionTree {
  summary: ExecutionSummary;
  /** Top-level steps in order; subflow steps are nested in `children`. */
  steps: StepNode[];
}

export interface FlowSummary {
  flowSid: string;
  active: number;
  ended: number;
  failed: number;
  total: number;
  lastEventAt: string | null;
}
