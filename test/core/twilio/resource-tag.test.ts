import { describe, expect, it } from 'vitest';
import { formatResourceDescription, parseResourceDescription, sanitizeHostLabel } from '../../../src/core/twilio/resource-tag.js';

describe('resource descriptions', () => {
  const createdAt = new Date('2025-03-04T05:06:07.089Z');

  it('round-trips installId, host and time', () => {
    const description = formatResourceDescription({ installId: 'a1B2_c3-d4', host: 'dev-box.local', createdAt });
    expect(description).toBe('flowscope:a1B2_c3-d4 dev-box.local 2025-03-04T05:06:07.089Z');
    expect(parseResourceDescription(description)).toEqual({ installId: 'a1B2_c3-d4', host: 'dev-box.local', createdAt: '2025-03-04T05:06:07.089Z' });
  });

  it('sanitizes and bounds the host label', () => {
    expect(sanitizeHostLabel("Jane's MacBook Pro")).toBe('Jane-s-MacBook-Pro');
    expect(sanitizeHostLabel('***')).toBe('unknown');
    expect(sanitizeHostLabel('x'.repeat(200))).toHaveLength(63);
    const longest = formatResourceDescription({ installId: 'i'.repeat(64), host: 'h'.repeat(500), createdAt });
    expect(longest.length).toBeLessThanOrEqual(163);
  });

  it('refuses an invalid installId', () => {
    expect(() => formatResourceDescription({ installId: 'has space', host: 'h' })).toThrow(TypeError);
    expect(() => formatResourceDescription({ installId: '', host: 'h' })).toThrow(TypeError);
  });

  it('recognizes only Flowscope descriptions, tolerating a missing or bad time', () => {
    expect(parseResourceDescription('My Kinesis Sink')).toBeNull();
    expect(parseResourceDescription(null)).toBeNull();
    expect(parseResourceDescription('flowscope:')).toBeNull();
    expect(parseResourceDescription('flowscope:bad/id host')).toBeNull();
    expect(parseResourceDescription('flowscope:abc')).toEqual({ installId: 'abc', host: 'unknown', createdAt: null });
    expect(parseResourceDescription('flowscope:abc host yesterday')).toEqual({ installId: 'abc', host: 'host', createdAt: null });
  });
});
