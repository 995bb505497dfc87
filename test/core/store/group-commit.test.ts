import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../../src/core/store/group-commit.js';
import { executionScenario, sid } from '../../shared/studio-fixtures.js';
import { batchOf, openStore } from './store-test-helpers.js';

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
});
