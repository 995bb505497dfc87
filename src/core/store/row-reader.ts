/**
 * Typed reads of SQLite rows. libsql returns rows as plain objects typed `unknown` (and `.get()`
 * adds a `_metadata` key, which these readers simply never look at). The store only reads rows it
 * wrote itself, so a wrong type here is a bug or a corrupted file: it throws instead of guessing.
 */

export type Row = Readonly<Record<string, unknown>>;

export function asRow(value: unknown): Row {
  if (typeof value !== 'object' || value === null) throw new TypeError('store: expected a row object');
  return value as Row;
}

export function asRows(values: readonly unknown[]): Row[] {
  return values.map(asRow);
}

export function textOf(row: Row, key: string): string {
  const value = row[key];
  if (typeof value !== 'string') throw new TypeError(`store: column ${key} is not text`);
  return value;
}

export function textOrNullOf(row: Row, key: string): string | null {
  const value = row[key];
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new TypeError(`store: column ${key} is not text`);
  return value;
}

export function intOf(row: Row, key: string): number {
  const value = row[key];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return 0; // SUM() over no rows is NULL
  throw new TypeError(`store: column ${key} is not an integer`);
}
