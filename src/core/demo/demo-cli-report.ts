/**
 * The sentences the demo CLI prints: progress, the final summary, and what to do when something
 * went wrong. Kept apart from the CLI's process handling so that they can be tested. Nothing here
 * prints a credential: URLs are shown without `user:pass@` and the auth token is never an input.
 */
import type { TrafficProgress, TrafficSummary } from './traffic-player.js';

/** The URL without any `user:pass@`, safe to print. */
export function displayUrl(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

export function unreachableMessage(url: string, code: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `Nothing is listening at ${url}. Start it with \`npm run serve\` first.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Cannot resolve the host of ${url}. Check --url.`;
    case 'ETIMEDOUT':
      return `No answer from ${url} within 2 seconds. Check --url and that the receiver is running.`;
    default:
      return `Cannot connect to ${url} (${code}). Check --url and that the receiver is running.`;
  }
}

export function progressLine(progress: TrafficProgress): string {
  const executions =
    progress.targetExecutions === null ? `${progress.executions}` : `${progress.executions}/${progress.targetExecutions}`;
  const events = progress.targetEvents === null ? `${progress.distinctEvents}` : `${progress.distinctEvents}/${progress.targetEvents}`;
  return (
    `${events} events, ${executions} executions, ${progress.acknowledged}/${progress.deliveries} deliveries acknowledged` +
    (progress.retries > 0 ? `, ${progress.retries} retries` : '') +
    (progress.failed + progress.rejected > 0 ? `, ${progress.failed + progress.rejected} not delivered` : '')
  );
}

export function summaryLine(summary: TrafficSummary, url: string, seed: number): string {
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  return (
    `${summary.aborted || summary.gaveUp ? 'Stopped' : 'Done'} after ${seconds} s: ${summary.distinctEvents} events of ` +
    `${summary.executions} executions in ${summary.deliveries} deliveries to ${url} ` +
    `(${summary.batchedDeliveries} batched, ${summary.reorderedDeliveries} held back, ` +
    `${summary.duplicateDeliveries} sent twice) - ${summary.acknowledged} acknowledged, ` +
    `${summary.rejected} rejected, ${summary.failed} failed, ${summary.retries} retries. Replay with --seed ${seed}.`
  );
}

export function hints(summary: TrafficSummary, url: string): string[] {
  const out: string[] = [];
  if (summary.gaveUp) {
    out.push(
      summary.lastError === 'ECONNREFUSED'
        ? `The receiver at ${url} stopped listening; stopped sending.`
        : `The receiver at ${url} kept failing (last error: ${summary.lastError ?? 'unknown'}); stopped sending.`,
    );
    return out;
  }
  const refused = (summary.statusCounts['401'] ?? 0) + (summary.statusCounts['403'] ?? 0);
  if (refused > 0) {
    out.push(
      'The receiver refused deliveries as unauthenticated (401/403): pass its auth token with --auth-token ' +
        '(or TWILIO_AUTH_TOKEN) and, if it verifies signatures against a public URL, that URL with --public-url.',
    );
  }
  if (summary.failed > 0 && summary.lastError !== null) {
    out.push(`${summary.failed} deliveries were given up after retries (last error: ${summary.lastError}).`);
  }
  return out;
}
