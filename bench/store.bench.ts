/**
 * Event store throughput: durable appends (1 event per append with 1, 16 and 64 concurrent writers;
 * 100-event batches) and readAll, for our SQLite and PostgreSQL adapters and, in the same run, Emmett's
 * SQLite and PostgreSQL stores as the peer (installed apart in bench/peers/, see its package.json).
 * Each append workload runs for a fixed time on a fresh store; readAll reads a store of ≥ 50,000 events.
 * Writes its section of docs/perf.md.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { EventToAppend } from '../src/events/envelope.ts';
import { randomBytes } from 'node:crypto';
import type { EventStore } from '../src/store/eventStore.ts';
import { openPostgresEventStore } from '../src/store/postgres/index.ts';
import { openSqliteEventStore } from '../src/store/sqlite/index.ts';
import { createDatabase, startPostgres } from '../test/support/postgresServer.ts';
import { writePerfSection } from './report.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const READ_EVENTS = Number(process.env.BENCH_READ_EVENTS ?? 50_000);

/** What every store under test offers the workloads. */
interface BenchStore {
  append(stream: string, events: number): Promise<void>;
  /** Reads the whole store in pages; returns the number of events read. */
  readAll(): Promise<number>;
  close(): Promise<void>;
}

/**
 * UUIDv7 ids for the generated events, from a pooled random buffer: the `uuid` package's v7 calls
 * randomFillSync per id (~25% of a profile of this bench), which is the caller's cost, not the store's.
 */
