import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { parsePgInteger, toPostgres, type TableShape } from './postgresDialect.ts';
import type { ReadModelDb, SqlValue } from './readModelDb.ts';

/**
 * Read models in PostgreSQL, behind the same synchronous `ReadModelDb` the views and queries use on
 * SQLite. The statements run on ONE dedicated connection held by a worker thread
 * (`postgresReadModelWorker.mjs`); each call posts the statement and blocks this thread on an
 * `Atomics.wait` until the worker answers — the way better-sqlite3 blocks on the disk.
 *
 * Why synchronous rather than an async interface: the views stay one code base for both engines, and
 * the SQLite path (the default, which has the rebuild-speed target) keeps its direct calls with no
 * promise per row. What it costs: while a PostgreSQL statement runs, this thread waits, as it does for
 * SQLite; a batch of the runner blocks the event loop for its round trips, so use smaller batches on
 * PostgreSQL (`batchSize`).
 *
 * Exactly-once: `transaction(fn)` is `BEGIN … COMMIT` on that one connection, and the runner writes the
 * checkpoint inside it, so rows and checkpoint commit together or not at all (a killed process leaves
 * an open transaction that PostgreSQL rolls back when the connection drops). Nested calls are
 * savepoints. Nothing else writes through that connection in between: every call is synchronous.
 */
export interface PostgresReadModelDb extends ReadModelDb {
  readonly kind: 'postgres';
  /** Ends the connection and the worker. */
  close(): Promise<void>;
}

export interface PostgresReadModelOptions {
  /** A statement that has not answered after this long fails (the thread must not wait forever). */
  statementTimeoutMs?: number;
}

interface Reply {
  id: number;
  rows?: Record<string, unknown>[];
  fields?: [string, number][];
  rowCount?: number;
  error?: { message: string; code?: string };
}

/**
 * Errors of the connection or the server's state rather than of the statement: no SQLSTATE (the socket
 * failed: none, or a Node code like ECONNREFUSED), class 08 (connection), 57P01-57P03 (shut down / starting), 53300 (too many connections),
 * 40001/40P01 (serialization failure, deadlock). The runner retries these instead of stopping a view.
 */
const transientCode = (code: string | undefined): boolean =>
  code === undefined ||
  !/^[0-9A-Z]{5}$/.test(code) || // not a SQLSTATE: a socket error (ECONNREFUSED, ECONNRESET, …)
  code.startsWith('08') ||
  ['57P01', '57P02', '57P03', '53300', '40001', '40P01'].includes(code);

const INT8 = 20;
const NUMERIC = 1700;

export function postgresReadModelDb(
  connectionString: string,
  options: PostgresReadModelOptions = {},
): PostgresReadModelDb {
  const timeout = options.statementTimeoutMs ?? 60_000;
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL('./postgresReadModelWorker.mjs', import.meta.url), {
    workerData: { port: port2, flag, connectionString },
    transferList: [port2],
  });
  worker.unref();
  let nextId = 0;
  /** Open transactions (1 = BEGIN, more = savepoints). */
  let depth = 0;
  let closed = false;

  const call = (sql: string, params: readonly SqlValue[]): Required<Omit<Reply, 'error'>> => {
    if (closed) throw new Error('the PostgreSQL read-model database is closed');
    const id = ++nextId;
    Atomics.store(flag, 0, 0);
    port1.postMessage({ id, sql, params, tx: depth > 0 });
    if (Atomics.wait(flag, 0, 0, timeout) === 'timed-out')
      throw Object.assign(
        new Error(`PostgreSQL read models: no answer within ${timeout} ms to ${sql.slice(0, 80)}`),
        { transient: true },
      );
    let reply: Reply | undefined;
    // Skip a late answer to a statement that timed out before.
    for (;;) {
      const m = receiveMessageOnPort(port1) as { message: Reply } | undefined;
      if (!m) throw new Error('PostgreSQL read models: the worker answered nothing');
      if (m.message.id === id) {
        reply = m.message;
        break;
      }
    }
    if (reply.error)
      throw Object.assign(new Error(`PostgreSQL read models: ${reply.error.message}`), {
        code: reply.error.code,
        transient: transientCode(reply.error.code),
      });
    const integers = reply.fields!.filter(([, oid]) => oid === INT8 || oid === NUMERIC).map(([n]) => n);
    if (integers.length > 0)
      for (const row of reply.rows!)
        for (const n of integers) if (typeof row[n] === 'string') row[n] = parsePgInteger(row[n] as string);
    return reply as Required<Omit<Reply, 'error'>>;
  };

  const shapes = new Map<string, TableShape>();
  const shapeOf = (table: string): TableShape => {
    let s = shapes.get(table);
    if (!s) {
      const cols = call(
        `SELECT a.attname AS name, coalesce(a.attnum = ANY (i.indkey), false) AS pk
         FROM pg_attribute a
         LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
         WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
        [table],
      ).rows as { name: string; pk: boolean }[];
      s = { columns: cols.map((c) => c.name), primaryKey: cols.filter((c) => c.pk).map((c) => c.name) };
      shapes.set(table, s);
    }
    return s;
  };
  const translated = new Map<string, string>();
  const pgSql = (sql: string): string => {
    let t = translated.get(sql);
    if (t === undefined) {
      t = toPostgres(sql, shapeOf);
      translated.set(sql, t);
    }
    return t;
  };

  return {
    kind: 'postgres',
    exec(sql) {
      // DDL can change a table's shape (a rebuild recreates it).
      shapes.clear();
      call(toPostgres(sql, shapeOf), []);
    },
    run: (sql, ...params) => call(pgSql(sql), params).rowCount,
    get: <T>(sql: string, ...params: SqlValue[]) => call(pgSql(sql), params).rows[0] as T | undefined,
    all: <T>(sql: string, ...params: SqlValue[]) => call(pgSql(sql), params).rows as T[],
    transaction<T>(fn: () => T): T {
      const savepoint = depth > 0 ? `rm_sp${depth}` : undefined;
      call(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN', []);
      depth += 1;
      try {
        const result = fn();
        call(savepoint ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT', []);
        return result;
      } catch (e) {
        try {
          call(savepoint ? `ROLLBACK TO SAVEPOINT ${savepoint}` : 'ROLLBACK', []);
        } catch {
          // The connection is gone: PostgreSQL has rolled back already.
        }
        throw e;
      } finally {
        depth -= 1;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      port1.close();
      await worker.terminate();
    },
  };
}
