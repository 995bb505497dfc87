/**
 * The sink-test wait races Twilio's API call: a cancel does not wait for the call, and a lost
 * answer does not fail a test whose event already arrived.
 */
import { describe, expect, it } from 'vitest';
import { sendSinkTestAndWait, type SinkTestArrival, type SinkTestSource } from '../../../src/core/connection/sink-test.js';

function fakeSource() {
  const listeners = new Set<(arrival: SinkTestArrival) => void>();
  const source: SinkTestSource = {
    onSinkTest: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    onUnverified: () => () => {},
    unverifiedCount: () => 0,
  };
  const arrive = () => listeners.forEach((listener) => listener({ testId: 't', receivedAt: '2025-01-01T00:00:00.000Z' }));
  return { source, arrive };
}

const never = () => new Promise<never>(() => {});

describe('sink test wait', () => {
  it('succeeds when the event arrives while the API call has not answered', async () => {
    const { source, arrive } = fakeSource();
    const waiting = sendSinkTestAndWait({ source, request: never, timeoutMs: 60_000, signal: new AbortController().signal });
    arrive();
    expect(await waiting).toMatchObject({ ok: true });
  });

  it('succeeds when the event arrived and the API answer is then lost', async () => {
    const { source, arrive } = fakeSource();
    let failRequest: (error: Error) => void = () => {};
    const waiting = sendSinkTestAndWait({
      source,
      request: () => new Promise((_, reject) => (failRequest = reject)),
      timeoutMs: 60_000,
      signal: new AbortController().signal,
    });
    arrive();
    failRequest(new Error('socket hang up'));
    expect(await waiting).toMatchObject({ ok: true });
  });

  it('is cancelled at once even while the API call hangs', async () => {
    const { source } = fakeSource();
    const abort = new AbortController();
    const waiting = sendSinkTestAndWait({ source, request: never, timeoutMs: 60_000, signal: abort.signal });
    abort.abort();
    expect(await waiting).toMatchObject({ ok: false, reason: 'cancelled' });
  });

  it('fails with the API error when the call fails before any event', async () => {
    const { source } = fakeSource();
    const waiting = sendSinkTestAndWait({ source, request: () => Promise.reject(new Error('Twilio error 20404')), timeoutMs: 60_000, signal: new AbortController().signal });
    await expect(waiting).rejects.toThrow('Twilio error 20404');
  });
});
