import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonStreamScanner, type ScanItem } from '../../../src/core/store/json-stream-scanner.js';
import { ImportFormatError } from '../../../src/core/store/store-errors.js';

function scanAll(text: string, chunkSizes: readonly number[] = [text.length]): ScanItem[] {
  const scanner = new JsonStreamScanner(new Set(['items']));
  const items: ScanItem[] = [];
  let offset = 0;
  let k = 0;
  while (offset < text.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length] ?? 1);
    items.push(...scanner.feed(text.slice(offset, offset + size)));
    offset += size;
  }
  scanner.end();
  return items;
}

/** What the scanner should yield, computed with JSON.parse. */
function expectedItems(doc: Record<string, unknown>): unknown[] {
  return Object.entries(doc).flatMap(([key, value]) =>
    key === 'items' && Array.isArray(value)
      ? [{ type: 'arrayStart', key }, ...value.map((v) => ({ type: 'element', key, value: v }))]
      : [{ type: 'field', key, value }],
  );
}

const decoded = (items: ScanItem[]) =>
  items.map((item) => (item.type === 'arrayStart' ? item : { type: item.type, key: item.key, value: JSON.parse(item.raw) }));

describe('JsonStreamScanner', () => {
  it('yields top-level fields and the streamed array element by element', () => {
    const text = ' \n{"format" : "x\\"}", "n":-1.5e3,"items":[ {"a":[1,{"b":"]"}]}, "s" , 3,null ,[] ],"t":true,"o":{}}\n';
    expect(decoded(scanAll(text))).toEqual([
      { type: 'field', key: 'format', value: 'x"}' },
      { type: 'field', key: 'n', value: -1500 },
      { type: 'arrayStart', key: 'items' },
      { type: 'element', key: 'items', value: { a: [1, { b: ']' }] } },
      { type: 'element', key: 'items', value: 's' },
      { type: 'element', key: 'items', value: 3 },
      { type: 'element', key: 'items', value: null },
      { type: 'element', key: 'items', value: [] },
      { type: 'field', key: 't', value: true },
      { type: 'field', key: 'o', value: {} },
    ]);
  });

  it('gives the same items whatever the chunk boundaries (property)', () => {
    const doc = fc.dictionary(
      fc.string({ maxLength: 6 }).filter((k) => k !== '__proto__'),
      fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 })),
      { maxKeys: 5 },
    );
    fc.assert(
      fc.property(doc, fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (d, sizes, pretty) => {
        const text = JSON.stringify(d, null, pretty ? 2 : undefined);
        expect(decoded(scanAll(text, sizes))).toEqual(expectedItems(JSON.parse(text) as Record<string, unknown>));
      }),
      { numRuns: 300 },
    );
  });

  it('rejects what is not a JSON object, or truncated, with the position', () => {
    expect(() => scanAll('[1,2]')).toThrow(/character 0: expected a JSON object/);
    expect(() => scanAll('{"items": 5}')).toThrow(/"items" must be an array/);
    expect(() => scanAll('{"a":1,"items":[1,2')).toThrow(/ends before its closing brace/);
    expect(() => scanAll('{"a":1} x')).toThrow(/character 8: unexpected text after the end/);
    expect(() => scanAll('{"a" 1}')).toThrow(/expected ':'/);
    expect(() => scanAll('{"a":1,}')).toThrow(/expected a field name/);
    expect(() => scanAll('')).toThrow(ImportFormatError);
  });
});
