/**
 * URLs as shown to the user: a password in `user:pass@` (the sink's Basic guard, or the user's
 * own URL) is masked. Anything unparsable is shown as a fixed word rather than echoed.
 */
import { parsePublicUrl } from '../receiver/public-url.js';

export function displayUrl(url: string): string {
  try {
    const config = parsePublicUrl(url);
    // parsePublicUrl drops a query; a sink destination has none, and a base never needs one.
    return config.redacted;
  } catch {
    return '(invalid URL)';
  }
}

/** The password of `user:pass@` in a URL, to add to the secrets that are masked everywhere. */
export function urlPassword(url: string): string | null {
  try {
    const password = parsePublicUrl(url).basicAuth?.password ?? '';
    return password === '' ? null : password;
  } catch {
    return null;
  }
}
