import { join, resolve } from 'node:path';
import {
  allViews,
  createProjectionRunner,
  postgresReadModelDb,
  sqliteReadModelDb,
} from '../../../projections/index.ts';
import { loadConfig } from '../../app/config.ts';
import { openEventStore, readModelFile } from '../../store/openEventStore.ts';
import { openSqliteDatabase } from '../../store/sqlite/index.ts';
import { readAhead, type ReadAhead } from '../../store/sqlite/readAhead.ts';
import type { SqliteEventStore } from '../../store/sqlite/sqliteEventStore.ts';
import { EXIT_USAGE, progressBar } from '../output.ts';
import type { CliCommand } from './command.ts';

const help = `usage: loan-ledger rebuild [VIEW]

Rebuilds the read models (projections) from position 0 of the event store, one view or all, with a
progress bar. It opens the store the way \`serve\` does (DATA_DIR, DATABASE_URL, ESDB_URL); the read
models live in <DATA_DIR>/readmodels.db beside the embedded store, in the PostgreSQL database of
DATABASE_URL, or, with ESDB_URL, in <DATA_DIR>/ledger-local.db.
Stop the server first: it keeps its own read-model checkpoints in memory.

views: ${allViews.map((v) => v.name).join(', ')}

exit codes: 0 rebuilt; 1 the rebuild failed; 2 bad usage (unknown view, bad settings).`;

/**
 * Events per read-model transaction in a rebuild on SQLite (PostgreSQL: 1,000, each statement being a
 * round trip to a worker). Bigger pages commit less often; 5,000 parsed events are ~10 MiB.
 */
export const REBUILD_BATCH_SIZE = 5000;

export const rebuildCommand: CliCommand = {
  summary: 'rebuild the read models (projections) from the events, with progress',
  help,
  async run(args) {
    const name = args[0];
    if (args.length > 1 || (name !== undefined && !allViews.some((v) => v.name === name))) {
      console.error(`unknown view: ${args.join(' ')}\n\n${help}`);
      return EXIT_USAGE;
    }
    const config = loadConfig();
    const dataDir = resolve(config.DATA_DIR);
    const store = await openEventStore({
      dataDir,
      databaseUrl: config.DATABASE_URL,
      esdbUrl: config.ESDB_URL,
    });
    // The same placement as src/app/ledger.ts: readmodels.db beside the embedded store's file, in
    // PostgreSQL with DATABASE_URL, else ledger-local.db.
    const postgres =
      store.kind === 'postgres' && config.DATABASE_URL ? postgresReadModelDb(config.DATABASE_URL) : undefined;
    const ownDb = postgres
      ? undefined
      : openSqliteDatabase(
          store.kind === 'sqlite' ? readModelFile(dataDir) : join(dataDir, 'ledger-local.db'),
        );
    const db = postgres ?? sqliteReadModelDb(ownDb!);
    let ahead: ReadAhead | undefined;
    try {
      // On the embedded store the rebuild reads the log synchronously, so each span of pages is one
      // read-model transaction (projections/runner.ts), and the next page is fetched on another thread
      // while this one applies the current one.
      const embedded = store.kind === 'sqlite' ? (store as SqliteEventStore) : undefined;
      ahead =
        embedded &&
        readAhead(embedded.file, (fromPosition, max) => embedded.readAllSync({ fromPosition, max }));
      const runner = createProjectionRunner({
        store,
        db,
        views: allViews,
        batchSize: postgres ? 1000 : REBUILD_BATCH_SIZE,
        ...(ahead && { readPageSync: ahead.read }),
      });
      let bar: ReturnType<typeof progressBar> | undefined;
      let done = 0;
      await runner.rebuild(name, (p) => {
        bar ??= progressBar(`rebuild ${p.views.join(',')}`, p.total);
        done = p.done;
        if (p.done < p.total) bar.update(p.done); // the end is reported by done()
      });
      bar?.done(done);
      const status = runner.status().filter((v) => name === undefined || v.name === name);
      for (const v of status)
        console.log(
          `${v.name.padEnd(24)} v${v.version} at position ${v.checkpoint}${v.error ? `  FAILED: ${v.error}` : ''}`,
        );
      return status.some((v) => v.error) ? 1 : 0;
    } finally {
      await ahead?.close();
      ownDb?.close();
      await postgres?.close();
      await store.close();
    }
  },
};