let pool = randomBytes(0);
let at = 0;
const newEventId = (): string => {
  if (at + 10 > pool.length) {
    pool = randomBytes(10 * 4096);
    at = 0;
  }
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(Date.now(), 0, 6);
  pool.copy(b, 6, at, at + 10);
  at += 10;
  b[6] = (b[6]! & 0x0f) | 0x70; // version 7
  b[8] = (b[8]! & 0x3f) | 0x80; // variant
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

const payload = (i: number) => ({
  loanId: `loan-${i}`,
  enterpriseUscc: '91330106MA2KXXXX1X',
  enterpriseName: '杭州西湖区小微企业融资担保有限公司',
  amountFen: 50_000_000 + i,
  termMonths: 12,
  rateBps: 385,
  purpose: 'working capital for raw material purchase',
});
const meta = {
  actor: { org: 'bank-1', role: 'bank' as const },
  recordedAt: '2026-01-31T08:00:00.000Z',
  correlationId: 'bench',
  causationId: 'bench',
};
const ledgerEvent = (i: number): EventToAppend => ({
  id: newEventId(),
  type: 'LoanApplied',
  schemaVersion: 1,
  data: payload(i),
  meta,
});

const ours = (store: EventStore): BenchStore => ({
  async append(stream, n) {
    await store.appendToStream(
      stream,
      Array.from({ length: n }, (_, i) => ledgerEvent(i)),
    );
  },
  async readAll() {
    let pos = 0;
    let count = 0;
    for (;;) {
      const page = await store.readAll({ fromPosition: pos, max: 1000 });
      if (page.events.length === 0) return count;
      count += page.events.length;
      pos = page.nextPosition;
    }
  },
  close: () => store.close(),
});

// --- Emmett, loaded from bench/peers/node_modules (its own install) ---------------------------------
type EmmettEvent = { type: string; data: unknown; metadata?: unknown };
interface EmmettStore {
  appendToStream(stream: string, events: EmmettEvent[]): Promise<unknown>;
  close?(): Promise<void>;
}
interface EmmettBatch {
  messages: unknown[];
  areEventsLeft: boolean;
  currentGlobalPosition: bigint;
}
const peerModule = async (pkg: string): Promise<Record<string, unknown>> => {
  const url = new URL(`./peers/node_modules/${pkg}/dist/index.js`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${pkg} is not installed: cd bench/peers && npm install`);
  return (await import(url.href)) as Record<string, unknown>;
};
const emmettEvent = (i: number): EmmettEvent => ({
  type: 'LoanApplied',
  data: payload(i),
  metadata: { ...meta, id: newEventId(), schemaVersion: 1 },
});
const emmett = (
  store: EmmettStore,
  readBatch: (from: bigint) => Promise<EmmettBatch>,
  close: () => Promise<void>,
): BenchStore => ({
  async append(stream, n) {
    await store.appendToStream(
      stream,
      Array.from({ length: n }, (_, i) => emmettEvent(i)),
    );
  },
  async readAll() {
    let from = 0n;
    let count = 0;
    for (;;) {
      const b = await readBatch(from);
      count += b.messages.length;
      if (b.messages.length === 0 || !b.areEventsLeft) return count;
      from = b.currentGlobalPosition + 1n;
    }
  },
  close,
});

const emmettSqlite = async (file: string): Promise<BenchStore> => {
  const m = await peerModule('@event-driven-io/emmett-sqlite');
  const getStore = m.getSQLiteEventStore as (o: { fileName: string }) => EmmettStore;
  const connect = m.sqliteConnection as (o: { fileName: string }) => { close(): void };
  const readMessagesBatch = m.readMessagesBatch as (db: unknown, o: object) => Promise<EmmettBatch>;
  const store = getStore({ fileName: file });
  let reader: { close(): void } | undefined;
  return emmett(
    store,
    (from) => {
      reader ??= connect({ fileName: file });
      return readMessagesBatch(reader, { from, batchSize: 1000 });
    },
    async () => {
      reader?.close();
      await store.close?.();
    },
  );
};

const emmettPostgres = async (url: string): Promise<BenchStore> => {
  const m = await peerModule('@event-driven-io/emmett-postgresql');
  const d = await peerModule('@event-driven-io/dumbo');
  const getStore = m.getPostgreSQLEventStore as (cs: string) => EmmettStore;
  const readMessagesBatch = m.readMessagesBatch as (exec: unknown, o: object) => Promise<EmmettBatch>;
  const pool = (d.dumbo as (o: { connectionString: string }) => { execute: unknown; close(): Promise<void> })(
    {
      connectionString: url,
    },
  );
  const store = getStore(url);
  return emmett(
    store,
    (from) => readMessagesBatch(pool.execute, { from, batchSize: 1000 }),
    async () => {
      await pool.close();
      await store.close?.();
    },
  );
};

// --- workloads ------------------------------------------------------------------------------------
interface Rate {
  eventsPerSecond: number;
  events: number;
  errors: number;
  firstError?: string;
}

const APPEND_TIMEOUT_MS = 10_000;
/** An append that never settles (a peer's lost callback) counts as failed instead of hanging the bench. */
const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`append did not settle within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e) => (clearTimeout(t), reject(e)),
    );
  });

/**
 * Errors a peer emits outside any promise (node-sqlite3 emits SQLITE_BUSY as an 'error' event on a
 * Statement, which would kill the process): counted per workload instead.
 */
let stray: string[] = [];
const onStray = (e: unknown) => {
  stray.push(String((e as Error)?.message ?? e).slice(0, 120));
};

