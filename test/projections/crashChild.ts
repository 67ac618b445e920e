/**
 * Child process of the exactly-once test: opens the store file, runs the projection runner over it in
 * small batches and reports each committed batch on stdout, so the parent can SIGKILL it at any point.
 */
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';

const [file, batch] = process.argv.slice(2);
const store = openSqliteEventStore({ file: file! });
const runner = createProjectionRunner({
  store,
  db: sqliteReadModelDb(store.db),
  views: allViews,
  batchSize: Number(batch ?? 100),
  onBatch: ({ to }) => process.stdout.write(`batch ${to}\n`),
  onViewError: (view, error) => process.stdout.write(`error ${view} ${(error as Error).message}\n`),
});
await runner.catchUp();
process.stdout.write('done\n');
await store.close();
