import { formatDuration, msBetween } from '../lib/format.js';
import { useNow } from '../lib/use-now.js';

/** Time elapsed since `since`, ticking every second (only mounted for live things). */
export function LiveDuration({ since }: { since: string | null }) {
  const now = useNow();
  return <>{formatDuration(msBetween(since, now))}</>;
}
