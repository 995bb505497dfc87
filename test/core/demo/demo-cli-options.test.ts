import { describe, expect, it } from 'vitest';
import { parseDemoCliArgs } from '../../../src/core/demo/demo-cli-options.js';
import { displayUrl, hints, summaryLine, unreachableMessage } from '../../../src/core/demo/demo-cli-report.js';
import type { TrafficSummary } from '../../../src/core/demo/traffic-player.js';

const URL_FLAG = ['--url', 'http://127.0.0.1:8788/events'];
const parse = (args: string[], env: Record<string, string> = {}) => parseDemoCliArgs(args, env, () => 777);

describe('parseDemoCliArgs', () => {
  it('fills pleasant defaults for a first demo', () => {
    expect(parse(URL_FLAG)).toEqual({
      kind: 'run',
      options: {
        url: 'http://127.0.0.1:8788/events',
        rate: 20,
        timeScale: 5,
        seed: 777,
        concurrency: 8,
        duplicateRate: 0.03,
        reorderRate: 0.08,
        batchMax: 10,
      },
    });
  });

  it('posts where `npm run serve` listens unless told otherwise', () => {
    const result = parse([]);
    expect(result.kind === 'run' && result.options.url).toBe('http://127.0.0.1:3977/events');
  });

  it('reads every flag', () => {
    const result = parse([
      ...URL_FLAG, '--rate', 'max', '--count', '500', '--seed', '1', '--public-url', 'https://x.ngrok-free.app',
      '--auth-token', 'tok', '--concurrency', '32', '--time-scale', '100', '--duplicate-rate', '0', '--reorder-rate',
      '0.5', '--batch-max', '1',
    ]);
    expect(result).toEqual({
      kind: 'run',
      options: {
        url: 'http://127.0.0.1:8788/events',
        rate: Infinity,
        count: 500,
        seed: 1,
        publicUrl: 'https://x.ngrok-free.app',
        authToken: 'tok',
        concurrency: 32,
        timeScale: 100,
        duplicateRate: 0,
        reorderRate: 0.5,
        batchMax: 1,
      },
    });
  });

  it('takes the auth token from TWILIO_AUTH_TOKEN unless given as a flag', () => {
    const fromEnv = parse(URL_FLAG, { TWILIO_AUTH_TOKEN: 'env-token' });
    expect(fromEnv.kind === 'run' && fromEnv.options.authToken).toBe('env-token');
    const fromFlag = parse([...URL_FLAG, '--auth-token', 'flag-token'], { TWILIO_AUTH_TOKEN: 'env-token' });
    expect(fromFlag.kind === 'run' && fromFlag.options.authToken).toBe('flag-token');
  });

  it('answers help', () => {
    expect(parse(['--help'])).toEqual({ kind: 'help' });
    expect(parse(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--url', 'localhost:8788'], '--url must be an http:// or https:// URL'],
    [[...URL_FLAG, '--rate', 'fast'], '--rate must be a positive number or "max"'],
    [[...URL_FLAG, '--rate=-3'], '--rate must be a positive number or "max"'],
    [[...URL_FLAG, '--count', '0'], '--count must be at least 1'],
    [[...URL_FLAG, '--executions', '2.5'], '--executions must be a whole number'],
    [[...URL_FLAG, '--executions', '5', '--count', '5'], 'give either --executions or --count, not both'],
    [[...URL_FLAG, '--duplicate-rate', '2'], '--duplicate-rate must be between 0 and 1'],
    [[...URL_FLAG, '--public-url', 'nope'], '--public-url must be an http:// or https:// URL'],
    [[...URL_FLAG, '--frobnicate'], "Unknown option '--frobnicate'"],
    [[...URL_FLAG, 'extra'], 'extra'],
  ])('explains a bad command line %j', (args, message) => {
    const result = parse(args);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.message).toContain(message);
  });

  it('never echoes the auth token in an error', () => {
    const result = parse(['--url', 'nope', '--auth-token', 'SECRET-TOKEN']);
    expect(result.kind === 'error' && result.message).not.toContain('SECRET-TOKEN');
  });
});

describe('demo CLI report', () => {
  it('says what to do when nothing listens', () => {
    expect(unreachableMessage('http://127.0.0.1:8788/events', 'ECONNREFUSED')).toBe(
      'Nothing is listening at http://127.0.0.1:8788/events. Start it with `npm run serve` first.',
    );
  });

  it('shows URLs without credentials', () => {
    expect(displayUrl('https://user:pw@example.com/events')).toBe('https://example.com/events');
  });

  it('summarizes a run and hints at signature problems', () => {
    const summary: TrafficSummary = {
      deliveries: 10, events: 12, distinctEvents: 11, executions: 3, duplicateDeliveries: 1, duplicateEvents: 1,
      reorderedDeliveries: 2, batchedDeliveries: 1, acknowledged: 0, rejected: 10, failed: 0, abortedDeliveries: 0,
      requests: 10, retries: 0, statusCounts: { '403': 10 }, lastError: '403', inFlight: 0, elapsedMs: 1500,
      targetEvents: null, targetExecutions: 3, acknowledgedEventIds: new Set(), aborted: false, gaveUp: false,
    };
    expect(summaryLine(summary, 'http://127.0.0.1:1/events', 4)).toContain('11 events of 3 executions in 10 deliveries');
    expect(hints(summary, 'http://127.0.0.1:1/events').join('\n')).toContain('--auth-token');
  });
});
