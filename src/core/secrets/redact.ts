/**
 * Masks secrets in text bound for error messages, logs and the UI.
 *
 * Security assumptions:
 * - Callers pass every secret that could appear in the text (auth tokens, API key secrets, the
 *   ngrok authtoken). Unknown secrets cannot be recognized; this is a last line of defence, not a
 *   substitute for keeping secrets out of messages in the first place.
 * - Every occurrence is replaced, whatever its length: a mangled message is better than a leak.
 *   Longer secrets are replaced first so a secret containing another is masked whole.
 * - The percent-encoded form is masked too, because secrets end up in URLs and form bodies.
 */

export const REDACTED = '***';

export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    needles.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) needles.add(encoded);
  }
  let result = text;
  for (const needle of [...needles].sort((a, b) => b.length - a.length)) {
    result = result.split(needle).join(REDACTED);
  }
  return result;
}