/** `writers` concurrent writers, each on its own stream, appending `perAppend` events per call for SECONDS. */
async function appendWorkload(store: BenchStore, writers: number, perAppend: number): Promise<Rate> {
  const deadline = performance.now() + SECONDS * 1000;
  let events = 0;
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const stream = `loan-${newEventId()}`;
      while (performance.now() < deadline) {
        try {
          await withTimeout(store.append(stream, perAppend), APPEND_TIMEOUT_MS);
          events += perAppend;
        } catch (e) {
          errors++;
          firstError ??= String((e as Error)?.message ?? e).slice(0, 120);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  if (stray.length > 0) {
    errors += stray.length;
    firstError ??= `uncaught: ${stray[0]}`;
    stray = [];
  }
  return { eventsPerSecond: events / seconds, events, errors, ...(firstError ? { firstError } : {}) };
}

async function readWorkload(store: BenchStore): Promise<Rate> {
  // Top the store up (untimed) so every store is read at the same size or more.
  let have = await store.readAll();
  while (have < READ_EVENTS) {
    await store.append(`loan-${newEventId()}`, 100); // one at a time: a peer may not take concurrent writers
    have += 100;
  }
  let best = 0;
  let events = 0;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    events = await store.readAll();
    best = Math.max(best, events / ((performance.now() - t) / 1000));
  }
  return { eventsPerSecond: best, events, errors: 0 };
}

const WORKLOADS = [
  { name: '1 writer, 1 event/append', run: (s: BenchStore) => appendWorkload(s, 1, 1) },
  { name: '16 writers, 1 event/append', run: (s: BenchStore) => appendWorkload(s, 16, 1) },
  { name: '64 writers, 1 event/append', run: (s: BenchStore) => appendWorkload(s, 64, 1) },
  { name: '1 writer, 100-event batches', run: (s: BenchStore) => appendWorkload(s, 1, 100) },
  { name: 'readAll (pages of 1000)', run: readWorkload },
] as const;

type Results = Map<string, Rate | string>; // workload → rate, or why it could not run

/** Runs every workload, each append workload on a fresh store from `open`; readAll on the last one. */
async function measure(label: string, open: () => Promise<BenchStore>): Promise<Results> {
  const out: Results = new Map();
  let last: BenchStore | undefined;
  for (const w of WORKLOADS) {
    try {
      if (w.name.startsWith('readAll')) {
        last ??= await open();
      } else {
        await last?.close();
        last = await open();
      }
      const r = await w.run(last);
      out.set(w.name, r);
      console.log(
        `  ${label.padEnd(18)} ${w.name.padEnd(30)} ${Math.round(r.eventsPerSecond)} ev/s${r.errors ? ` (${r.errors} errors)` : ''}`,
      );
    } catch (e) {
      const why = String((e as Error)?.message ?? e).slice(0, 200);
      out.set(w.name, why);
      console.log(`  ${label.padEnd(18)} ${w.name.padEnd(30)} failed: ${why}`);
    }
  }
  await last?.close().catch(() => {});
  return out;
}

/** Raw fsync rate of the temp disk: the ceiling of one-fsync-per-append durability. */
function fsyncRate(dir: string): number {
  const fd = openSync(join(dir, 'fsync-probe'), 'w');
  const buf = Buffer.alloc(4096, 1);
  const end = performance.now() + 1000;
  let n = 0;
  while (performance.now() < end) {
    writeSync(fd, buf, 0, buf.length, 0);
    fsyncSync(fd);
    n++;
  }
  closeSync(fd);
  return n;
}

const fmt = (r: Rate | string | undefined): string =>
  r === undefined
    ? '—'
    : typeof r === 'string'
      ? 'failed'
      : `${Math.round(r.eventsPerSecond).toLocaleString('en-US')}${r.errors ? ` (${r.errors} failed appends)` : ''}`;
/** ours ÷ peer; no ratio when the peer failed appends (its rate then says little). */
const ratio = (a: Rate | string | undefined, b: Rate | string | undefined): string =>
  typeof a !== 'object' || b === undefined
    ? '—'
    : typeof b === 'string' || b.errors > 0 || b.eventsPerSecond === 0
      ? 'peer failed'
      : `${(a.eventsPerSecond / b.eventsPerSecond).toFixed(1)}×`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-bench-store-'));
  const pgServer = await startPostgres();
  process.on('uncaughtException', onStray); // only while this bench runs
  let n = 0;
  const sqliteFile = () => join(dir, `s${n++}.db`);
  const pgDb = async () => createDatabase(pgServer.url, `bench_${n++}`);
  try {
    const fsyncs = fsyncRate(dir);
    console.log(`  raw fsync rate of ${tmpdir()}: ${fsyncs}/s`);
    const results = {
      sqlite: await measure('SQLite (ours)', async () => ours(openSqliteEventStore({ file: sqliteFile() }))),
      emmettSqlite: await measure('Emmett SQLite', () => emmettSqlite(sqliteFile())),
      postgres: await measure('PostgreSQL (ours)', async () =>
        ours(await openPostgresEventStore({ connectionString: await pgDb() })),
      ),
      emmettPostgres: await measure('Emmett PostgreSQL', async () => emmettPostgres(await pgDb())),
    };

    const rows = WORKLOADS.map((w) => {
      const g = (r: Results) => r.get(w.name);
      return `| ${w.name} | ${fmt(g(results.sqlite))} | ${fmt(g(results.emmettSqlite))} | ${ratio(g(results.sqlite), g(results.emmettSqlite))} | ${fmt(g(results.postgres))} | ${fmt(g(results.emmettPostgres))} | ${ratio(g(results.postgres), g(results.emmettPostgres))} |`;
    });
    const failures = Object.entries(results).flatMap(([store, r]) =>
      [...r.entries()].flatMap(([w, v]) =>
        typeof v === 'string'
          ? [`- ${store}, ${w}: could not run: ${v}`]
          : v.firstError
            ? [`- ${store}, ${w}: ${v.errors} appends failed, first: \`${v.firstError}\``]
            : [],
      ),
    );
    const s64 = results.sqlite.get(WORKLOADS[2].name);
    const read = results.sqlite.get(WORKLOADS[4].name);
    const target = (r: Rate | string | undefined, goal: number) =>
      typeof r === 'object'
        ? `${Math.round(r.eventsPerSecond).toLocaleString('en-US')} (target ${goal.toLocaleString('en-US')}: ${r.eventsPerSecond >= goal ? 'met' : 'NOT met'})`
        : 'n/a';

    writePerfSection(
      'store',
      'Event store: durable appends and readAll',
      `Events per second (higher is better). Every append is durable when it resolves: ours with SQLite WAL +
\`synchronous=FULL\` (group commit) and PostgreSQL with \`fsync=on\`, \`synchronous_commit=on\`; Emmett 0.42 as shipped
(\`@event-driven-io/emmett-sqlite\` 0.42.4 on emmett 0.42.0, \`@event-driven-io/emmett-postgresql\` 0.42.0) in the same
run, same payload (~330 bytes of data, Chinese enterprise name), each writer on its own stream, no expected-revision
check. Append workloads run ${SECONDS} s each on a fresh store; readAll reads a store of ≥ ${READ_EVENTS.toLocaleString('en-US')} events (best of 3).
PostgreSQL is a throwaway local cluster (\`test/support/postgresServer.ts\`). Raw fsync rate of the temp disk: **${fsyncs.toLocaleString('en-US')}/s**.

| workload | SQLite (ours) | Emmett SQLite | ratio | PostgreSQL (ours) | Emmett PostgreSQL | ratio |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

- SQLite, 64 concurrent single-event writers: ${target(s64, 20_000)}.
- SQLite readAll: ${target(read, 300_000)}.
${failures.length > 0 ? `\nFailures seen in this run:\n${failures.join('\n')}\n` : ''}
Caveats: this machine is shared (2 vCPUs; other benchmarks and test runs may run at the same time), so
figures move between runs by up to 3×; the ratios in one run are the comparable part. Emmett SQLite opens a
connection per operation and fails under concurrency (\`SQLITE_BUSY\`, then \`cannot rollback\`, and appends
whose callback never comes, counted as failed after 10 s); its later workloads run in the same process after
those and are probably depressed by them. Our PostgreSQL single writer loses to Emmett's (0.5×): each of our
appends takes the global advisory lock and costs two round trips (lock + state read, then insert + commit),
where Emmett's is one call of a stored function; the lock is what buys commit-ordered, gap-free positions,
and batching wins it back as soon as writers are concurrent. Moving the append into a server-side function
(one round trip) is the next step for it.

What limits it: a single writer is bounded by one fsync per append (the raw rate above); with concurrent
writers, group commit puts every append that arrived during the previous COMMIT into one transaction, so
throughput grows with concurrency until the single SQLite writer's CPU (zod validation, RFC 8785
canonicalization, three index updates per row) dominates. readAll is bounded by \`JSON.parse\` of each
event body plus row fetching in better-sqlite3. PostgreSQL adds a network round trip per statement and
serializes appenders on one advisory lock (docs/storage.md), so it relies on batching more than SQLite does.`,
    );
  } finally {
    process.off('uncaughtException', onStray);
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
