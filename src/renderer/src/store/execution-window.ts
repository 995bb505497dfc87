/**
 * The windowed execution list: the rows the virtual list can show, fetched page by page
 * (executions.list offset/limit) as the user scrolls, kept live by pushed summaries.
 *
 * Invariants:
 * - `slots[i]` is the sid at row i (newest first) or undefined when that row is not loaded;
 *   `slots.length === total` once the first page has answered (`total === null` before).
 * - `summaries` holds only executions that sit in `slots` plus the pinned (selected) one, so memory
 *   is bounded by the loaded pages (at most MAX_LOADED_PAGES), never by the store's size.
 * - Deltas are placed locally only when the place is certain (an update in place, a removal, a new
 *   execution that sorts before row 0). Otherwise the window marks its pages stale and the visible
 *   ones are refetched: the core's order is the truth, the local placement only a fast path.
 * - A page answer from an older `generation` (before a filter change) is dropped; one from an
 *   older `epoch` (rows moved meanwhile) is written but the page stays stale and is asked again.
 * Mutable on purpose: 100,000 rows must not be copied per frame; the store bumps a version number
 * after every mutation so that React re-reads.
 */
import type { CommandResult, ExecutionFilter } from '../../../shared/contract.js';
import type { ExecutionSummary } from '../../../shared/execution-model.js';
import { compareExecutions, isSameOrNewer, matchesFilter, sameSortKey } from './execution-order.js';

export const PAGE_SIZE = 100;
export const MAX_LOADED_PAGES = 40;

export interface PageRequest {
  page: number;
  offset: number;
  limit: number;
  generation: number;
  epoch: number;
  topInserts: number;
}

export interface DeltaOutcome {
  /** Rows were inserted, removed or moved. */
  structural: boolean;
  /** A change could not be placed locally: refetch the visible pages. */
  needsRefresh: boolean;
}

export class ExecutionWindow {
  total: number | null = null;
  slots: (string | undefined)[] = [];
  readonly summaries = new Map<string, ExecutionSummary>();
  /** Rows inserted at the top so far (the list keeps its scroll position by this many rows). */
  topInserts = 0;
  private generation = 0;
  private epoch = 0;
  private pinned: string | null = null;
  private readonly fresh = new Set<number>();
  private readonly loaded = new Set<number>();
  private readonly inFlight = new Map<number, number>();
  private readonly failed = new Set<number>();
  private visibleStart = 0;
  private visibleEnd = 0;

  rowAt(index: number): ExecutionSummary | undefined {
    const sid = this.slots[index];
    return sid === undefined ? undefined : this.summaries.get(sid);
  }

  indexOf(sid: string): number {
    return this.slots.indexOf(sid);
  }

  /** Forget every row (a new filter): answers to earlier requests are dropped. */
  reset(): void {
    this.generation += 1;
    this.epoch += 1;
    this.total = null;
    this.slots = [];
    this.fresh.clear();
    this.loaded.clear();
    this.inFlight.clear();
    this.failed.clear();
    this.visibleStart = 0;
    this.visibleEnd = 0;
    for (const sid of this.summaries.keys()) if (sid !== this.pinned) this.summaries.delete(sid);
  }

  /** Keep the rows on screen but ask for every visible page again (reconnect, store reset). */
  refresh(): void {
    this.epoch += 1;
    this.fresh.clear();
    this.failed.clear();
  }

  setVisible(start: number, end: number): void {
    this.visibleStart = Math.max(0, start);
    this.visibleEnd = Math.max(this.visibleStart, end);
  }

  /** The selected execution's summary stays cached (and live) even when its row is not loaded. */
  pin(sid: string | null, summary?: ExecutionSummary): void {
    const previous = this.pinned;
    this.pinned = sid;
    if (previous !== null && previous !== sid && this.indexOf(previous) < 0) this.summaries.delete(previous);
    if (sid !== null && summary !== undefined && !this.summaries.has(sid)) this.summaries.set(sid, summary);
  }

  /** Requests for the visible pages that are missing, stale or have holes; marks them in flight. */
  pagesToFetch(): PageRequest[] {
    const pages: number[] = [];
    if (this.total === null || this.total === 0) {
      pages.push(0); // an empty or unknown list still needs an answer to learn its total
    } else {
      const last = Math.min(this.visibleEnd, this.total - 1);
      for (let page = Math.floor(this.visibleStart / PAGE_SIZE); page <= Math.floor(last / PAGE_SIZE); page += 1) {
        pages.push(page);
      }
    }
    return this.request(pages.filter((page) => !this.inFlight.has(page) && !this.failed.has(page) && this.needs(page)));
  }

  private needs(page: number): boolean {
    if (!this.fresh.has(page) || this.total === null) return true;
    const end = Math.min(this.total, (page + 1) * PAGE_SIZE);
    for (let i = page * PAGE_SIZE; i < end; i += 1) {
      const sid = this.slots[i];
      if (sid === undefined || !this.summaries.has(sid)) return true;
    }
    return false;
  }

  private request(pages: number[]): PageRequest[] {
    return pages.map((page) => {
      this.inFlight.set(page, this.generation);
      return {
        page,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        generation: this.generation,
        epoch: this.epoch,
        topInserts: this.topInserts,
      };
    });
  }

