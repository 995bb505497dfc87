/**
 * The headless credentials file (default `<dataDir>/credentials.json`): reading it safely and
 * writing it atomically.
 *
 * Invariants and security assumptions:
 * - The file must be readable only by its owner. On POSIX a file whose mode grants any group or
 *   other permission (`mode & 0o077`) is refused, as ssh does with private keys: secrets that
 *   others could already have read are not silently used. The mode is checked on the opened
 *   descriptor (fstat), so the file checked is the file read. Windows has no such mode bits;
 *   there the user profile's ACLs are relied upon.
 * - Writes go to a temporary file in the same directory (created 0600, exclusively), are
 *   fsynced and renamed over the target: a crash leaves the old or the new file, never a torn
 *   one, and the secret never exists in a file with a wider mode.
 * - Errors name the file and the offending field, never a value: JSON parse errors, whose text
 *   quotes the input, are replaced by a fixed sentence.
 * - Unknown keys are kept (read-modify-write by the secret store preserves what a user added).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const CREDENTIALS_FILE_NAME = 'credentials.json';

const optionalString = z.string().optional();

export const credentialsDocumentSchema = z.looseObject({
  twilio: z
    .looseObject({
      accountSid: optionalString,
      authToken: optionalString,
      apiKeySid: optionalString,
      apiKeySecret: optionalString,
    })
    .optional(),
  ngrok: z.looseObject({ authtoken: optionalString, domain: optionalString }).optional(),
  receiver: z.looseObject({ basicAuthPassword: optionalString }).optional(),
});

/**
 * ```json
 * { "twilio": { "accountSid": "AC…", "authToken": "…" },
 *   "ngrok": { "authtoken": "…", "domain": "example.ngrok-free.app" } }
 * ```
 * or, with an API key: `"twilio": { "accountSid": "AC…", "apiKeySid": "SK…", "apiKeySecret": "…" }`.
 */
export type CredentialsDocument = z.infer<typeof credentialsDocumentSchema>;

/** A problem with the credentials file; the message is safe to show (no secret values). */
export class CredentialsFileError extends Error {
  override name = 'CredentialsFileError';
}

export function defaultCredentialsFile(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE_NAME);
}

/** Refuses a mode that lets anyone but the owner read or write the file. */
export function assertOwnerOnlyMode(mode: number, file: string, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') return;
  if ((mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    throw new CredentialsFileError(
      `credentials file ${file} is accessible by other users (mode ${octal}); ` +
        `it holds secrets, so it must be readable only by you: run \`chmod 600 ${file}\``,
    );
  }
}

/** The parsed document, or null when the file does not exist. */
export async function readCredentialsDocument(file: string): Promise<CredentialsDocument | null> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw new CredentialsFileError(`cannot open credentials file ${file} (${errnoCode(error) ?? 'unknown error'})`);
  }
  let text: string;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new CredentialsFileError(`credentials file ${file} is not a regular file`);
    assertOwnerOnlyMode(stat.mode, file);
    text = await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
  return parseCredentialsText(text, file);
}

/** Parses the file's text; errors name fields, never values. */
export function parseCredentialsText(text: string, file: string): CredentialsDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CredentialsFileError(`credentials file ${file} is not valid JSON`);
  }
  const parsed = credentialsDocumentSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new CredentialsFileError(`credentials file ${file} is invalid: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Atomically replaces the file with `document`, mode 0600, creating the directory (0700) if needed. */
export async function writeCredentialsDocument(file: string, document: CredentialsDocument): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(temp, 'wx', 0o600);
  try {
    try {
      // The umask may have narrowed the mode further; make it exactly 0600.
      await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(document, null, 2)}\n`, { encoding: 'utf8' });
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw new CredentialsFileError(`cannot write credentials file ${file} (${errnoCode(error) ?? 'unknown error'})`);
  }
  await syncDirectory(dir);
}

/** Makes the rename durable where the platform allows fsync on a directory (not Windows). */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Durability of the directory entry is best effort; the file content itself was fsynced.
  }
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
