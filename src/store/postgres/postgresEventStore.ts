import pg from 'pg';
import { eventFromRow, type StoredRow } from '../storedRow.ts';
import type { EventToAppend, PositionedEvent } from '../../events/envelope.ts';
import { LedgerError, isLedgerError } from '../../errors.ts';
import { checkExpectedRevision, matchRetry, type StoredById } from '../appendRules.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
} from '../eventStore.ts';
import { Listeners } from '../listeners.ts';
import { ServerGate, deadline } from './serverGate.ts';
import { validateAppend, validateStreamName, type ValidatedAppend } from '../validateAppend.ts';

/**
 * PostgreSQL adapter. Global positions are dense and in commit order (docs/storage.md has the argument):
 * every append transaction runs at READ COMMITTED and first takes one transaction-scoped advisory lock,
 * so appends are serialized; under the lock the next position is max(position) + 1; the lock is released
 * only after the commit is visible, so a follower reading positions in order can never see position n+1
 * before position n.
 *
 * Group commit: one writer connection per process; appends that arrive while a transaction is in flight
 * queue up and go into the next transaction together (one WAL flush for the lot). Inside it, under the
 * lock, nothing else can write, so each append's retry check and revision check are decided from rows
 * read once for the whole batch; a failing append is left out and settled with its own error. Every
 * promise is settled only after COMMIT returned.
 */

export interface PostgresEventStoreOptions {
  connectionString: string;
  /** Most appends per transaction (default 1000). */
  maxBatch?: number;
  /** Connections for reads (default 4). */
  readConnections?: number;
  /** How long to wait for a new connection to PostgreSQL before failing with LL_STORE_UNAVAILABLE (default 5000). */
  connectTimeoutMs?: number;
  /**
   * How long to wait for PostgreSQL's answer to a read, or to an append's connect and first round trip
   * (nothing written yet), before failing with LL_STORE_UNAVAILABLE (default 5000). A COMMIT is waited
   * for without limit (serverGate.ts says why).
   */
  answerTimeoutMs?: number;
}

