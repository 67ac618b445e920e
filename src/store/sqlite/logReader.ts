import type { SqliteDatabase } from './database.ts';
import type { EventStore, ReadAllOptions, ReadAllPage } from '../eventStore.ts';
import { Listeners } from '../listeners.ts';
import { eventFromRow, type StoredRow } from '../storedRow.ts';
import { HEAD_SQL, READ_ALL_SQL } from './sqliteEventStore.ts';

/**
 * The embedded store's log, read through another connection to its file than the store's own (read-only
 * is enough): for a follower on another thread (the projection thread), which cannot use the store's
 * connection. It is woken by whoever knows of new commits (`wake`): its owner forwards them to it.
 */
export interface SqliteLogReader extends Pick<EventStore, 'readAll' | 'headPosition' | 'onAppended'> {
  wake(): void;
}

export function sqliteLogReader(db: SqliteDatabase): SqliteLogReader {
  const readAll = db.prepare(READ_ALL_SQL).raw();
  const head = db.prepare(HEAD_SQL).pluck();
  const listeners = new Listeners();
  return {
    async readAll(opts: ReadAllOptions = {}): Promise<ReadAllPage> {
      const from = opts.fromPosition ?? 0;
      const events = (readAll.all(from, opts.max ?? 1000) as StoredRow[]).map(eventFromRow);
      return { events, nextPosition: events.length > 0 ? events[events.length - 1]!.position + 1 : from };
    },
    headPosition: async () => head.get() as number,
    onAppended: (listener) => listeners.add(listener),
    wake: () => listeners.notify(),
  };
}
