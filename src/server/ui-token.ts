/**
 * The headless UI's access token: whoever has it can read every captured event, so it is random
 * (32 bytes), kept in `<data-dir>/ui-token` readable only by the user (0600), and stable across
 * restarts so that an open page reconnects after `serve` restarts. FLOWSCOPE_UI_TOKEN overrides
 * it (a team server's operator may want to set it); a weak one is refused.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const UI_TOKEN_FILE = 'ui-token';
export const UI_TOKEN_ENV = 'FLOWSCOPE_UI_TOKEN';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32,256}$/;

export function loadOrCreateUiToken(dataDir: string, env: Readonly<Record<string, string | undefined>>): string {
  const fromEnv = env[UI_TOKEN_ENV]?.trim();
  if (fromEnv) {
    if (!TOKEN_SHAPE.test(fromEnv)) throw new Error(`${UI_TOKEN_ENV} must be 32 to 256 characters of A-Z a-z 0-9 - _`);
    return fromEnv;
  }
  const file = path.join(dataDir, UI_TOKEN_FILE);
  const existing = readPrivateToken(file);
  if (existing !== null) return existing;
  const token = randomBytes(32).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // a random name: in a container the pid is the same on every start, and a temp file left by a
  // crash must not stop the next one
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(temp, `${token}\n`, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  return token;
}

/** The stored token, or null when there is none or it cannot be trusted (then a new one is made). */
function readPrivateToken(file: string): string | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return null;
  }
  // readable by others: someone else may know it, so it is replaced
  if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) return null;
  const token = fs.readFileSync(file, 'utf8').trim();
  return TOKEN_SHAPE.test(token) ? token : null;
}
