/**
 * `npm run bench:ingest`: ingest throughput and acknowledgement latency of the real headless
 * receiver (`serve` in its own process, durable SQLite commits) over loopback.
 *
 * For batch sizes 1, 10 and 100 it posts pre-built deliveries of unique demo events from many
 * keep-alive connections at once, and prints events/s, requests/s, latency percentiles (POST to
 * 2xx) and the server's resident memory. A last run repeats batch size 1 with signature
 * verification on (every request signed like Twilio, checked with the real twilio helper).
 * When `wrk` is installed, the batch sizes run again with wrk as the load generator: the Node
 * client costs a core of its own on a 2-core machine, wrk much less.
 * Prints figures only; nothing here asserts on time.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { generateTraffic } from '../src/core/demo/traffic-generator.js';
import { signDelivery } from '../src/core/receiver/twilio-signature.js';
import { describeCpuSplit, percentile, startHealthProbe, threadCpuSeconds } from './server-probes.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const TOKEN = 'bench-auth-token-0123456789abcdef';

interface Server {
  url: URL;
  pid: number;
  stop(): Promise<void>;
}

function startServe(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/server/serve-cli.ts'), '--port', '0', '--no-ui', '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Webhook URL: (\S+)$/m.exec(out);
      if (match && /Signature verification/.test(out)) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({
          url: new URL(match[1]!),
          pid: child.pid!,
          stop: () =>
            new Promise((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited early (${code}): ${out}`)));
  });
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 1024);
}

interface Delivery {
  path: string;
  body: Buffer;
  signature?: string;
}

function buildDeliveries(batchSize: number, events: number, seed: number, sign: URL | null): Delivery[] {
  const deliveries: Delivery[] = [];
  let batch: unknown[] = [];
  const flush = () => {
    const body = JSON.stringify(batch);
    batch = [];
    if (sign) {
      const signed = signDelivery(TOKEN, sign.toString(), body);
      const signedUrl = new URL(signed.url);
      deliveries.push({ path: `${signedUrl.pathname}${signedUrl.search}`, body: Buffer.from(body), signature: signed.signature });
    } else deliveries.push({ path: '/events', body: Buffer.from(body) });
  };
  for (const event of generateTraffic({ seed, events, startTime: Date.UTC(2025, 0, 1), eventsPerSecond: 200 })) {
    batch.push(event);
    if (batch.length === batchSize) flush();
  }
  if (batch.length > 0) flush();
  return deliveries;
}

function post(agent: http.Agent, url: URL, delivery: Delivery): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': delivery.body.length };
    if (delivery.signature) headers['x-twilio-signature'] = delivery.signature;
    const request = http.request({ agent, host: url.hostname, port: url.port, method: 'POST', path: delivery.path, headers }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
    });
    request.once('error', reject);
    request.end(delivery.body);
  });
}

async function run(label: string, server: Server, deliveries: Delivery[], eventsPerDelivery: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const cpuBefore = threadCpuSeconds(server.pid);
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++]!;
        const t0 = process.hrtime.bigint();
        const status = await post(agent, server.url, delivery);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (status !== 200) failures++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = describeCpuSplit(server.pid, cpuBefore, threadCpuSeconds(server.pid), seconds);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const events = deliveries.length * eventsPerDelivery;
  console.log(
    [
      label.padEnd(26),
      `${Math.round(events / seconds).toLocaleString('en-US').padStart(9)} events/s`,
      `${Math.round(deliveries.length / seconds).toLocaleString('en-US').padStart(7)} req/s`,
      `p50 ${percentile(latencies, 50).toFixed(1).padStart(6)} ms`,
      `p99 ${percentile(latencies, 99).toFixed(1).padStart(6)} ms`,
      `max ${latencies[latencies.length - 1]?.toFixed(1).padStart(6)} ms`,
      `server RSS ${rssMiB(server.pid)} MiB`,
      failures > 0 ? `FAILURES ${failures}` : '',
    ].join('  '),
  );
  console.log(`${''.padEnd(28)}${cpu}`);
}

/** wrk (Debian package `wrk`), when installed: a C load generator leaves the server more CPU. */
function wrkAvailable(): boolean {
  return spawnSync('wrk', ['-v']).error === undefined;
}

/** Each wrk run gets ids of its own (the Lua script's RUN prefix): a repeated id would be a cheap duplicate. */
let wrkRuns = Date.now() % 1_000_000_000;

