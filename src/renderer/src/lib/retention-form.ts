/**
 * The Storage panel's pure parts: the retention form's values and their light checks, the
 * sentences that describe saved settings and what saving them removed, and the cut-off time of
 * "Clear older than…".
 *
 * The core validates again (contract.ts retentionSchema) and is the authority: these checks only
 * catch typos early, with a message naming the field. Limits mirror the schema's so that a value
 * accepted here is not refused there.
 */
import type { RetentionSettings } from '../../../shared/contract.js';
import { formatCount } from './format.js';

export const MAX_AGE_DAYS_LIMIT = 36_500;
export const MAX_EVENTS_LIMIT = 1_000_000_000;
const DAY_MS = 86_400_000;

export interface RetentionFormValues {
  /** Empty: no age limit. */
  maxAgeDays: string;
  /** Empty: no event limit. */
  maxEvents: string;
}

export type RetentionField = keyof RetentionFormValues;
export type RetentionFormErrors = Partial<Record<RetentionField, string>>;

export type RetentionParse = { ok: true; settings: RetentionSettings } | { ok: false; errors: RetentionFormErrors };

export function retentionToForm(settings: RetentionSettings): RetentionFormValues {
  return {
    maxAgeDays: settings.maxAgeDays === null ? '' : String(settings.maxAgeDays),
    // grouped (1,000,000) for reading; parseEvents takes the groups back
    maxEvents: settings.maxEvents === null ? '' : formatCount(settings.maxEvents),
  };
}

const DECIMAL = /^\d+(\.\d+)?$/;
const DIGITS = /^\d+$/;
/** 1,000,000 or 1 000 000 (groups of three only, so "1,5" is not read as 15). */
const GROUPED = /^\d{1,3}([, ]\d{3})+$/;

function parseDays(text: string): number | null | string {
  const value = text.trim();
  if (value === '') return null;
  const days = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!Number.isFinite(days) || days <= 0) return 'Enter a number of days greater than 0, or leave it empty for no age limit.';
  if (days > MAX_AGE_DAYS_LIMIT) return `At most ${formatCount(MAX_AGE_DAYS_LIMIT)} days; leave it empty for no age limit.`;
  return days;
}

function parseEvents(text: string): number | null | string {
  const value = text.trim();
  if (value === '') return null;
  const plain = GROUPED.test(value) ? value.replace(/[, ]/g, '') : value;
  const events = DIGITS.test(plain) ? Number(plain) : Number.NaN;
  if (!Number.isSafeInteger(events) || events <= 0) return 'Enter a whole number of events greater than 0, or leave it empty for no limit.';
  if (events > MAX_EVENTS_LIMIT) return `At most ${formatCount(MAX_EVENTS_LIMIT)} events; leave it empty for no limit.`;
  return events;
}

/** The settings to send, or a message per field that is not a positive number. */
export function parseRetentionForm(values: RetentionFormValues): RetentionParse {
  const maxAgeDays = parseDays(values.maxAgeDays);
  const maxEvents = parseEvents(values.maxEvents);
  const errors: RetentionFormErrors = {};
  if (typeof maxAgeDays === 'string') errors.maxAgeDays = maxAgeDays;
  if (typeof maxEvents === 'string') errors.maxEvents = maxEvents;
  if (typeof maxAgeDays === 'string' || typeof maxEvents === 'string') return { ok: false, errors };
  return { ok: true, settings: { maxAgeDays, maxEvents } };
}

const plural = (n: number, one: string, many: string) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** "Keep 30 days and at most 1,000,000 events." / "No age limit; at most 500 events." / … */
export function describeRetention(settings: RetentionSettings): string {
  const { maxAgeDays, maxEvents } = settings;
  if (maxAgeDays === null && maxEvents === null) return 'No limits: everything is kept until you clear it.';
  const age = maxAgeDays === null ? 'no age limit' : `keep ${plural(maxAgeDays, 'day', 'days')}`;
  const events = maxEvents === null ? 'no event limit' : `at most ${plural(maxEvents, 'event', 'events')}`;
  const sentence = `${age}, ${events}.`;
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

export function describeDeleted(counts: { deletedEvents: number; deletedExecutions: number }): string {
  return `Deleted ${plural(counts.deletedExecutions, 'execution', 'executions')} (${plural(counts.deletedEvents, 'event', 'events')}).`;
}

/**
 * What saving the settings removed (retention.set's counts), or null when nothing went. Events of
 * no execution (a sink test) are aged and counted too, so events can go without executions.
 */
export function describeRemoved(counts: { deletedEvents: number; deletedExecutions: number }): string | null {
  const { deletedEvents, deletedExecutions } = counts;
  if (deletedExecutions === 0) return deletedEvents === 0 ? null : `Removed ${plural(deletedEvents, 'older event', 'older events')}.`;
  return `Removed ${plural(deletedExecutions, 'older execution', 'older executions')} (${plural(deletedEvents, 'event', 'events')}).`;
}

// ---- "Clear older than…" ----

export type ClearChoice = '1d' | '7d' | '30d' | 'custom';

export const CLEAR_CHOICES: readonly { choice: ClearChoice; label: string; days: number | null }[] = [
  { choice: '1d', label: '1 day', days: 1 },
  { choice: '7d', label: '7 days', days: 7 },
  { choice: '30d', label: '30 days', days: 30 },
  { choice: 'custom', label: 'A date and time', days: null },
];

export type CutoffResult = { ok: true; ms: number } | { ok: false; message: string };

/**
 * The instant before which executions go. `custom` is an `<input type="datetime-local">` value
 * (YYYY-MM-DDTHH:mm[:ss]), which ECMAScript reads as local time, as the user typed it.
 */
export function clearCutoff(choice: ClearChoice, custom: string, nowMs: number): CutoffResult {
  const preset = CLEAR_CHOICES.find((entry) => entry.choice === choice);
  if (preset !== undefined && preset.days !== null) return { ok: true, ms: nowMs - preset.days * DAY_MS };
  const value = custom.trim();
  if (value === '') return { ok: false, message: 'Pick a date and time.' };
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value) ? new Date(value).getTime() : Number.NaN;
  if (Number.isNaN(ms)) return { ok: false, message: 'Enter a date and time such as 2025-01-31 18:00.' };
  // a cut-off in the future would delete every execution that is not live: almost surely a slip
  if (ms > nowMs) return { ok: false, message: 'Pick a time in the past.' };
  return { ok: true, ms };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Local, unambiguous: 2025-03-04 14:03. */
export function formatCutoff(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}
