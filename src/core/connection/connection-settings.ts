/**
 * Connection settings and the install id, kept in `<dataDir>/connection.json`.
 *
 * Invariants and security assumptions:
 * - No secret is ever written here (secrets go to a SecretStore). A public URL carrying
 *   `user:pass@` is not remembered at all (its password is a secret).
 * - The install id is random, created once and then stable: it tags every Twilio resource this
 *   install creates, so that leftovers of a crash are recognized on the next start
 *   (resource-tag.ts), and another install's resources are never taken for ours.
 * - `leftoverAccountSid` is set as soon as a sink may exist in the user's account and cleared only
 *   once everything created was deleted: if set at start, the last run ended without cleaning up.
 * - Writes are atomic (temporary file + rename) and serialized; a corrupt or unreadable file
 *   falls back to defaults (with the same install id when it can still be read).
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { connectionSettingsSchema, type ConnectionSettings } from '../../shared/contract.js';
import { isValidInstallId } from '../twilio/resource-tag.js';

export const CONNECTION_SETTINGS_FILE = 'connection.json';

export { DEFAULT_CONNECTION_SETTINGS } from '../../shared/connection-defaults.js';
import { DEFAULT_CONNECTION_SETTINGS } from '../../shared/connection-defaults.js';


export interface StoredConnectionState {
  installId: string;
  settings: ConnectionSettings;
  /** The account in which sinks may be left (see the header). */
  leftoverAccountSid: string | null;
}

const fileSchema = z.object({
  installId: z.string().refine(isValidInstallId).optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  leftoverAccountSid: z.string().max(64).nullable().optional(),
});

export function newInstallId(): string {
  return randomBytes(12).toString('base64url');
}

/** Keeps each known setting that is valid on its own; anything else falls back to its default. */
function settingsFrom(raw: Record<string, unknown> | undefined): ConnectionSettings {
  const settings: Record<string, unknown> = { ...DEFAULT_CONNECTION_SETTINGS };
  const shape = connectionSettingsSchema.shape;
  for (const key of Object.keys(shape) as (keyof typeof shape)[]) {
    const parsed = shape[key].safeParse(raw?.[key]);
    if (parsed.success) settings[key] = parsed.data;
  }
  return connectionSettingsSchema.parse(settings);
}

/** A public URL is remembered only without credentials. */
export function rememberablePublicUrl(url: string | null): string | null {
  if (url === null || url.trim() === '') return null;
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url.trim()) ? null : url.trim();
}

export class ConnectionSettingsStore {
  private state: StoredConnectionState | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, CONNECTION_SETTINGS_FILE);
  }

  /** Reads the file once (creating the install id if needed); later calls use the cached state. */
  async load(): Promise<StoredConnectionState> {
    if (this.state !== null) return this.state;
    const loaded = await this.read();
    this.state = loaded.state;
    if (loaded.needsWrite) await this.write(loaded.state);
    return loaded.state;
  }

  async settings(): Promise<ConnectionSettings> {
    return (await this.load()).settings;
  }

  async installId(): Promise<string> {
    return (await this.load()).installId;
  }

  /** Validates the change as a whole (throws a ZodError naming the field) and saves it. */
  async update(change: Partial<ConnectionSettings>): Promise<ConnectionSettings> {
    const current = await this.load();
    const merged = connectionSettingsSchema.parse({ ...current.settings, ...change });
    merged.publicUrl = rememberablePublicUrl(merged.publicUrl);
    return (await this.save({ ...current, settings: merged })).settings;
  }

  async setLeftoverAccount(accountSid: string | null): Promise<void> {
    const current = await this.load();
    if (current.leftoverAccountSid === accountSid) return;
    await this.save({ ...current, leftoverAccountSid: accountSid });
  }

  private async save(next: StoredConnectionState): Promise<StoredConnectionState> {
    this.state = next;
    await this.write(next);
    return next;
  }

  private async read(): Promise<{ state: StoredConnectionState; needsWrite: boolean }> {
    let raw: unknown = null;
    try {
      raw = JSON.parse(await fs.readFile(this.file, 'utf8'));
    } catch {
      raw = null; // missing or corrupt: start from defaults
    }
    const parsed = fileSchema.safeParse(raw);
    const data = parsed.success ? parsed.data : {};
    const installId = data.installId ?? newInstallId();
    return {
      state: { installId, settings: settingsFrom(data.settings), leftoverAccountSid: data.leftoverAccountSid ?? null },
      needsWrite: data.installId === undefined,
    };
  }

  private write(state: StoredConnectionState): Promise<void> {
    const run = this.queue
      .catch(() => undefined)
      .then(async () => {
        // 0700: the data dir also holds the event store (phone numbers, message bodies)
        await fs.mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
        const temp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await fs.writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
        await fs.rename(temp, this.file);
      });
    this.queue = run;
    return run;
  }
}
