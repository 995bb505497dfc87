/**
 * An incremental scanner for one JSON object whose big arrays must not be held in memory at once:
 * it is fed text chunk by chunk and yields each top-level field's raw JSON text, except that the
 * elements of the named "streamed" arrays come out one by one.
 *
 *   {"format":"x","executions":[{...},{...}],"otherEvents":[...]}
 *     -> field format '"x"', arrayStart executions, element executions '{...}' (x2), ...
 *
 * Boundary module (import files are untrusted). Invariants:
 * - It checks the top-level structure itself and leaves each captured value to JSON.parse, which
 *   rejects anything malformed inside it; so every yielded text is one complete JSON value or the
 *   caller's JSON.parse throws.
 * - Memory is bounded by the largest single value (MAX_VALUE_CHARS), never by the document.
 * - Errors are ImportFormatError with the character position.
 */
import { ImportFormatError } from './store-errors.js';

export type ScanItem =
  | { type: 'field'; key: string; raw: string }
  | { type: 'arrayStart'; key: string }
  | { type: 'element'; key: string; raw: string };

export const MAX_VALUE_CHARS = 256 * 1024 * 1024;

type State =
  | 'start'
  | 'keyOrEnd'
  | 'key'
  | 'keyNext'
  | 'colon'
  | 'valueStart'
  | 'value'
  | 'afterValue'
  | 'elementOrEnd'
  | 'elementNext'
  | 'element'
  | 'afterElement'
  | 'done';

const isSpace = (c: string) => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\uFEFF';

export class JsonStreamScanner {
  private state: State = 'start';
  private offset = 0;
  private key = '';
  // the value being captured
  private parts: string[] = [];
  private captured = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private primitive = false;
  private started = false;

  constructor(private readonly streamedKeys: ReadonlySet<string>) {}

  /** Consumes a chunk; returns the items completed in it. */
  feed(text: string): ScanItem[] {
    const items: ScanItem[] = [];
    let i = 0;
    while (i < text.length) {
      if (this.state === 'key' || this.state === 'value' || this.state === 'element') {
        i = this.capture(text, i, items);
        continue;
      }
      const c = text[i] as string;
      if (isSpace(c)) i++;
      else if (this.step(c, i, items)) i++;
    }
    this.offset += text.length;
    return items;
  }

  /** Call after the last chunk: throws if the document is incomplete. */
  end(): void {
    if (this.state === 'start') throw new ImportFormatError('not a Flowscope export: the document is empty');
    if (this.state !== 'done') throw this.error(0, 'the document ends before its closing brace (truncated file?)');
  }

  /** Handles one structural character; returns false when it starts a value that captures it. */
  private step(c: string, i: number, items: ScanItem[]): boolean {
    switch (this.state) {
      case 'start':
        if (c !== '{') throw this.error(i, 'expected a JSON object');
        this.state = 'keyOrEnd';
        return true;
      case 'keyOrEnd':
      case 'keyNext':
        if (c === '}' && this.state === 'keyOrEnd') {
          this.state = 'done';
          return true;
        }
        if (c !== '"') throw this.error(i, 'expected a field name');
        this.begin('key');
        return false;
      case 'colon':
        if (c !== ':') throw this.error(i, "expected ':'");
        this.state = 'valueStart';
        return true;
      case 'valueStart':
        if (!this.streamedKeys.has(this.key)) {
          this.begin('value');
          return false;
        }
        if (c !== '[') throw this.error(i, `"${this.key}" must be an array`);
        items.push({ type: 'arrayStart', key: this.key });
        this.state = 'elementOrEnd';
        return true;
      case 'afterValue':
        if (c === ',') this.state = 'keyNext';
        else if (c === '}') this.state = 'done';
        else throw this.error(i, "expected ',' or '}'");
        return true;
      case 'elementOrEnd':
      case 'elementNext':
        if (c === ']' && this.state === 'elementOrEnd') {
          this.state = 'afterValue';
          return true;
        }
        this.begin('element');
        return false;
      case 'afterElement':
        if (c === ',') this.state = 'elementNext';
        else if (c === ']') this.state = 'afterValue';
        else throw this.error(i, `expected ',' or ']' in "${this.key}"`);
        return true;
      default:
        throw this.error(i, 'unexpected text after the end of the document');
    }
  }

  private begin(state: 'key' | 'value' | 'element'): void {
    this.state = state;
    this.parts = [];
    this.captured = 0;
    this.started = false;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.primitive = false;
  }

  /** Advances through the value being captured from `start`; returns where to continue. */
  private capture(text: string, start: number, items: ScanItem[]): number {
    let i = start;
    let complete = false;
    if (!this.started) {
      this.started = true;
      const c = text[i] as string;
      if (c === '{' || c === '[') this.depth = 1;
      else if (c === '"') this.inString = true;
      else this.primitive = true;
      if (!this.primitive) i++;
    }
    for (; i < text.length; i++) {
      const c = text[i] as string;
      if (this.primitive) {
        if (c === ',' || c === '}' || c === ']' || isSpace(c)) {
          complete = true;
          break;
        }
      } else if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') {
          this.inString = false;
          if (this.depth === 0) {
            i++;
            complete = true;
            break;
          }
        }
      } else if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        this.depth--;
        if (this.depth === 0) {
          i++;
          complete = true;
          break;
        }
      }
    }
    this.parts.push(text.slice(start, i));
    this.captured += i - start;
    if (this.captured > MAX_VALUE_CHARS) throw this.error(i, 'a single value in the document is too large');
    if (complete) this.finish(items);
    return i;
  }

  private finish(items: ScanItem[]): void {
    const raw = this.parts.join('');
    this.parts = [];
    this.captured = 0;
    if (this.state === 'key') {
      this.key = parseKey(raw);
      this.state = 'colon';
    } else if (this.state === 'value') {
      items.push({ type: 'field', key: this.key, raw });
      this.state = 'afterValue';
    } else {
      items.push({ type: 'element', key: this.key, raw });
      this.state = 'afterElement';
    }
  }

  private error(i: number, message: string): ImportFormatError {
    return new ImportFormatError(`not valid JSON at character ${this.offset + i}: ${message}`);
  }
}

function parseKey(raw: string): string {
  try {
    const key: unknown = JSON.parse(raw);
    if (typeof key === 'string') return key;
  } catch {
    // reported below
  }
  throw new ImportFormatError(`not valid JSON: bad field name ${raw.slice(0, 40)}`);
}
