/**
 * Our own reconnect backoff for tunnels. The ngrok SDK's reconnect delay grows to ~104 min
 * (DESIGN.md section 7), far too long for a live monitor; this one starts at a second and is
 * capped at a minute, with jitter so that several instances do not retry in lockstep.
 */

export interface BackoffPolicy {
  /** Delay after the first failure. */
  initialMs: number;
  /** Upper bound of every delay, jitter included. */
  maxMs: number;
  /** Fraction of the delay randomized, in [0, 1]: 0.2 gives delay × [0.8, 1.2], then capped. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/**
 * Delay before the next attempt after `failures` consecutive failures (>= 1): initialMs doubling
 * per failure, jittered, capped at maxMs. `random` returns a number in [0, 1).
 */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 30));
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
  const factor = 1 - policy.jitter + 2 * policy.jitter * clamp01(random());
  return Math.round(Math.min(policy.maxMs, Math.max(0, base * factor)));
}

function clamp01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}
