// The Storage panel's pure rules (src/renderer/src/lib/retention-form.ts): what the form accepts,
// how saved settings and deletions read, and the cut-off of "Clear older than…".
import { describe, expect, it } from 'vitest';
import { retentionSchema } from '../../src/shared/contract.js';
import { clearCutoff, describeDeleted, describeRemoved, describeRetention, parseRetentionForm, retentionToForm } from '../../src/renderer/src/lib/retention-form.js';

const NOW = Date.parse('2025-06-15T12:00:00.000Z');

describe('retention form rules', () => {
  it('reads empty as no limit, decimals as days and grouped thousands as events', () => {
    expect(parseRetentionForm({ maxAgeDays: '', maxEvents: ' ' })).toEqual({ ok: true, settings: { maxAgeDays: null, maxEvents: null } });
    expect(parseRetentionForm({ maxAgeDays: '0.5', maxEvents: '1,000,000' })).toEqual({ ok: true, settings: { maxAgeDays: 0.5, maxEvents: 1_000_000 } });
    expect(parseRetentionForm({ maxAgeDays: '36500', maxEvents: '1000000000' })).toEqual({ ok: true, settings: { maxAgeDays: 36_500, maxEvents: 1e9 } });
  });

  it('accepts only what the core accepts', () => {
    for (const values of [{ maxAgeDays: '0.01', maxEvents: '1' }, { maxAgeDays: '36500', maxEvents: '1 000 000' }]) {
      const parsed = parseRetentionForm(values);
      expect(parsed.ok && retentionSchema.safeParse(parsed.settings).success).toBe(true);
    }
  });

  it('refuses what the core would refuse, and ambiguous separators', () => {
    for (const maxAgeDays of ['0', '-1', 'abc', '1e3', '36501', '1,5']) {
      expect(parseRetentionForm({ maxAgeDays, maxEvents: '' }).ok, maxAgeDays).toBe(false);
    }
    for (const maxEvents of ['0', '1.5', '1,5', '1,0000', '1000000001', '12abc']) {
      expect(parseRetentionForm({ maxAgeDays: '', maxEvents }).ok, maxEvents).toBe(false);
    }
  });

  it('round-trips saved settings through the form', () => {
    for (const settings of [{ maxAgeDays: 30, maxEvents: null }, { maxAgeDays: 0.5, maxEvents: 1_000_000 }]) {
      expect(parseRetentionForm(retentionToForm(settings))).toEqual({ ok: true, settings });
    }
    expect(retentionToForm({ maxAgeDays: null, maxEvents: 1_000_000 })).toEqual({ maxAgeDays: '', maxEvents: '1,000,000' });
  });

  it('describes settings and deletions in a sentence', () => {
    expect(describeRetention({ maxAgeDays: 30, maxEvents: 1_000_000 })).toBe('Keep 30 days, at most 1,000,000 events.');
    expect(describeRetention({ maxAgeDays: 1, maxEvents: null })).toBe('Keep 1 day, no event limit.');
    expect(describeRetention({ maxAgeDays: null, maxEvents: 500 })).toBe('No age limit, at most 500 events.');
    expect(describeRetention({ maxAgeDays: null, maxEvents: null })).toBe('No limits: everything is kept until you clear it.');
    expect(describeDeleted({ deletedExecutions: 1, deletedEvents: 1 })).toBe('Deleted 1 execution (1 event).');
    expect(describeDeleted({ deletedExecutions: 0, deletedEvents: 0 })).toBe('Deleted 0 executions (0 events).');
  });

  it('describes what saving the settings removed, and nothing when it removed nothing', () => {
    expect(describeRemoved({ deletedExecutions: 12, deletedEvents: 340 })).toBe('Removed 12 older executions (340 events).');
    expect(describeRemoved({ deletedExecutions: 1, deletedEvents: 1 })).toBe('Removed 1 older execution (1 event).');
    expect(describeRemoved({ deletedExecutions: 1_200, deletedEvents: 34_000 })).toBe('Removed 1,200 older executions (34,000 events).');
    // events of no execution (a sink test) go by age and count too
    expect(describeRemoved({ deletedExecutions: 0, deletedEvents: 3 })).toBe('Removed 3 older events.');
    expect(describeRemoved({ deletedExecutions: 0, deletedEvents: 0 })).toBeNull();
  });

  it('computes the cut-off from now, or from a past local date and time', () => {
    expect(clearCutoff('1d', '', NOW)).toEqual({ ok: true, ms: NOW - 86_400_000 });
    expect(clearCutoff('30d', 'ignored', NOW)).toEqual({ ok: true, ms: NOW - 30 * 86_400_000 });
    expect(clearCutoff('custom', '2025-06-01T08:30', NOW)).toEqual({ ok: true, ms: new Date(2025, 5, 1, 8, 30).getTime() });
    expect(clearCutoff('custom', '', NOW)).toEqual({ ok: false, message: 'Pick a date and time.' });
    expect(clearCutoff('custom', 'yesterday', NOW).ok).toBe(false);
    expect(clearCutoff('custom', '2030-01-01T00:00', NOW)).toEqual({ ok: false, message: 'Pick a time in the past.' });
  });
});
