/**
 * Runs `serve` (src/server/serve-cli.ts) as a real child process, the way a user or a script does,
 * and reads the URLs it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServeProcess {
  child: ChildProcess;
  webhookUrl: string;
  uiUrl: string | null;
  output: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/** Runs a TypeScript entry point under Node with tsx, from the repo root. */
export function runTs(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, entry), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServeProcess> {
  const child = runTs('src/server/serve-cli.ts', args, env);
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not print its URLs in time:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const webhook = /^Webhook URL: (\S+)$/m.exec(out);
      const ui = /^UI URL: (\S+)$/m.exec(out);
      const expectUi = !args.includes('--no-ui');
      if (webhook && (ui || !expectUi) && out.includes('Signature verification')) {
        clearTimeout(timer);
        resolve({ child, webhookUrl: webhook[1]!, uiUrl: ui?.[1] ?? null, output: () => out, exited });
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready:\n${out}`));
    });
  });
}
