/**
 * The live execution list, virtualized: only the rows on screen (plus overscan) are rendered, and
 * only their pages are fetched (the store's ExecutionWindow), so 100,000 executions cost what a
 * screenful costs. Keyboard: ↑/↓ move the cursor, Enter opens, Home/End jump.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, type KeyboardEvent } from 'react';
import { isFiltering } from '../store/filters.js';
import { useApp, useAppState } from '../store/app-context.js';
import { formatCount } from '../lib/format.js';
import { pageHasToken } from '../transport/pick-transport.js';
import { NoEventsYet, NoMatches, NotAuthorized } from './EmptyState.js';
import { ExecutionRow, ROW_HEIGHT } from './ExecutionRow.js';
import { PauseButton } from './PauseButton.js';

const OVERSCAN = 12;

function ListHeader() {
  const total = useAppState((s) => s.total);
  return (
    <div className="pane-header">
      <span className="pane-title">Executions</span>
      <span className="pane-count">{total === null ? '' : formatCount(total)}</span>
      <span className="spacer" />
      <PauseButton />
    </div>
  );
}

function ColumnHeader() {
  return (
    <div role="row" className="exec-row exec-header">
      <span role="columnheader" className="cell col-status">Status</span>
      <span role="columnheader" className="cell col-contact">Contact</span>
      <span role="columnheader" className="cell col-started">Started</span>
      <span role="columnheader" className="cell col-duration">Duration</span>
      <span role="columnheader" className="cell col-widget">Widget</span>
      <span role="columnheader" className="cell col-sid">Execution</span>
    </div>
  );
}

function ListBody() {
  const { actions } = useApp();
  const total = useAppState((s) => s.total) ?? 0;
  const list = useAppState((s) => s.list);
  useAppState((s) => s.listVersion); // re-render when rows change
  const selectedSid = useAppState((s) => s.selectedSid);
  const cursorSid = useAppState((s) => s.cursorSid);
  const scrollRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    // React 19 warns when the virtualizer flushSyncs from its layout effect; a plain re-render
    // is one frame later at most
    useFlushSync: false,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    actions.setVisibleRange(first, last);
  }, [actions, first, last, total]);

  // rows inserted above a scrolled list would push what the user reads down: keep it in place
  const topInserts = list.topInserts;
  const seenTopInserts = useRef(topInserts);
  useLayoutEffect(() => {
    const added = topInserts - seenTopInserts.current;
    seenTopInserts.current = topInserts;
    const element = scrollRef.current;
    if (added > 0 && element !== null && element.scrollTop > 0) element.scrollTop += added * ROW_HEIGHT;
  }, [topInserts]);

  const onOpen = useCallback(
    (sid: string) => {
      actions.select(sid);
      scrollRef.current?.focus({ preventScroll: true });
    },
    [actions],
  );

  const moveTo = (index: number) => {
    const clamped = Math.max(0, Math.min(total - 1, index));
    const sid = list.slots[clamped];
    virtualizer.scrollToIndex(clamped, { align: 'auto' });
    if (sid !== undefined) actions.setCursor(sid);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (total === 0) return;
    const current = cursorSid === null ? -1 : list.indexOf(cursorSid);
    const moves: Record<string, () => void> = {
      ArrowDown: () => moveTo(current < 0 ? first : current + 1),
      ArrowUp: () => moveTo(current < 0 ? first : current - 1),
      Home: () => moveTo(0),
      End: () => moveTo(total - 1),
      Enter: () => {
        if (cursorSid !== null) actions.select(cursorSid);
      },
    };
    const move = moves[event.key];
    if (move === undefined) return;
    event.preventDefault();
    move();
  };

  return (
    <div
      ref={scrollRef}
      className="exec-scroll"
      role="grid"
      aria-label="Executions"
      aria-rowcount={total}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="exec-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((item) => {
          const summary = list.rowAt(item.index);
          const sid = summary?.executionSid;
          return (
            <ExecutionRow
              key={item.index}
              index={item.index}
              top={item.start}
              summary={summary}
              selected={sid !== undefined && sid === selectedSid}
              cursor={sid !== undefined && sid === cursorSid}
              onOpen={onOpen}
            />
          );
        })}
      </div>
    </div>
  );
}

export function ExecutionList() {
  const { actions } = useApp();
  const total = useAppState((s) => s.total);
  const filtering = useAppState((s) => isFiltering(s.filter));
  const receiver = useAppState((s) => s.receiver);
  const listError = useAppState((s) => s.listError);
  const refused = useAppState((s) => s.access === 'refused');

  let body;
  if (total === 0) body = filtering ? <NoMatches onClear={actions.clearFilters} /> : <NoEventsYet receiver={receiver} />;
  else body = <ListBody />;
  const loading = refused ? <NotAuthorized hasToken={pageHasToken(window.location)} /> : <div className="loading">Loading…</div>;

  return (
    <section className="pane list-pane" aria-label="Execution list">
      <ListHeader />
      {listError !== null && <div className="inline-error">{listError}</div>}
      <ColumnHeader />
      {total === null ? loading : body}
    </section>
  );
}
