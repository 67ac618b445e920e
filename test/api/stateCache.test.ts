import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { StateCache } from '../../src/api/commands/stateCache.ts';
import type { EventToAppend } from '../../src/events/envelope.ts';
import { newEventId } from '../../src/events/ids.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { bearer, productBody, startTestServer, testAggregates, type TestServer } from './support.ts';

/**
 * The command path trusts its cached state per stream without reading the store; these pin that a
 * cached state that fell behind (another process wrote to the stream) never decides a command: the
 * store refuses the append and the command is decided again on what the store holds, and an outcome
 * the store cannot arbitrate (a refusal, a 412) is checked against the store first.
 */
let t: TestServer & { operatorKey: string };
let bankKey: string;

beforeAll(async () => {
  t = await startTestServer();
  bankKey = await t.org('bank-cache', 'bank');
});
afterAll(async () => t.close());

const post = (url: string, body: object, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, headers: { ...bearer(bankKey), ...headers }, payload: body });

/** Another writer (another process, in production) appends to the stream behind the API's back. */
async function writeBehind(stream: string, type: string, data: Record<string, unknown>): Promise<number> {
  const current = await t.store.streamRevision(stream);
  const r = await t.store.appendToStream(
    stream,
    [
      {
        id: newEventId(),
        type,
        schemaVersion: 1,
        data: data as never,
        meta: {
          actor: { org: 'bank-cache', role: 'bank' },
          recordedAt: new Date().toISOString(),
          correlationId: 'behind',
          causationId: 'behind',
        },
      },
    ],
    { expectedRevision: current ?? 'no_stream' },
  );
  return r.nextExpectedRevision;
}

describe('the per-stream state cache', () => {
  it('decides a second command on a stream without reading the stream again', async () => {
    expect((await post('/v1/products', productBody('c-0'))).statusCode).toBe(201);
    const reads = vi.spyOn(t.store, 'readStream');
    try {
      const res = await post('/v1/products/c-0/amendments', { ...productBody(), rateMaxBps: 550 });
      expect(res.statusCode).toBe(201);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('a withdrawal written behind the cache wins: the amendment is refused on the fresh state', async () => {
    expect((await post('/v1/products', productBody('c-1'))).statusCode).toBe(201);
    expect((await post('/v1/products/c-1/amendments', productBody())).statusCode).toBe(201);
    const behind = await writeBehind('product-c-1', 'ProductWithdrawn', {
      productId: 'c-1',
      reason: 'withdrawn by another process',
      withdrawnAt: new Date().toISOString(),
    });
    const res = await post('/v1/products/c-1/amendments', { ...productBody(), rateMaxBps: 500 });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'LL_DOMAIN_RULE_VIOLATED', rule: 'product.withdrawn' });
    expect(await t.store.streamRevision('product-c-1')).toBe(behind);
  });

  it('If-Match with the revision written behind the cache succeeds; the cached revision is 412', async () => {
    expect((await post('/v1/products', productBody('c-2'))).statusCode).toBe(201);
    const { productId: _p, ...terms } = { ...productBody('c-2'), rateMaxBps: 590 };
    const amended = () => ({ productId: 'c-2', ...terms, amendedAt: new Date().toISOString() });
    const behind = await writeBehind('product-c-2', 'ProductAmended', amended());
    expect(behind).toBe(1);
    const ok = await post('/v1/products/c-2/amendments', productBody(), { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().streamRevision).toBe(2);
    await writeBehind('product-c-2', 'ProductAmended', amended());
    const stale = await post('/v1/products/c-2/amendments', productBody(), { 'if-match': '"2"' });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'LL_PRECONDITION_FAILED', expected: 2, actual: 3 });
    expect(await t.store.streamRevision('product-c-2')).toBe(3);
  });

  it('a keyed command another instance already appended is replayed, not appended again', async () => {
    expect((await post('/v1/products', productBody('c-3'))).statusCode).toBe(201);
    const other = await buildApp({
      store: t.store,
      aggregates: testAggregates(t.store),
      secret: 'test-secret-test-secret-test-secret!',
      logger: false,
      defaultMetrics: false,
      docs: false,
    });
    try {
      const body = { ...productBody(), rateMaxBps: 570 };
      const first = await other.inject({
        method: 'POST',
        url: '/v1/products/c-3/amendments',
        headers: { ...bearer(bankKey), 'idempotency-key': 'k-c3' },
        payload: body,
      });
      expect(first.statusCode).toBe(201);
      // Only the stream itself tells this instance about the key (its index may have evicted it).
      await t.app.ledger.follower.catchUp();
      t.app.ledger.idempotency['records'].clear();
      const head = await t.store.headPosition();
      const retry = await post('/v1/products/c-3/amendments', body, { 'idempotency-key': 'k-c3' });
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.body).toBe(first.body);
      expect(await t.store.headPosition()).toBe(head);
      // And a plain command after it is decided on the fresh state (revision 2, not 1).
      const next = await post('/v1/products/c-3/amendments', productBody());
      expect(next.json().streamRevision).toBe(2);
    } finally {
      await other.close();
    }
  });
});

