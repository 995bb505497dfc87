import path from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME, StoreUnavailableError } from '../../../src/core/store/event-store.js';
import { GroupCommitter } from '../../../src/core/store/group-commit.js';
import { executionScenario, sid } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir } from './store-test-helpers.js';

describe('GroupCommitter', () => {
  it('commits the submissions of one tick as one group, in order', async () => {
    const groups: number[][] = [];
    const committer = new GroupCommitter<number, string>((items) => {
      groups.push([...items]);
      return items.map((n) => `ok ${n}`);
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => committer.submit(n)));
    expect(results).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4']);
    expect(groups).toEqual([[1, 2, 3, 4]]);
    expect(committer.stats).toEqual({ commits: 1, items: 4, failures: 0 });
  });

  it('splits groups at the weight bound but always takes one item', async () => {
    const groups: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      (items) => {
        groups.push([...items]);
        return [...items];
      },
      { maxGroupWeight: 5, weightOf: (n) => n },
    );
    await Promise.all([2, 3, 1, 9, 4].map((n) => committer.submit(n)));
    expect(groups).toEqual([[2, 3], [1], [9], [4]]);
  });

  it('when a group fails, retries each item alone so only the poison item fails', async () => {
    const committer = new GroupCommitter<number, number>((items) => {
      if (items.includes(13)) throw new Error('poison');
      return items.map((n) => n * 2);
    });
    const outcomes = await Promise.allSettled([1, 13, 2].map((n) => committer.submit(n)));
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([2, 'poison', 4]);
    expect(committer.stats).toEqual({ commits: 2, items: 2, failures: 2 });
  });

  it('rejects the whole group (and what is queued behind it) at once on a failure that hits every item', async () => {
    const attempts: number[][] = [];
    const shared = new Error('disk full');
    const committer = new GroupCommitter<number, number>(
      (items) => {
        attempts.push([...items]);
        throw shared;
      },
      { maxGroupWeight: 3, failsEveryItem: (error) => error === shared },
    );
    const outcomes = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => committer.submit(n)));
    expect(outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.value))).toEqual(Array(5).fill(shared));
    expect(attempts).toEqual([[1, 2, 3]]);
    expect(committer.stats).toEqual({ commits: 0, items: 0, failures: 1 });
  });

  it('stops retrying items alone as soon as one retry hits a failure shared by all', async () => {
    let full = false;
    const attempts: number[][] = [];
    const committer = new GroupCommitter<number, number>(
      (items) => {
        attempts.push([...items]);
        if (full) throw new Error('disk full');
        if (items.includes(13)) {
          full = items.length === 1; // the disk fills up while the poison item is retried alone
          throw new Error('poison');
        }
        return [...items];
      },
      { failsEveryItem: (error) => error instanceof Error && error.message === 'disk full' },
    );
    const outcomes = await Promise.allSettled([1, 13, 2, 3].map((n) => committer.submit(n)));
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : o.value))).toEqual([
      1,
      'poison',
      'disk full',
      'disk full',
    ]);
    expect(attempts).toEqual([[1, 13, 2, 3], [1], [13], [2]]);
  });
});

describe('EventStore group commit', () => {
  it('commits many concurrent appends in fewer transactions, each resolving with its own outcome', async () => {
    const store = openStore();
    const scenarios = Array.from({ length: 40 }, (_, i) =>
      executionScenario({
        executionSid: sid('FN', 100 + i),
        steps: [{ from: 'Trigger', to: 'say', name: 'incomingCall', atMs: 0 }],
        ended: { atMs: 1_000 },
      }),
    );
    const before = store.commitStats.commits;
    const outcomes = await Promise.all(scenarios.map((s) => store.append(batchOf(s.events))));
    const commits = store.commitStats.commits - before;
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(scenarios.length);
    outcomes.forEach((outcome, i) => {
      expect(outcome.inserted).toBe(3);
      expect(outcome.changed.map((c) => c.executionSid)).toEqual([scenarios[i]?.executionSid]);
      expect(outcome.changed[0]?.status).toBe('ended');
    });
    expect(store.counts()).toEqual({ storedEvents: 120, executions: 40 });
  });

  it('counts a duplicate across batches of the same group once', async () => {
    const store = openStore();
    const s = executionScenario({ steps: [{ from: 'Trigger', to: 'Ended', name: 'incomingCall', atMs: 0 }] });
    const [a, b] = await Promise.all([store.append(batchOf(s.events)), store.append(batchOf(s.events))]);
    expect(store.commitStats.commits).toBe(1);
    expect([a?.inserted, b?.inserted, b?.duplicates]).toEqual([2, 0, 2]);
  });

  it('fails every queued append with one attempt when another connection holds the write lock', async () => {
    const dir = tempDir();
    const store = openStore(dir, { busyTimeoutMs: 20 });
    const scenarios = Array.from({ length: 10 }, (_, i) =>
      executionScenario({ executionSid: sid('FN', 300 + i), steps: [{ from: 'Trigger', to: 'say', name: 'incomingCall', atMs: 0 }] }),
    );
    const other = new Database(path.join(dir, STORE_FILE_NAME));
    other.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled(scenarios.map((s) => store.append(batchOf(s.events))));
      for (const outcome of outcomes) {
        expect(outcome.status).toBe('rejected');
        if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(StoreUnavailableError);
      }
      // one attempt for the whole group, not one more per append
      expect(store.commitStats).toEqual({ commits: 0, items: 0, failures: 1 });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const again = await Promise.all(scenarios.map((s) => store.append(batchOf(s.events))));
    expect(again.map((o) => o.inserted)).toEqual(Array(10).fill(2));
    expect(store.commitStats).toMatchObject({ commits: 1, failures: 1 });
  });
});
