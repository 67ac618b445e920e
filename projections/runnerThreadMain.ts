import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { openSqliteDatabase } from '../src/store/sqlite/database.ts';
import { sqliteLogReader } from '../src/store/sqlite/logReader.ts';
import { sqliteReadModelDb } from './readModelDb.ts';
import { createProjectionRunner } from './runner.ts';
import type { ProjectionThreadSettings, ToMain, ToThread } from './runnerThread.ts';
import { allViews } from './index.ts';

/**
 * The projection thread: the ordinary runner, reading the events on a read-only connection to the
 * store's file and writing the read models to their own file. The main thread forwards its commits as
 * wakes and asks for catch-ups, lags and rebuilds; every answer, and the views' status after each
 * batch, comes back as a message (runnerThread.ts).
 */
const settings = workerData as ProjectionThreadSettings;
const port = parentPort!;
const send = (message: ToMain) => port.postMessage(message);

const events = new Database(settings.storeFile, { readonly: true, fileMustExist: true });
events.pragma('busy_timeout = 5000');
const log = sqliteLogReader(events);
const db = openSqliteDatabase(settings.readModelFile);
const runner = createProjectionRunner({
  store: log,
  db: sqliteReadModelDb(db),
  views: allViews,
  ...(settings.batchSize !== undefined ? { batchSize: settings.batchSize } : {}),
  onBatch: () => send({ kind: 'status', views: runner.status() }),
  onViewError: (view, error) =>
    send({ kind: 'viewError', view, message: error instanceof Error ? error.message : String(error) }),
});
send({ kind: 'status', views: runner.status() });

const answer = async (id: number, work: () => Promise<number | undefined>) => {
  try {
    const value = await work();
    send({ kind: 'status', views: runner.status() });
    send({ kind: 'result', id, ...(value !== undefined ? { value } : {}) });
  } catch (error) {
    send({ kind: 'status', views: runner.status() });
    send({ kind: 'failed', id, message: error instanceof Error ? error.message : String(error) });
  }
};

port.on('message', (m: ToThread) => {
  switch (m.kind) {
    case 'wake':
      log.wake();
      return;
    case 'start':
      return void answer(m.id, async () => void (await runner.start()));
    case 'catchUp':
      return void answer(m.id, () => runner.catchUp());
    case 'lag':
      return void answer(m.id, () => runner.lag());
    case 'rebuild':
      return void answer(m.id, async () => {
        await runner.rebuild(m.view, (progress) => send({ kind: 'progress', id: m.id, progress }));
        return undefined;
      });
    case 'stop':
      return void answer(m.id, async () => {
        await runner.stop();
        db.close();
        events.close();
        return undefined;
      });
  }
});
