import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { LedgerError } from '../../src/errors.ts';
import { openPostgresEventStore } from '../../src/store/postgres/index.ts';
import { createDatabase, freePort } from '../support/postgresServer.ts';
import { eventStoreContract, expectLedgerError, makeEvent, readAllFrom, streamName } from './contract.ts';

const freshDatabase = () =>
  createDatabase(inject('postgresUrl'), `store_${randomUUID().replaceAll('-', '')}`);

const dropDatabase = async (url: string) => {
  const name = new URL(url).pathname.slice(1);
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
};

eventStoreContract(
  'PostgreSQL',
  async () => {
    const url = await freshDatabase();
    return {
      open: () => openPostgresEventStore({ connectionString: url }),
      dispose: () => dropDatabase(url),
      childEnv: { STORE_KIND: 'postgres', STORE_URL: url },
    };
  },
  { dense: true },
);

describe('PostgreSQL adapter specifics', () => {
  it('drops the key index of earlier versions on open, keeping the events it indexed', async () => {
    const url = await freshDatabase();
    const old = await openPostgresEventStore({ connectionString: url });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const s = streamName();
      await old.appendToStream(s, [makeEvent({ n: 1 })]);
      // The index as versions before it was dropped created it.
      await client.query(`CREATE INDEX ll_events_idempotency_key
        ON ll_events (stream, (body::jsonb -> 'meta' ->> 'idempotencyKey'))
        WHERE (body::jsonb -> 'meta' ->> 'idempotencyKey') IS NOT NULL`);
      await old.close();
      const store = await openPostgresEventStore({ connectionString: url });
      try {
        const { rows } = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'll_events'");
        expect(rows.map((r: { indexname: string }) => r.indexname)).not.toContain(
          'll_events_idempotency_key',
        );
        expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ n: 1 }]);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await dropDatabase(url);
    }
  });

  it('two processes (two store instances) appending concurrently keep positions dense and commit-ordered', async () => {
    const url = await freshDatabase();
    const a = await openPostgresEventStore({ connectionString: url });
    const b = await openPostgresEventStore({ connectionString: url });
    try {
      const ids = new Set<string>();
      const writer = async (store: typeof a) => {
        const s = streamName();
        for (let i = 0; i < 20; i++) {
          const e = makeEvent({ i });
          ids.add(e.id);
          await store.appendToStream(s, [e], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
        }
      };
      await Promise.all([
        ...Array.from({ length: 8 }, () => writer(a)),
        ...Array.from({ length: 8 }, () => writer(b)),
      ]);
      const all = await readAllFrom(a, 0);
      expect(all.map((e) => e.position)).toEqual(all.map((_, i) => i));
      expect(new Set(all.map((e) => e.id))).toEqual(ids);
    } finally {
      await a.close();
      await b.close();
      await dropDatabase(url);
    }
  });

  it('wakes listeners of another store instance through LISTEN/NOTIFY', async () => {
    const url = await freshDatabase();
    const a = await openPostgresEventStore({ connectionString: url });
    const b = await openPostgresEventStore({ connectionString: url });
    try {
      let woken = 0;
      b.onAppended(() => woken++);
      await new Promise((r) => setTimeout(r, 200)); // LISTEN is set up in the background
      await a.appendToStream(streamName(), [makeEvent()]);
      await expect.poll(() => woken, { timeout: 5000 }).toBeGreaterThan(0);
    } finally {
      await a.close();
      await b.close();
      await dropDatabase(url);
    }
  });

  it('a server gone silent on open connections: the append and a read give up, the rest are refused at once, all resume when it answers', async () => {
    const url = await freshDatabase();
    const relay = await silenceableRelay(url);
    const store = await openPostgresEventStore({ connectionString: relay.url, answerTimeoutMs: 500 });
    try {
      const s = streamName();
      await store.appendToStream(s, [makeEvent({ n: 0 })], { expectedRevision: 'no_stream' });
      await store.readStream(s); // the writer's and a reader's connections are open and idle now
      let woken = 0;
      store.onAppended(() => woken++);
      await new Promise((r) => setTimeout(r, 300)); // LISTEN is set up (and wakes once) in the background
      relay.silence();
      // Each waits out its deadline on a connection that stays open but never answers (no hang).
      await expectLedgerError(
        store.appendToStream(s, [makeEvent({ n: 1 })], { expectedRevision: 0 }),
        'LL_STORE_UNAVAILABLE',
      );
      // Now one request at a time tries the server; the others are refused without waiting.
      const reads = await Promise.allSettled(Array.from({ length: 10 }, () => store.readStream(s)));
      const errors = reads.map((r) => (r.status === 'rejected' ? (r.reason as LedgerError) : undefined));
      expect(errors.map((e) => e?.code)).toEqual(Array(10).fill('LL_STORE_UNAVAILABLE'));
      expect(errors.filter((e) => /did not answer a read within/.test(e!.message))).toHaveLength(1);
      expect(errors.filter((e) => /another request is trying it/.test(e!.message))).toHaveLength(9);
      woken = 0;
      relay.speak();
      // The next request is the one that tries: it gets an answer, and followers are woken to catch up.
      expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ n: 0 }]); // the append wrote nothing
      expect(woken).toBeGreaterThan(0);
      await store.appendToStream(s, [makeEvent({ n: 1 })], { expectedRevision: 0 });
      expect((await store.readStream(s)).map((e) => e.data)).toEqual([{ n: 0 }, { n: 1 }]);
    } finally {
      await store.close();
      await relay.close();
      await dropDatabase(url);
    }
  });

  it('maps an unreachable server to LL_STORE_UNAVAILABLE', async () => {
    const port = await freePort();
    await expectLedgerError(
      openPostgresEventStore({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` }),
      'LL_STORE_UNAVAILABLE',
    );
  });

  it('gives up on a server that accepts connections but never answers (LL_STORE_UNAVAILABLE, no hang)', async () => {
    // A black hole: the TCP handshake succeeds, no byte ever comes back (a hung or SIGSTOPped server).
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const { port } = blackHole.address() as net.AddressInfo;
    try {
      await expectLedgerError(
        openPostgresEventStore({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` }),
        'LL_STORE_UNAVAILABLE',
      );
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => blackHole.close(r));
    }
  }, 30_000);
});

/**
 * A TCP relay in front of PostgreSQL that can go silent — connections stay open, bytes are taken in but
 * not passed on either way, as with a hung server or a black-holed route — and later pass everything on.
 */
async function silenceableRelay(databaseUrl: string) {
  const target = new URL(databaseUrl);
  let silent = false;
  const held: [net.Socket, Buffer][] = [];
  const sockets = new Set<net.Socket>();
  const forward = (from: net.Socket, to: net.Socket) =>
    from.on('data', (d: Buffer) => (silent ? held.push([to, d]) : to.destroyed || to.write(d)));
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(target.port), target.hostname);
    for (const [a, b] of [
      [inbound, outbound],
      [outbound, inbound],
    ] as const) {
      sockets.add(a);
      forward(a, b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        sockets.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(databaseUrl);
  url.host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url: url.toString(),
    silence: () => void (silent = true),
    speak: () => {
      silent = false;
      for (const [to, d] of held.splice(0)) if (!to.destroyed) to.write(d);
    },
    close: async () => {
      for (const sock of sockets) sock.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
