/**
 * The Flowscope export document, version 1:
 *
 *   { "format": "flowscope.executions", "version": 1, "exportedAt": ISO, "filter": ExecutionFilter,
 *     "executions": [ { "summary": ExecutionSummary, "steps": StepNode[], "events": [CloudEvent...] } ],
 *     "otherEvents": [CloudEvent...] }            // optional: events of no execution
 *
 * Boundary module: an import file is untrusted. Only the raw `events` are trusted to carry data:
 * an importer re-parses every one of them and rebuilds summaries and steps from them, so the
 * `summary` and `steps` written for humans and other tools are checked for shape only.
 * An export holds events and what is derived from them, never credentials.
 * Isomorphic: no node:* and no DOM.
 */
import { z } from 'zod';
import type { ExecutionFilter } from './contract.js';
import type { ExecutionSummary, StepNode } from './execution-model.js';

export const EXPORT_FORMAT = 'flowscope.executions';
export const EXPORT_VERSION = 1;

/** Upper bound of events in one execution of an import (a hostile file must not exhaust memory). */
export const MAX_IMPORT_EVENTS_PER_EXECUTION = 1_000_000;

export interface ExportedExecution {
  summary: ExecutionSummary;
  /** Top-level steps in order, subflow steps nested in `children` (ExecutionTree.steps). */
  steps: StepNode[];
  /** The raw CloudEvents of the execution, as received, oldest first. */
  events: unknown[];
}

export interface ExportDocument {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  filter: ExecutionFilter;
  executions: ExportedExecution[];
  otherEvents?: unknown[];
}

/** `format` of a document: anything but ours is refused with a message naming what was found. */
export const exportFormatSchema = z.literal(EXPORT_FORMAT, {
  error: (issue) =>
    `not a Flowscope export: "format" is ${JSON.stringify(issue.input)?.slice(0, 80) ?? 'missing'}, expected "${EXPORT_FORMAT}"`,
});

export const exportVersionSchema = z.literal(EXPORT_VERSION, {
  error: (issue) =>
    `unsupported Flowscope export version ${JSON.stringify(issue.input)?.slice(0, 40) ?? '(missing)'}: this version of Flowscope reads version ${EXPORT_VERSION}`,
});

/** One element of `executions`: the raw events are what matters; summary and steps are derived. */
export const exportedExecutionSchema = z.looseObject({
  summary: z.looseObject({ executionSid: z.string().min(1).max(64) }),
  steps: z.array(z.unknown()),
  events: z.array(z.unknown()).max(MAX_IMPORT_EVENTS_PER_EXECUTION),
});

/** The document head: every top-level field except the two event arrays. */
export const exportHeadSchema = z.looseObject({
  format: exportFormatSchema,
  version: exportVersionSchema,
  exportedAt: z.string().max(64),
  filter: z.record(z.string(), z.unknown()).optional(),
});

/** A whole document at once, for small documents already parsed. */
export const exportDocumentSchema = exportHeadSchema.extend({
  executions: z.array(exportedExecutionSchema),
  otherEvents: z.array(z.unknown()).optional(),
});

/** "path: message" of the first issue, for an error a user can act on. */
export function describeExportIssue(error: z.ZodError, prefix = ''): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid export document';
  const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}