describe("the state cache's keys of keyed commands", () => {
  /** A counter stream: its state is the number of events folded. */
  const counter = {
    initialState: () => 0,
    evolve: (n: number) => n + 1,
    decide: () => [],
  } as unknown as Parameters<StateCache['load']>[2];
  const keyed = (org: string, key: string | undefined): EventToAppend => ({
    id: newEventId(),
    type: 'Counted',
    schemaVersion: 1,
    data: {},
    meta: {
      actor: { org, role: 'bank' },
      recordedAt: '2026-11-28T00:00:00.000Z',
      correlationId: 'c',
      causationId: 'c',
      ...(key ? { idempotencyKey: key, requestDigest: `d-${key}` } : {}),
    },
  });

  it('a loaded stream knows each (org, key) with the revisions of its events, per organization', async () => {
    const store = openSqliteEventStore({ file: ':memory:' });
    try {
      await store.appendToStream('counter-a', [keyed('bank-1', undefined)]);
      await store.appendToStream('counter-a', [keyed('bank-1', 'k-1'), keyed('bank-1', 'k-1')]);
      await store.appendToStream('counter-a', [keyed('bank-2', 'k-1')]);
      const loaded = await new StateCache().load(store, 'counter-a', counter);
      expect(loaded.state).toBe(4);
      expect(loaded.keys.find('bank-1', 'k-1', loaded.revision)).toEqual({ from: 1, to: 2 });
      expect(loaded.keys.find('bank-2', 'k-1', loaded.revision)).toEqual({ from: 3, to: 3 });
      expect(loaded.keys.find('bank-3', 'k-1', loaded.revision)).toBeUndefined();
      expect(loaded.keys.find('bank-1', 'k-2', loaded.revision)).toBeUndefined();
      // Not for a state below the key's events (the key set is shared by a stream's later entries).
      expect(loaded.keys.find('bank-2', 'k-1', 2)).toBeUndefined();
      expect(loaded.keys.find('bank-1', 'k-1', undefined)).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('is bounded by keys as well as by streams: past the budget the least recently used stream goes', async () => {
    const store = openSqliteEventStore({ file: ':memory:' });
    try {
      for (const s of ['counter-x', 'counter-y'])
        await store.appendToStream(s, [keyed('bank-1', `${s}-1`), keyed('bank-1', `${s}-2`)]);
      const cache = new StateCache(10, 3);
      await cache.load(store, 'counter-x', counter);
      await cache.load(store, 'counter-y', counter); // 4 keys held > 3: counter-x goes
      const reads = vi.spyOn(store, 'readStream');
      try {
        expect((await cache.load(store, 'counter-y', counter)).unread).toBe(true);
        expect((await cache.load(store, 'counter-x', counter)).unread).toBe(false); // read again
        expect(reads).toHaveBeenCalledTimes(1);
      } finally {
        reads.mockRestore();
      }
    } finally {
      await store.close();
    }
  });
});
