import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { coalescedWakes } from '../../src/store/coalescedWakes.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { makeEvent, streamName } from './contract.ts';

describe('coalescedWakes', () => {
  afterEach(() => void vi.useRealTimers());

  it('wakes a listener once for the commits of its interval, after the last of them is readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-wakes-'));
    const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    // Only setTimeout is faked: the store's group commit (setImmediate) and fsync stay real, and the
    // interval passes when the test says so, not when a loaded machine lets it.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const followed = coalescedWakes(store, 50, { recentReads: true });
      const heads: number[] = [];
      const off = followed.onAppended(() => void store.headPosition().then((h) => heads.push(h)));
      let direct = 0;
      store.onAppended(() => direct++);
      for (let i = 0; i < 5; i++) await store.appendToStream(streamName(), [makeEvent({ i })]);
      expect(direct).toBe(5);
      expect(heads).toEqual([]); // not woken before the interval ends
      await vi.advanceTimersByTimeAsync(50);
      await store.headPosition(); // let the listener's read settle
      expect(heads).toEqual([5]); // one wake, all five commits behind it
      const page = await followed.readAll({ fromPosition: 0 });
      expect(page.events.map((e) => e.data)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
      // Other methods pass through to the store.
      expect(await followed.headPosition()).toBe(5);
      off();
      await store.appendToStream(streamName(), [makeEvent()]);
      await vi.advanceTimersByTimeAsync(100);
      expect(heads).toEqual([5]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
