/**
 * Twilio's list paging (events v1 style): `?PageSize=&Page=&PageToken=`, answered with
 * `{ <key>: [...], meta: { page, page_size, first_page_url, previous_page_url, url,
 * next_page_url, key } }`. twilio-node follows `meta.next_page_url` to read every page.
 */
import { EVENTS_ORIGIN } from './fake-state.js';
import { invalidParameter } from './fake-http.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

function integerParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw invalidParameter(`Invalid ${name}: ${raw}`);
  return value;
}

/**
 * One page of `items`. `filters` are the query parameters a next/previous page URL must keep
 * (e.g. SinkSid). The token is opaque to clients; here it names the page's first offset.
 */
export function listPage<T>(
  items: readonly T[],
  query: URLSearchParams,
  path: string,
  key: string,
  filters: readonly string[] = [],
): Record<string, unknown> {
  const pageSize = integerParam(query, 'PageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = integerParam(query, 'Page', 0, 0, Number.MAX_SAFE_INTEGER);
  const offset = page * pageSize;
  const kept = new URLSearchParams();
  for (const name of filters) {
    const value = query.get(name);
    if (value !== null) kept.set(name, value);
  }
  const pageUrl = (index: number) => {
    const params = new URLSearchParams(kept);
    params.set('PageSize', String(pageSize));
    params.set('Page', String(index));
    if (index > 0) params.set('PageToken', `PT${(index * pageSize).toString(16).padStart(8, '0')}`);
    return `${EVENTS_ORIGIN}${path}?${params.toString()}`;
  };
  const hasNext = offset + pageSize < items.length;
  return {
    [key]: items.slice(offset, offset + pageSize),
    meta: {
      page,
      page_size: pageSize,
      first_page_url: pageUrl(0),
      previous_page_url: page > 0 ? pageUrl(page - 1) : null,
      url: pageUrl(page),
      next_page_url: hasNext ? pageUrl(page + 1) : null,
      key,
    },
  };
}
