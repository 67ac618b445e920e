import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecentCommits } from '../../src/store/recentCommits.ts';
import { eventFromRow, type StoredRow } from '../../src/store/storedRow.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { makeEvent, streamName } from './contract.ts';

const row = (p: number): StoredRow => [p, 's-1', p, `{"p":${p}}`];

describe('RecentCommits', () => {
  it('answers a read only inside its contiguous run, with exactly the rows a table read would give', () => {
    // Model: batches of consecutive positions, sometimes with a gap (another process appended).
    const batchesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 20 })), {
      maxLength: 30,
    });
    fc.assert(
      fc.property(batchesArb, fc.integer({ min: 1, max: 40 }), (batches, keep) => {
        const recent = new RecentCommits(keep);
        const table: StoredRow[] = [];
        let next = 0;
        for (const [gap, size] of batches) {
          for (let g = 0; g < gap; g++) table.push(row(next++)); // committed by someone else
          const batch = Array.from({ length: size }, () => row(next++));
          table.push(...batch);
          recent.add(batch);
        }
        for (let from = 0; from <= next; from++) {
          for (const max of [1, 3, 1000]) {
            const got = recent.from(from, max);
            if (got === undefined) continue;
            expect(got.length).toBeGreaterThan(0);
            // A prefix of the table read (a short page is allowed, never a different or skipped row).
            expect(got).toEqual(table.slice(from, from + max).slice(0, got.length));
          }
        }
        // The newest batch is always served when it is within `keep`.
        const last = batches.at(-1);
        if (last && last[1] <= keep) expect(recent.from(next - last[1], 1)).toEqual([row(next - last[1])]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SQLite readAll with `recent`: commits served from memory', () => {
  it('equals a fresh connection reading the table, with refused appends and another writer in between', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-recent-'));
    const file = join(dir, 'ledger.db');
    const store = openSqliteEventStore({ file });
    let other: SqliteEventStore | undefined;
    try {
      const streams = Array.from({ length: 5 }, () => streamName());
      for (let round = 0; round < 4; round++) {
        // Concurrent appends in one group commit, some refused (stale expected revision).
        await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            store.appendToStream(streams[i % 5]!, [makeEvent({ round, i }), makeEvent({ i })], {
              expectedRevision: i % 7 === 3 ? 999 : 'any',
            }),
          ),
        );
        if (round === 1) {
          // Another writer (as the CLI would be) appends to the same file between our commits.
          other = openSqliteEventStore({ file });
          await other.appendToStream(streamName(), [makeEvent({ other: true })]);
          await other.close();
        }
      }
      const reader = openSqliteEventStore({ file });
      try {
        const head = await reader.headPosition();
        const everything = (await reader.readAll({ max: 100_000 })).events;
        expect(everything).toHaveLength(head);
        for (let from = 0; from < head; from++) {
          const page = await store.readAll({ fromPosition: from, max: 7, recent: true });
          expect(page.events.length).toBeGreaterThan(0);
          expect(page.events).toEqual(everything.slice(from, from + page.events.length));
          expect(page.nextPosition).toBe(from + page.events.length);
        }
        // Reading on from each page's end reaches the head with every event once.
        const seen = [];
        for (let p = 0; ;) {
          const page = await store.readAll({ fromPosition: p, max: 1000, recent: true });
          if (page.events.length === 0) break;
          seen.push(...page.events);
          p = page.nextPosition;
        }
        expect(seen).toEqual(everything);
        // Without `recent` the table is read: a row deleted behind the store's back (an insider) is seen
        // missing, as integrity checks need; a follower's read still has it from memory.
        store.db.prepare('DELETE FROM events WHERE position = ?').run(head - 1);
        expect((await store.readAll({ fromPosition: head - 1 })).events).toEqual([]);
        expect((await store.readAll({ fromPosition: head - 1, recent: true })).events).toHaveLength(1);
      } finally {
        await reader.close();
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('RecentCommits.eventsFrom', () => {
  it('parses each row once: every reader gets the same frozen event a table read would parse', () => {
    const recent = new RecentCommits(10);
    const body = (p: number) =>
      JSON.stringify({ id: `e${p}`, type: 'T', schemaVersion: 1, data: { p, list: [p] }, meta: { n: p } });
    recent.add([0, 1, 2].map((p): StoredRow => [p, 's-1', p, body(p)]));
    const first = recent.eventsFrom(1, 5)!;
    expect(first.map((e) => e.position)).toEqual([1, 2]);
    expect(first).toEqual([1, 2].map((p) => eventFromRow([p, 's-1', p, body(p)])));
    const again = recent.eventsFrom(0, 5)!;
    expect(again[1]).toBe(first[0]); // shared, not parsed again
    // The suite runs with NODE_ENV=test: a follower that changed a shared event would throw here.
    expect(() => {
      (first[0]!.data as { list: number[] }).list.push(9);
    }).toThrow(TypeError);
    expect(recent.eventsFrom(3, 1)).toBeUndefined();
  });
});

describe('SQLite readAll with `recent` at the end of the last commit', () => {
  it('answers "nothing new" from memory, unless another connection committed since', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-recent-end-'));
    const file = join(dir, 'ledger.db');
    const store = openSqliteEventStore({ file });
    try {
      const s = streamName();
      await store.appendToStream(s, [makeEvent({ n: 1 }), makeEvent({ n: 2 })]);
      const end = await store.headPosition();
      expect(await store.readAll({ fromPosition: end, recent: true })).toEqual({
        events: [],
        nextPosition: end,
      });
      // Another writer appends behind our back: a follower at our end must get its event.
      const other = openSqliteEventStore({ file });
      await other.appendToStream(streamName(), [makeEvent({ other: true })]);
      await other.close();
      const page = await store.readAll({ fromPosition: end, recent: true });
      expect(page.events.map((e) => e.data)).toEqual([{ other: true }]);
      // Our next commit follows the other's; reading on from it is again answered from memory.
      await store.appendToStream(s, [makeEvent({ n: 3 })], { expectedRevision: 1 });
      const head = await store.headPosition();
      expect(
        (await store.readAll({ fromPosition: end + 1, recent: true })).events.map((e) => e.data),
      ).toEqual([{ n: 3 }]);
      expect(await store.readAll({ fromPosition: head, recent: true })).toEqual({
        events: [],
        nextPosition: head,
      });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