  /** Writes a page answer; returns false when it was dropped (an older filter). */
  applyPage(request: PageRequest, result: CommandResult<'executions.list'>): boolean {
    if (this.inFlight.get(request.page) === request.generation) this.inFlight.delete(request.page);
    if (request.generation !== this.generation) return false;
    this.failed.delete(request.page);
    // rows inserted at the top since the request shift this page down, unless the core already
    // counted them (then they are in the answer itself)
    const answered = new Set(result.items.map((item) => item.executionSid));
    let shift = 0;
    for (let i = 0; i < this.topInserts - request.topInserts; i += 1) {
      const sid = this.slots[i];
      if (sid !== undefined && !answered.has(sid)) shift += 1;
    }
    const settled = request.epoch === this.epoch;
    if (settled || this.total === null) this.resize(result.total + shift);
    const total = this.total ?? 0;
    const start = result.offset + shift;
    result.items.forEach((item, i) => {
      const index = start + i;
      if (index >= total) return;
      this.slots[index] = item.executionSid;
      const current = this.summaries.get(item.executionSid);
      if (current === undefined || isSameOrNewer(item, current)) this.summaries.set(item.executionSid, item);
    });
    this.loaded.add(request.page);
    if (settled) this.fresh.add(request.page);
    else this.fresh.delete(request.page);
    // an answer that still leaves holes (a core whose count and rows disagreed) is not asked
    // again in a loop: it waits for the next refresh
    if (settled && this.needs(request.page)) this.failed.add(request.page);
    this.evictFarPages();
    return true;
  }

  pageFailed(request: PageRequest): void {
    if (this.inFlight.get(request.page) === request.generation) this.inFlight.delete(request.page);
    // not retried until the next refresh, filter change or scroll to it again after a refresh
    if (request.generation === this.generation) this.failed.add(request.page);
  }

  private resize(total: number): void {
    const previous = this.slots.length;
    this.total = total;
    if (total < previous) {
      for (const sid of this.slots.slice(total)) if (sid !== undefined && sid !== this.pinned) this.summaries.delete(sid);
      this.slots.length = total;
    } else if (total > previous) {
      this.slots.length = total;
      this.slots.fill(undefined, previous);
    }
  }

  private evictFarPages(): void {
    if (this.loaded.size <= MAX_LOADED_PAGES) return;
    const center = Math.floor((this.visibleStart + this.visibleEnd) / 2 / PAGE_SIZE);
    const farthest = [...this.loaded].sort((a, b) => Math.abs(b - center) - Math.abs(a - center));
    for (const page of farthest.slice(0, this.loaded.size - MAX_LOADED_PAGES)) {
      const end = Math.min(this.slots.length, (page + 1) * PAGE_SIZE);
      for (let i = page * PAGE_SIZE; i < end; i += 1) {
        const sid = this.slots[i];
        if (sid !== undefined && sid !== this.pinned) this.summaries.delete(sid);
        this.slots[i] = undefined;
      }
      this.loaded.delete(page);
      this.fresh.delete(page);
    }
  }

  /** Applies pushed summaries (latest version of each changed execution). */
  applyChanges(changes: readonly ExecutionSummary[], filter: ExecutionFilter): DeltaOutcome {
    const outcome: DeltaOutcome = { structural: false, needsRefresh: false };
    for (const next of changes) {
      const sid = next.executionSid;
      const current = this.summaries.get(sid);
      if (current !== undefined && !isSameOrNewer(next, current)) continue;
      const matches = matchesFilter(next, filter);
      if (current !== undefined && matches && sameSortKey(current, next) && sid !== this.pinned) {
        this.summaries.set(sid, next); // the common case: a listed row changed in place
        continue;
      }
      const index = current === undefined ? -1 : this.indexOf(sid);
      if (index >= 0 && matches && sameSortKey(current ?? next, next)) {
        this.summaries.set(sid, next);
        continue;
      }
      if (index >= 0) this.removeAt(index, outcome);
      if (sid === this.pinned) this.summaries.set(sid, next);
      else this.summaries.delete(sid);
      if (matches) this.place(next, outcome);
    }
    return outcome;
  }

  private removeAt(index: number, outcome: DeltaOutcome): void {
    this.slots.splice(index, 1);
    if (this.total !== null) this.total -= 1;
    this.epoch += 1;
    // the rows below moved up by one: their pages are asked again when visible (the local
    // removal is exact, but each page's last row now comes from the next, maybe unloaded, page)
    for (const page of [...this.fresh]) if ((page + 1) * PAGE_SIZE > index) this.fresh.delete(page);
    outcome.structural = true;
  }

  private place(next: ExecutionSummary, outcome: DeltaOutcome): void {
    const firstSid = this.slots[0];
    const first = firstSid === undefined ? undefined : this.summaries.get(firstSid);
    const atTop = this.total === 0 || (first !== undefined && compareExecutions(next, first) < 0);
    if (this.total !== null && atTop) {
      this.slots.unshift(next.executionSid);
      this.total += 1;
      this.topInserts += 1;
      this.summaries.set(next.executionSid, next);
      outcome.structural = true;
      return;
    }
    // somewhere below (an older execution that now matches, or one in a page never loaded):
    // only the core knows where, and whether it is new to the count; the store refreshes the
    // visible pages (throttled, so a busy account does not turn into polling)
    outcome.needsRefresh = true;
  }
}
