/**
 * Child process of the durability test: appends single events from 8 concurrent writers forever and
 * prints each event id to stdout once its append has resolved (= acknowledged as durable). The test
 * SIGKILLs it and checks that every printed id is stored. stdout is a pipe, written synchronously on Linux.
 */
import { writeSync } from 'node:fs';
import type { EventStore } from '../../src/store/eventStore.ts';
import { makeEvent, streamName } from './contract.ts';

const open = async (): Promise<EventStore> => {
  if (process.env.STORE_KIND === 'sqlite') {
    const { openSqliteEventStore } = await import('../../src/store/sqlite/index.ts');
    return openSqliteEventStore({ file: process.env.STORE_FILE! });
  }
  if (process.env.STORE_KIND === 'postgres') {
    const { openPostgresEventStore } = await import('../../src/store/postgres/index.ts');
    return openPostgresEventStore({ connectionString: process.env.STORE_URL! });
  }
  throw new Error(`unknown STORE_KIND ${process.env.STORE_KIND}`);
};

const store = await open();
const writer = async () => {
  const s = streamName();
  for (let i = 0; ; i++) {
    const e = makeEvent({ i });
    await store.appendToStream(s, [e], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
    writeSync(1, `${e.id}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, writer));
