/**
 * Child process of the exactly-once test: opens the store file, runs the projection runner over it in
 * small batches and reports each committed batch on stdout, so the parent can SIGKILL it at any point.
 * With a third argument (a PostgreSQL URL) the read models live in that database instead of the file.
 */
import {
  allViews,
  createProjectionRunner,
  postgresReadModelDb,
  sqliteReadModelDb,
} from '../../projections/index.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';

const [file, batch, postgresUrl] = process.argv.slice(2);
const store = openSqliteEventStore({ file: file! });
const pg = postgresUrl ? postgresReadModelDb(postgresUrl) : undefined;
const db = pg ?? sqliteReadModelDb(store.db);
const runner = createProjectionRunner({
  store,
  db,
  views: allViews,
  batchSize: Number(batch ?? 100),
  onBatch: ({ to }) => process.stdout.write(`batch ${to}\n`),
  onViewError: (view, error) => process.stdout.write(`error ${view} ${(error as Error).message}\n`),
});
await runner.catchUp();
process.stdout.write('done\n');
await pg?.close();
await store.close();