/** Key of the advisory lock every appender of this schema takes (any constant; "LLEV" in ASCII). */
export const APPEND_LOCK_KEY = 0x4c4c4556;
const CHANNEL = 'll_events_appended';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ll_events (
  position bigint PRIMARY KEY CHECK (position >= 0),  -- global position: 0-based, dense, commit order
  stream   text   NOT NULL,
  revision bigint NOT NULL CHECK (revision >= 0),     -- 0-based within the stream
  id       uuid   NOT NULL UNIQUE,
  body     text   NOT NULL,                           -- RFC 8785 canonical JSON of {id, type, schemaVersion, data, meta}
  UNIQUE (stream, revision)
);
-- Earlier versions indexed keyed commands' events by key here; the command path now knows a stream's keys
-- from its folded state (src/api/commands/stateCache.ts), so the index is dropped.
DROP INDEX IF EXISTS ll_events_idempotency_key;
`;

// bigint (oid 20) as a JS number: positions and revisions stay far below 2^53.
const int8AsNumber = (oid: number, format?: unknown) =>
  oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text');
const types = { getTypeParser: int8AsNumber } as pg.CustomTypesConfig;

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
]);
/** Connection-class failures: SQLSTATE class 08, admin shutdown (57P01–57P03), socket errors, pg's own. */
const isConnectionError = (e: unknown): boolean => {
  const code = (e as { code?: string })?.code ?? '';
  const msg = (e as Error)?.message ?? '';
  return (
    code.startsWith('08') ||
    /^57P0[123]$/.test(code) ||
    CONNECTION_CODES.has(code) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(
      msg,
    )
  );
};

export const toStoreError = (e: unknown): LedgerError =>
  isLedgerError(e)
    ? e
    : new LedgerError(
        'LL_STORE_UNAVAILABLE',
        isConnectionError(e)
          ? `the PostgreSQL store cannot be reached: ${(e as Error).message}`
          : `the PostgreSQL store failed: ${(e as Error).message}`,
        {},
        { cause: e },
      );

interface Pending {
  append: ValidatedAppend;
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

export async function openPostgresEventStore(options: PostgresEventStoreOptions): Promise<EventStore> {
  const maxBatch = options.maxBatch ?? 1000;
  const answerTimeoutMs = options.answerTimeoutMs ?? 5_000;
  // A server that accepts the TCP connection but never answers (hung, SIGSTOPped, a black-holed route)
  // must fail a command fast with LL_STORE_UNAVAILABLE, not hold it forever: bound the connect here,
  // reads and an append's first round trip with `answerTimeoutMs` (serverGate.ts), and let TCP keepalive
  // find a peer that vanished under an open connection. A COMMIT is not bounded: abandoned by the client,
  // it may still succeed on the server, and an answer we could not stand by is worse than a slow one.
  const base = {
    connectionString: options.connectionString,
    types,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    keepAlive: true,
  };
  const writer = new pg.Pool({ ...base, max: 1 });
  const readers = new pg.Pool({ ...base, max: options.readConnections ?? 4 });
  // An idle pooled client that loses its connection emits 'error' on the pool; the pool replaces it.
  writer.on('error', () => {});
  readers.on('error', () => {});
  // A checked-out client has no pool listener: a server shutdown (57P01) arriving between its queries
  // would be an uncaught 'error' and kill the process. Its next query fails instead (→ LL_STORE_UNAVAILABLE).
  const keepErrors = (client: pg.PoolClient) => void client.on('error', () => {});
  writer.on('connect', keepErrors);
  readers.on('connect', keepErrors);

  try {
    const c = await writer.connect();
    try {
      await c.query('SELECT pg_advisory_lock($1)', [APPEND_LOCK_KEY]); // concurrent openers: one creates
      try {
        await c.query(SCHEMA);
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [APPEND_LOCK_KEY]);
      }
    } finally {
      c.release();
    }
  } catch (e) {
    await Promise.allSettled([writer.end(), readers.end()]);
    throw toStoreError(e);
  }

  const listeners = new Listeners();
  const gate = new ServerGate(isConnectionError, () => listeners.notify());
  let listenClient: pg.Client | undefined;
  let listenStarting: Promise<void> | undefined;
  const startListening = () => {
    if (listenStarting) return;
    listenStarting = (async () => {
      const c = new pg.Client(base);
      c.on('notification', () => listeners.notify());
      c.on('error', () => {
        // Lost the LISTEN connection: start another on the next subscription; local appends still notify.
        listenClient = undefined;
        listenStarting = undefined;
        if (listeners.size > 0 && !closed) setTimeout(startListening, 1000).unref();
      });
      await c.connect();
      await c.query(`LISTEN ${CHANNEL}`);
      listenClient = c;
      if (closed) await c.end();
      // Commits by other processes while no LISTEN was open sent no notification: wake followers once.
      else listeners.notify();
    })().catch(() => {
      listenStarting = undefined;
      // PostgreSQL unreachable (e.g. restarting): keep trying while anyone listens, or other processes'
      // commits would never wake this one's followers again.
      if (listeners.size > 0 && !closed) setTimeout(startListening, 1000).unref();
    });
  };

  let queue: Pending[] = [];
  let running: Promise<void> | undefined;
  let closed = false;

  /** Decides each append of the batch under the lock, from the rows it reads once; returns the rows to insert. */
  const decide = async (client: pg.PoolClient, batch: Pending[]) => {
    const ids = batch.flatMap((p) => p.append.events.map((e) => e.id));
    const streams = [...new Set(batch.map((p) => p.append.stream))];
    // Round trip 1 of 2 (simple-query protocol, several statements, values as escaped literals): open the
    // transaction, take the lock, then — in a statement whose READ COMMITTED snapshot is taken after the
    // lock was granted — read the stored events with these ids, the streams' revisions and the head.
    const lit = (v: string) => client.escapeLiteral(v);
    const results = (await client.query(
      `BEGIN ISOLATION LEVEL READ COMMITTED;
       SELECT pg_advisory_xact_lock(${APPEND_LOCK_KEY});
       SELECT 0 AS kind, id::text AS id, stream, revision, position, body FROM ll_events
         WHERE id = ANY(ARRAY[${ids.map(lit).join(',')}]::uuid[])
       UNION ALL
       SELECT 1, NULL, stream, max(revision), NULL, NULL FROM ll_events
         WHERE stream = ANY(ARRAY[${streams.map(lit).join(',')}]::text[]) GROUP BY stream
       UNION ALL
       SELECT 2, NULL, NULL, NULL, coalesce(max(position) + 1, 0), NULL FROM ll_events`,
    )) as unknown as pg.QueryResult[];
    const state = results[2]!.rows as {
      kind: number;
      id: string;
      stream: string;
      revision: number;
      position: number;
      body: string;
    }[];
    const byId = new Map<string, StoredById>();
    const revision = new Map<string, number>();
    let head = 0;
    for (const r of state) {
      if (r.kind === 0) byId.set(r.id, r);
      else if (r.kind === 1) revision.set(r.stream, r.revision);
      else head = r.position;
    }
    const rows = {
      position: [] as number[],
      stream: [] as string[],
      revision: [] as number[],
      id: [] as string[],
      body: [] as string[],
    };
    const outcomes: Outcome[] = batch.map(({ append: a }) => {
      try {
        const retry = matchRetry(
          a.stream,
          a.expectedRevision,
          a.events.map((e) => e.id),
          a.bodies,
          a.events.map((e) => byId.get(e.id)),
        );
        if (retry) return { ok: true, result: retry };
        const current = revision.get(a.stream);
        checkExpectedRevision(a.stream, a.expectedRevision, current);
        const first = current === undefined ? 0 : current + 1;
        const positions = a.events.map((e, i) => {
          const stored = { stream: a.stream, revision: first + i, position: head + i, body: a.bodies[i]! };
          byId.set(e.id, stored);
          rows.position.push(stored.position);
          rows.stream.push(stored.stream);
          rows.revision.push(stored.revision);
          rows.id.push(e.id);
          rows.body.push(stored.body);
          return stored.position;
        });
        head += a.events.length;
        revision.set(a.stream, first + a.events.length - 1);
        return { ok: true, result: { nextExpectedRevision: first + a.events.length - 1, positions } };
      } catch (error) {
        return { ok: false, error };
      }
    });
    return { rows, outcomes };
  };

  /** One transaction for the batch; settles nothing itself. Throws what failed the whole batch. */
  const commitBatch = async (batch: Pending[]): Promise<Outcome[]> => {
    const d = deadline(answerTimeoutMs);
    const client = await d.answered(writer.connect(), 'a connection', (late) => late.release(true));
    let failure: unknown;
    try {
      const decided = await d.answered(decide(client, batch), 'the first round trip of an append');
      const r = decided.rows;
      // Round trip 2 of 2: insert, NOTIFY (delivered at commit) and COMMIT. If the INSERT fails, the rest
      // of the string is skipped and the transaction is rolled back below. Not bounded: see serverGate.ts.
      const lit = (v: string) => client.escapeLiteral(v);
      const values = r.position.map(
        (pos, i) =>
          `(${pos}, ${lit(r.stream[i]!)}, ${r.revision[i]}, ${lit(r.id[i]!)}::uuid, ${lit(r.body[i]!)})`,
      );
      await client.query(
        values.length > 0
          ? `INSERT INTO ll_events (position, stream, revision, id, body) VALUES ${values.join(',')};
             SELECT pg_notify('${CHANNEL}', ''); COMMIT`
          : 'COMMIT',
      );
      return decided.outcomes;
    } catch (e) {
      failure = e;
      // A ROLLBACK on a failed or silent connection would wait behind it; dropping the connection rolls back.
      if (!isConnectionError(e)) await client.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      client.release(failure !== undefined && isConnectionError(failure) ? (failure as Error) : undefined);
    }
  };

  const runBatch = async (batch: Pending[]): Promise<void> => {
    let outcomes: Outcome[];
    try {
      outcomes = await gate.run(() => commitBatch(batch));
    } catch (failure) {
      // A batch can fail for a reason one append causes (e.g. a row written by a writer that ignores the
      // lock): retry each append alone so the others are not punished. Connection failures fail all.
      if (batch.length > 1 && !isConnectionError(failure) && !isLedgerError(failure)) {
        for (const p of batch) await runBatch([p]);
      } else {
        for (const p of batch) p.reject(toStoreError(failure));
      }
      return;
    }
    batch.forEach((p, i) => {
      const o = outcomes[i]!;
      if (o.ok) p.resolve(o.result);
      else p.reject(o.error);
    });
    if (outcomes.some((o) => o.ok)) listeners.notify();
  };

  const pump = (): void => {
    if (running || queue.length === 0) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    running = runBatch(batch).finally(() => {
      running = undefined;
      pump();
    });
  };

  const read = async <R>(text: string, values: unknown[]): Promise<R[]> => {
    try {
      return await gate.run(async () => {
        const d = deadline(answerTimeoutMs);
        const client = await d.answered(readers.connect(), 'a connection', (late) => late.release(true));
        let failure: unknown;
        try {
          const r = await d.answered(client.query({ text, values, rowMode: 'array' }), 'a read');
          return r.rows as R[];
        } catch (e) {
          failure = e;
          throw e;
        } finally {
          client.release(
            failure !== undefined && isConnectionError(failure) ? (failure as Error) : undefined,
          );
        }
      });
    } catch (e) {
      throw toStoreError(e);
    }
  };

  return {
    kind: 'postgres',

    appendToStream(stream: string, events: EventToAppend[], opts?: AppendOptions): Promise<AppendResult> {
      let append: ValidatedAppend;
      try {
        append = validateAppend(stream, events, opts);
      } catch (error) {
        return Promise.reject(error);
      }
      if (closed) return Promise.reject(toStoreError(new Error('the store is closed')));
      return new Promise<AppendResult>((resolve, reject) => {
        queue.push({ append, resolve, reject });
        if (queue.length === 1) setImmediate(pump); // let a burst of callers gather into one transaction
      });
    },

    async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<PositionedEvent[]> {
      const name = validateStreamName(stream);
      const rows = await read<StoredRow>(
        'SELECT position, stream, revision, body FROM ll_events WHERE stream = $1 AND revision >= $2 ORDER BY revision LIMIT $3',
        [name, opts.from ?? 0, opts.max ?? null],
      );
      return rows.map(eventFromRow);
    },

    async streamRevision(stream: string): Promise<number | undefined> {
      const rows = await read<[number | null]>('SELECT max(revision) FROM ll_events WHERE stream = $1', [
        validateStreamName(stream),
      ]);
      return rows[0]?.[0] ?? undefined;
    },

    async readAll(opts: ReadAllOptions = {}): Promise<ReadAllPage> {
      const from = opts.fromPosition ?? 0;
      const rows = await read<StoredRow>(
        'SELECT position, stream, revision, body FROM ll_events WHERE position >= $1 ORDER BY position LIMIT $2',
        [from, opts.max ?? 1000],
      );
      const events = rows.map(eventFromRow);
      return { events, nextPosition: events.length > 0 ? events[events.length - 1]!.position + 1 : from };
    },

    async headPosition(): Promise<number> {
      const rows = await read<[number]>('SELECT coalesce(max(position) + 1, 0) FROM ll_events', []);
      return rows[0]![0];
    },

    onAppended(listener: () => void): () => void {
      const off = listeners.add(listener);
      startListening();
      return off;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      while (running || queue.length > 0) {
        if (running) await running;
        else pump();
      }
      await listenStarting;
      await Promise.allSettled([writer.end(), readers.end(), listenClient?.end()]);
    },
  };
}
