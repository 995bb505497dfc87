// `serve --connect` as a child process: Twilio API calls go to a fake Twilio running in this test
// process (FLOWSCOPE_TWILIO_API_URL), the public URL is the receiver itself (FLOWSCOPE_PUBLIC_URL),
// so the fake delivers the test event and Studio traffic straight to it. SIGTERM deletes the sink.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTraffic } from '../../src/core/demo/traffic-generator.js';
import { createFakeTwilio, type FakeTwilio } from '../fakes/fake-twilio/fake-twilio.js';
import { startServe as startServeInProcess } from '../../src/server/serve-cli.js';
import { runTs, startServe, type ServeProcess } from '../support/serve-process.js';
import { FakeTunnelProvider } from '../core/tunnel/fake-tunnel-provider.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir();
const running: ServeProcess[] = [];
const fakes: FakeTwilio[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  for (const fake of fakes.splice(0)) await fake.close();
});

/** A port that was free a moment ago (the receiver's port must be known before it starts). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function fakeTwilio(): Promise<FakeTwilio> {
  const fake = await createFakeTwilio();
  fakes.push(fake);
  return fake;
}

const NO_AMBIENT_CREDENTIALS = { TWILIO_API_KEY_SID: '', TWILIO_API_KEY_SECRET: '', NGROK_AUTHTOKEN: '' };

describe('serve --connect', () => {
  it('connects at start, prints each step and the public URL, receives events, and deletes the sink on SIGTERM', async () => {
    const fake = await fakeTwilio();
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const { accountSid, authToken } = fake.authTokenCredentials();
    const serve = await startServe(['--port', String(port), '--data-dir', tempDir(), '--no-ui', '--connect'], {
      ...NO_AMBIENT_CREDENTIALS,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      FLOWSCOPE_TWILIO_API_URL: fake.baseUrl,
      FLOWSCOPE_PUBLIC_URL: publicUrl,
    });
    running.push(serve);
    const out = serve.output();
    for (const step of ['credentials', 'receiver', 'tunnel', 'verification', 'cleanup', 'sink', 'subscription', 'test']) {
      expect(out).toMatch(new RegExp(`^Connect ${step}: ok - .+$`, 'm'));
    }
    expect(out).toMatch(new RegExp(`^Public URL: ${publicUrl}/events$`, 'm'));
    expect(out).toMatch(/^Connected: sink DG[0-9a-f]{32}, subscription DF[0-9a-f]{32}$/m);
    expect(out).toContain('Signature verification: on (X-Twilio-Signature)');
    const [sink] = fake.sinks();
    expect(sink?.sinkConfiguration).toMatchObject({ destination: `${publicUrl}/events`, batch_events: true });
    expect(fake.subscriptions()).toHaveLength(1);

    const events = [...generateTraffic({ seed: 2, executions: 2, startTime: Date.parse('2025-05-01T10:00:00Z') })];
    const records = await fake.deliver(events, { batchSize: 3, duplicateRate: 0.3, seed: 1 });
    expect(records.every((record) => record.outcome === 'acknowledged')).toBe(true);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    expect(serve.output()).toContain('Disconnected: the sink and subscription were deleted.');
    expect(serve.output()).not.toContain(authToken);
  });

  it('exits 1 with Twilio’s message when the credentials are wrong, leaving nothing behind', async () => {
    const fake = await fakeTwilio();
    const wrongToken = 'f'.repeat(32);
    const child = runTs('src/server/serve-cli.ts', ['--port', '0', '--data-dir', tempDir(), '--no-ui', '--connect'], {
      ...NO_AMBIENT_CREDENTIALS,
      TWILIO_ACCOUNT_SID: fake.account.sid,
      TWILIO_AUTH_TOKEN: wrongToken,
      FLOWSCOPE_TWILIO_API_URL: fake.baseUrl,
      FLOWSCOPE_PUBLIC_URL: 'http://127.0.0.1:9/unused',
    });
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(out).toMatch(/^Connect credentials: FAILED - Twilio rejected these credentials \(error 20003/m);
    expect(out).toMatch(/^error: Connect failed at the credentials step: Twilio rejected these credentials/m);
    expect(out).not.toContain(wrongToken);
    expect(fake.sinks()).toEqual([]);
  });

  it('refuses --connect without credentials, naming the variables', async () => {
    const child = runTs('src/server/serve-cli.ts', ['--port', '0', '--data-dir', tempDir(), '--no-ui', '--connect'], {
      ...NO_AMBIENT_CREDENTIALS,
      TWILIO_ACCOUNT_SID: '',
      TWILIO_AUTH_TOKEN: '',
    });
    let out = '';
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    expect(code).toBe(1);
    expect(out).toContain('error: --connect needs Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  });

  it('runs in-process with an injected tunnel provider (for hosts such as browser tests)', async () => {
    const fake = await fakeTwilio();
    const tunnel = new FakeTunnelProvider({ mode: 'proxy' });
    const lines: string[] = [];
    const serve = await startServeInProcess({
      dataDir: tempDir(),
      receiver: { port: 0 },
      publicUrl: null,
      uiPort: null,
      env: {},
      out: (line) => lines.push(line),
      err: () => undefined,
      connection: { twilio: { apiBaseUrl: fake.baseUrl }, tunnelProviderFor: () => tunnel },
    });
    try {
      const outcome = await serve.monitor.host.invoke('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: 'fake-ngrok-token-123456' });
      expect(outcome).toMatchObject({ ok: true, result: { state: 'connected' } });
      expect(lines).toContain(`Public URL: ${tunnel.current!.url}/events`);
    } finally {
      await serve.stop();
      await tunnel.closeAll();
    }
    expect(fake.sinks()).toEqual([]);
    expect(lines).toContain('Disconnected: the sink and subscription were deleted.');
  });
});