/** Runs wrk with bench/wrk-studio-events.lua: unique step events, eight per execution, in order. */
async function runWrk(label: string, server: Server, batchSize: number, seconds: number): Promise<void> {
  const cpuBefore = threadCpuSeconds(server.pid);
  const probe = startHealthProbe(server.url);
  const started = process.hrtime.bigint();
  const output = await new Promise<string>((resolve, reject) => {
    execFile(
      'wrk',
      ['-t1', `-c${batchSize === 1 ? 64 : 32}`, `-d${seconds}s`, '--latency', '-s', path.join(ROOT, 'bench/wrk-studio-events.lua'), server.url.origin],
      { env: { ...process.env, BATCH: String(batchSize), RUN: String(wrkRuns++) }, encoding: 'utf8' },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = describeCpuSplit(server.pid, cpuBefore, threadCpuSeconds(server.pid), wall);
  const health = await probe.stop();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0);
  const pct = (p: string) => /([\d.]+)(us|ms|s)$/.exec(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(output)?.[1] ?? '')?.slice(1) ?? ['0', 'ms'];
  const ms = ([value, unit]: string[]) => Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : 1);
  const failures = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? 0);
  console.log(
    [
      label.padEnd(26),
      `${Math.round(rps * batchSize).toLocaleString('en-US').padStart(9)} events/s`,
      `${Math.round(rps).toLocaleString('en-US').padStart(7)} req/s`,
      `p50 ${ms(pct('50')).toFixed(1).padStart(6)} ms`,
      `p99 ${ms(pct('99')).toFixed(1).padStart(6)} ms`,
      `server RSS ${rssMiB(server.pid)} MiB`,
      failures > 0 ? `FAILURES ${failures}` : '',
    ].join('  '),
  );
  console.log(
    `${''.padEnd(28)}${cpu}; GET / meanwhile: p50 ${health.p50.toFixed(1)} ms, p99 ${health.p99.toFixed(1)} ms, max ${health.max.toFixed(1)} ms (${health.count} probes)`,
  );
}

async function mainWithWrk(): Promise<void> {
  console.log(`\nsame, load from wrk (C, 1 thread): unique step events in execution order`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-bench-wrk-'));
  const server = await startServe(dir);
  try {
    await runWrk('warm-up (not a figure)', server, 10, 3);
    for (const batchSize of [1, 10, 100]) await runWrk(`batch ${batchSize} (wrk)`, server, batchSize, Math.max(3, Math.round(10 * SCALE)));
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`ingest benchmark: ${os.cpus().length} cores, node ${process.version}, durable (synchronous=FULL) commits`);
  console.log(`load from this process (node:http, ${CONCURRENCY} keep-alive connections): demo traffic, thousands of executions interleaved`);
  const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-bench-'));
  const server = await startServe(plain);
  try {
    // warm-up (JIT, SQLite page cache): not reported
    await run('warm-up (not a figure)', server, buildDeliveries(10, 5_000, 99, null), 10);
    const only = process.env.BENCH_BATCHES?.split(',').map(Number);
    for (const [batchSize, events] of [
      [1, 30_000],
      [10, 150_000],
      [100, 400_000],
    ] as const) {
      if (only && !only.includes(batchSize)) continue;
      const deliveries = buildDeliveries(batchSize, Math.round(events * SCALE), batchSize, null);
      await run(`batch ${batchSize}`, server, deliveries, batchSize);
    }
  } finally {
    await server.stop();
    fs.rmSync(plain, { recursive: true, force: true });
  }

  if (process.env.BENCH_SKIP_SIGNED) return;
  const signedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-bench-signed-'));
  const signed = await startServe(signedDir, { TWILIO_AUTH_TOKEN: TOKEN });
  try {
    const publicBase = new URL(`${signed.url.origin}/events`);
    await run('warm-up (not a figure)', signed, buildDeliveries(1, 2_000, 98, publicBase), 1);
    await run('batch 1, signed + verified', signed, buildDeliveries(1, Math.round(20_000 * SCALE), 7, publicBase), 1);
  } finally {
    await signed.stop();
    fs.rmSync(signedDir, { recursive: true, force: true });
  }
}

main()
  .then(() => {
    if (process.env.BENCH_SKIP_WRK) return;
    if (wrkAvailable()) return mainWithWrk();
    console.log('\n(wrk is not installed: `apt-get install wrk` adds a run with a C load generator)');
  })
  .catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
