/**
 * What the ingest benchmark reads off the server besides throughput: CPU time per thread (from
 * /proc: the HTTP thread vs the store's writer thread, to show which one limits) and how fast the
 * server still answers a plain GET while deliveries flood it (a frozen event loop shows here).
 * Linux only, like the rest of the benchmark. Figures only; nothing asserts on them.
 */
import fs from 'node:fs';
import http from 'node:http';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) used so far by each thread of a process, keyed by thread id. */
export function threadCpuSeconds(pid: number): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      // fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      seconds.set(Number(tid), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return seconds;
}

/**
 * CPU share of the main (HTTP) thread and of the busiest other thread (the store's writer) between
 * two snapshots, as a fraction of one core over `wallSeconds`.
 */
export function describeCpuSplit(pid: number, before: Map<number, number>, after: Map<number, number>, wallSeconds: number): string {
  const used = (tid: number) => (after.get(tid) ?? 0) - (before.get(tid) ?? 0);
  const main = used(pid);
  let busiest = 0;
  let others = 0;
  for (const tid of after.keys()) {
    if (tid === pid) continue;
    const cpu = used(tid);
    busiest = Math.max(busiest, cpu);
    others += cpu;
  }
  const pct = (cpu: number) => `${Math.round((cpu / wallSeconds) * 100)}%`;
  return `CPU: HTTP thread ${pct(main)}, writer thread ${pct(busiest)}, other threads ${pct(others - busiest)}`;
}

/** The p-th percentile of ascending `sorted` (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export interface ProbeFigures {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** GETs `url` every `intervalMs` on a connection of its own until stopped; latencies in ms. */
export function startHealthProbe(url: URL, intervalMs = 50): { stop(): Promise<ProbeFigures> } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = process.hrtime.bigint();
      await new Promise<void>((resolve) => {
        const request = http.get({ agent, host: url.hostname, port: url.port, path: '/' }, (response) => {
          response.resume();
          response.once('end', () => resolve());
        });
        request.once('error', () => resolve());
      });
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      agent.destroy();
      const sorted = [...latencies].sort((a, b) => a - b);
      return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 };
    },
  };
}
