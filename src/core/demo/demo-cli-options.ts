/**
 * Command-line flags of the demo traffic generator (src/server/demo-cli.ts), parsed and validated.
 *
 * Boundary module: argv and the environment are untrusted input. Parsing never throws; a bad flag
 * comes back as an error message meant to be printed above the usage text. The auth token may come
 * from `--auth-token` or TWILIO_AUTH_TOKEN; it is never echoed in a message.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** Where `npm run serve` receives by default (its --port 3977 and --path /events). */
export const DEFAULT_DEMO_URL = 'http://127.0.0.1:3977/events';

export const DEMO_USAGE = `Usage: npm run demo -- [--url <receiver URL>] [options]

Plays realistic Twilio Studio executions into a Flowscope receiver, delivered the way Twilio
Event Streams delivers them (batches, reordering, duplicates, signed, retried).

  --url URL            the receiver's webhook URL (default ${DEFAULT_DEMO_URL},
                       where \`npm run serve\` listens)
  --executions N       how many executions to play (default 40)
  --count N            or: how many events to play
  --rate N             events per second (default 20; "max" = as fast as the receiver answers)
  --time-scale N       play real durations N times faster (default 5; 1 = real time)
  --auth-token TOKEN   sign deliveries (default: $TWILIO_AUTH_TOKEN, if set; prefer the
                       variable, which \`npm run serve\` also reads and ps does not show)
  --public-url URL     sign for this public URL (e.g. your ngrok URL) while posting to --url
  --seed N             replay a run exactly (default: a new seed each run, printed)
  --concurrency N      deliveries in flight at once (default 8)
  --duplicate-rate P   share of deliveries sent twice (default 0.03)
  --reorder-rate P     share of deliveries held back behind later ones (default 0.08)
  --batch-max N        largest batch of events in one delivery (default 10; 1 = no batches)
  -h, --help           show this help`;

export interface DemoCliOptions {
  url: string;
  executions?: number;
  count?: number;
  rate: number;
  timeScale: number;
  authToken?: string;
  publicUrl?: string;
  seed: number;
  concurrency: number;
  duplicateRate: number;
  reorderRate: number;
  batchMax: number;
}

export type DemoCliParse = { kind: 'help' } | { kind: 'run'; options: DemoCliOptions } | { kind: 'error'; message: string };

const httpUrl = (flag: string) =>
  z.string().refine(
    (value) => {
      try {
        const { protocol } = new URL(value);
        return protocol === 'http:' || protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: `${flag} must be an http:// or https:// URL` },
  );

const count = (flag: string) =>
  z.coerce.number({ message: `${flag} must be a number` }).int(`${flag} must be a whole number`).min(1, `${flag} must be at least 1`);
const share = (flag: string) =>
  z.coerce.number({ message: `${flag} must be a number` }).min(0, `${flag} must be between 0 and 1`).max(1, `${flag} must be between 0 and 1`);

const flagsSchema = z.object({
  url: httpUrl('--url'),
  executions: count('--executions').optional(),
  count: count('--count').optional(),
  rate: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return 20;
      if (value === 'max') return Infinity; // zod numbers exclude Infinity, hence by hand
      const rate = Number(value);
      if (value.trim() !== '' && Number.isFinite(rate) && rate > 0) return rate;
      ctx.addIssue({ code: 'custom', message: '--rate must be a positive number or "max"' });
      return z.NEVER;
    }),
  timeScale: z.coerce.number({ message: '--time-scale must be a number' }).positive('--time-scale must be positive').default(5),
  authToken: z.string().min(1, '--auth-token is empty').optional(),
  publicUrl: httpUrl('--public-url').optional(),
  seed: z.coerce
    .number({ message: '--seed must be a number' })
    .int('--seed must be a whole number')
    .min(0, '--seed must be between 0 and 4294967295')
    .max(0xffff_ffff, '--seed must be between 0 and 4294967295')
    .optional(),
  concurrency: count('--concurrency').max(1024, '--concurrency must be at most 1024').default(8),
  duplicateRate: share('--duplicate-rate').default(0.03),
  reorderRate: share('--reorder-rate').default(0.08),
  batchMax: count('--batch-max').max(1000, '--batch-max must be at most 1000').default(10),
});

const STRING_FLAGS = [
  'url', 'executions', 'count', 'rate', 'time-scale', 'auth-token', 'public-url', 'seed', 'concurrency',
  'duplicate-rate', 'reorder-rate', 'batch-max',
] as const;

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

export function parseDemoCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  newSeed: () => number,
): DemoCliParse {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        ...Object.fromEntries(STRING_FLAGS.map((flag) => [flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    // parseArgs messages name the flag, never a value.
    return { kind: 'error', message: error instanceof Error ? error.message : 'invalid arguments' };
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { kind: 'help' };
  if (values.executions !== undefined && values.count !== undefined) {
    return { kind: 'error', message: 'give either --executions or --count, not both' };
  }

  const raw: Record<string, unknown> = {};
  for (const flag of STRING_FLAGS) raw[camel(flag)] = values[flag];
  raw.url ??= DEFAULT_DEMO_URL;
  if (raw.authToken === undefined && env.TWILIO_AUTH_TOKEN) raw.authToken = env.TWILIO_AUTH_TOKEN;

  const result = flagsSchema.safeParse(raw);
  if (!result.success) return { kind: 'error', message: result.error.issues[0]?.message ?? 'invalid arguments' };
  const { seed, ...rest } = result.data;
  return { kind: 'run', options: { ...rest, seed: seed ?? newSeed() } };
}
