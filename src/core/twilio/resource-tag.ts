/**
 * The description Flowscope writes on every sink and subscription it creates:
 *
 *   flowscope:<installId> <host> <ISO time>      e.g. "flowscope:3f1c9a0e-… build-box 2025-01-01T10:00:00.000Z"
 *
 * Why: after a crash, the next start lists the account's sinks and recognizes its own leftovers
 * (same installId) and those of other Flowscope installs (another installId), so it cleans or
 * re-uses its own and never multiplies sinks (DESIGN.md section 7).
 *
 * Invariants: the installId is [A-Za-z0-9_-]{1,64}; the host is reduced to [A-Za-z0-9.-], at most
 * 63 characters ("unknown" when nothing is left); the whole description is at most 163
 * characters. The events v1 spec sets no length limit on Description but asks for no PII: the
 * host label is the machine's name, which the caller may replace (e.g. with a nickname).
 */

export const RESOURCE_TAG_PREFIX = 'flowscope:';

export interface ResourceTag {
  installId: string;
  host: string;
  /** ISO 8601 as written; null when the description had none or an unparsable one. */
  createdAt: string | null;
}

const INSTALL_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidInstallId(installId: string): boolean {
  return INSTALL_ID.test(installId);
}

/** A host name reduced to characters that are safe in a description and in logs. */
export function sanitizeHostLabel(host: string): string {
  const cleaned = host.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return cleaned === '' ? 'unknown' : cleaned;
}

/** Throws a TypeError for an invalid installId (a programming error, not user input). */
export function formatResourceDescription(tag: { installId: string; host: string; createdAt?: Date }): string {
  if (!isValidInstallId(tag.installId)) throw new TypeError('installId must be 1-64 of A-Z a-z 0-9 _ -');
  const createdAt = (tag.createdAt ?? new Date()).toISOString();
  return `${RESOURCE_TAG_PREFIX}${tag.installId} ${sanitizeHostLabel(tag.host)} ${createdAt}`;
}

/** The tag of a Flowscope description, or null for anything else (someone else's sink). */
export function parseResourceDescription(description: string | null | undefined): ResourceTag | null {
  if (typeof description !== 'string' || !description.startsWith(RESOURCE_TAG_PREFIX)) return null;
  const [installId = '', host = 'unknown', createdAt] = description.slice(RESOURCE_TAG_PREFIX.length).split(' ');
  if (!isValidInstallId(installId)) return null;
  const time = createdAt !== undefined && !Number.isNaN(Date.parse(createdAt)) ? createdAt : null;
  return { installId, host, createdAt: time };
}
