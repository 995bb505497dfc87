/**
 * Small pieces shared by the command-line entry points (serve, export, import, demo): where data
 * lives by default and how a CLI reports a usage error.
 */
import os from 'node:os';
import path from 'node:path';

/** `--data-dir`, else FLOWSCOPE_DATA_DIR, else ~/.flowscope. */
export function resolveDataDir(flag: string | undefined): string {
  return path.resolve(flag ?? process.env.FLOWSCOPE_DATA_DIR ?? path.join(os.homedir(), '.flowscope'));
}

export class UsageError extends Error {}

/** Parses a port flag: an integer 0-65535 (0 = any free port). */
export function parsePort(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`${name} must be a port number (0-65535), got "${value}"`);
  return port;
}

/** Runs a CLI main: usage errors print the usage, other errors one clear line; exit code 2 / 1. */
export function runCli(usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${usage}\n`);
      process.exit(2);
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
