/** Compact, fixed-width-friendly formatting of times and durations for a dense developer view. */

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 850 ms, 12.3 s, 4m 05s, 2h 03m, 3d 04h. */
export function formatDuration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  const abs = Math.max(0, ms);
  if (abs < 1_000) return `${Math.round(abs)} ms`;
  if (abs < 60_000) return `${(abs / 1_000).toFixed(abs < 10_000 ? 2 : 1)} s`;
  const totalSeconds = Math.floor(abs / 1_000);
  if (abs < 3_600_000) return `${Math.floor(totalSeconds / 60)}m ${pad2(totalSeconds % 60)}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (abs < 86_400_000) return `${Math.floor(totalMinutes / 60)}h ${pad2(totalMinutes % 60)}m`;
  const totalHours = Math.floor(totalMinutes / 60);
  return `${Math.floor(totalHours / 24)}d ${pad2(totalHours % 24)}h`;
}

/** Offset from the execution's start: +m:ss, or +h:mm:ss past an hour. */
export function formatOffset(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '';
  const totalSeconds = Math.floor(Math.max(0, ms) / 1_000);
  const hours = Math.floor(totalSeconds / 3_600);
  const minutes = Math.floor((totalSeconds % 3_600) / 60);
  const seconds = totalSeconds % 60;
  return hours > 0 ? `+${hours}:${pad2(minutes)}:${pad2(seconds)}` : `+${minutes}:${pad2(seconds)}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Local time: 14:03:22 today, "Mar 4 14:03:22" on another day. */
export function formatClock(iso: string | null, nowMs: number): string {
  if (iso === null) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const time = `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
  const now = new Date(nowMs);
  const sameDay =
    date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay ? time : `${MONTHS[date.getMonth()] ?? ''} ${date.getDate()} ${time}`;
}

export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined) return '—';
  return n.toLocaleString('en-US');
}

export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '—';
  return perSecond >= 10 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

/** ms between two ISO times, or null. */
export function msBetween(startIso: string | null, endMs: number): number | null {
  if (startIso === null) return null;
  const start = Date.parse(startIso);
  return Number.isNaN(start) ? null : endMs - start;
}
