import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { bearer, productBody, startTestServer, testAggregates, type TestServer } from './support.ts';

let t: TestServer & { operatorKey: string };
let bankKey: string;

beforeAll(async () => {
  t = await startTestServer();
  bankKey = await t.org('bank-cs', 'bank');
});
afterAll(async () => t.close());

const post = (url: string, body: unknown, key: string, extra: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(bankKey), 'idempotency-key': key, ...extra },
    payload: body as object,
  });

describe('Idempotency-Key', () => {
  it('a repeat returns the original response, marked replayed, and writes nothing', async () => {
    const first = await post('/v1/products', productBody(), 'k-1');
    expect(first.statusCode).toBe(201);
    const head = await t.store.headPosition();
    const again = await post('/v1/products', productBody(), 'k-1');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await t.store.headPosition()).toBe(head);
    // The created id was derived from the key, so even the resource is the same.
    expect(first.json().stream).toMatch(/^product-/);
  });

  it('the same key with a different body is 422 LL_IDEMPOTENCY_KEY_REUSED', async () => {
    await post('/v1/products', productBody(), 'k-2');
    const head = await t.store.headPosition();
    const res = await post('/v1/products', { ...productBody(), rateMaxBps: 599 }, 'k-2');
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('LL_IDEMPOTENCY_KEY_REUSED');
    expect(await t.store.headPosition()).toBe(head);
  });

  it('100 parallel identical POSTs with one key make exactly one set of events', async () => {
    const head = await t.store.headPosition();
    const results = await Promise.all(
      Array.from({ length: 100 }, () => post('/v1/products', productBody(), 'k-par')),
    );
    expect(results.every((r) => r.statusCode === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
    expect(await t.store.headPosition()).toBe(head + 1);
  });

  it('keys are per organization: another bank may use the same key string', async () => {
    const otherKey = await t.org('bank-2', 'bank');
    await post('/v1/products', productBody(), 'shared-key');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: { ...bearer(otherKey), 'idempotency-key': 'shared-key' },
      payload: productBody(),
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
  });

  it('survives a restart: a new process with an empty index replays from the events themselves', async () => {
    const first = await post('/v1/products/p-restart/amendments', {}, 'k-r');
    expect(first.statusCode).toBe(403); // not its product: authorization before anything
    const pub = await post('/v1/products', productBody('p-restart'), 'k-pub');
    const amend = await post(
      '/v1/products/p-restart/amendments',
      { ...productBody(), rateMaxBps: 580 },
      'k-amend',
    );
    expect(amend.statusCode).toBe(201);
    // A second app over the same store, same secret: as after a crash right after the append.
    const app2 = await buildApp({
      store: t.store,
      aggregates: testAggregates(t.store),
      secret: 'test-secret-test-secret-test-secret!',
      logger: false,
      defaultMetrics: false,
    });
    try {
      for (const [url, body, key, original] of [
        ['/v1/products', productBody('p-restart'), 'k-pub', pub],
        ['/v1/products/p-restart/amendments', { ...productBody(), rateMaxBps: 580 }, 'k-amend', amend],
      ] as const) {
        const head = await t.store.headPosition();
        const res = await app2.inject({
          method: 'POST',
          url,
          headers: { ...bearer(bankKey), 'idempotency-key': key },
          payload: body,
        });
        expect(res.statusCode).toBe(201);
        expect(res.body).toBe(original.body);
        expect(res.headers['idempotent-replayed']).toBe('true');
        expect(await t.store.headPosition()).toBe(head);
      }
      // Even without the follower's index (evicted, or a huge store): the target stream carries the key.
      app2.ledger.idempotency['records'].clear();
      app2.ledger.stateCache.forget('product-p-restart');
      const res = await app2.inject({
        method: 'POST',
        url: '/v1/products/p-restart/amendments',
        headers: { ...bearer(bankKey), 'idempotency-key': 'k-amend' },
        payload: { ...productBody(), rateMaxBps: 580 },
      });
      expect(res.body).toBe(amend.body);
      const reused = await app2.inject({
        method: 'POST',
        url: '/v1/products/p-restart/amendments',
        headers: { ...bearer(bankKey), 'idempotency-key': 'k-amend' },
        payload: { ...productBody(), rateMaxBps: 581 },
      });
      expect(reused.statusCode).toBe(422);
    } finally {
      await app2.close();
    }
  });

  it('the index is bounded (IDEMPOTENCY_INDEX_ENTRIES); an evicted key still replays from its stream', async () => {
    const small = await buildApp({
      store: t.store,
      aggregates: testAggregates(t.store),
      secret: 'test-secret-test-secret-test-secret!',
      logger: false,
      defaultMetrics: false,
      idempotencyEntries: 2,
    });
    try {
      const send = (id: string, key: string) =>
        small.inject({
          method: 'POST',
          url: '/v1/products',
          headers: { ...bearer(bankKey), 'idempotency-key': key },
          payload: productBody(id),
        });
      const first = await send('p-window-1', 'k-window-1');
      await send('p-window-2', 'k-window-2');
      await send('p-window-3', 'k-window-3');
      const records = small.ledger.idempotency['records'] as Map<string, unknown>;
      expect(records.size).toBe(2);
      expect(small.ledger.idempotency.get('bank-cs', 'k-window-1')).toBeUndefined();
      const head = await t.store.headPosition();
      const again = await send('p-window-1', 'k-window-1');
      expect(again.body).toBe(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(await t.store.headPosition()).toBe(head);
    } finally {
      await small.close();
    }
  });

  it('events carry the key and an HMAC of the request, never a plain hash of the body', async () => {
    const res = await post('/v1/products', productBody('p-meta'), 'k-meta');
    const [e] = await t.store.readStream(res.json().stream);
    expect(e!.meta.idempotencyKey).toBe('k-meta');
    expect(e!.meta.requestDigest).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A different server secret gives a different digest for the same request.
    const other = await startTestServer({ secret: 'another-secret-another-secret-1234' });
    try {
      const k = await other.org('bank-cs', 'bank');
      const r2 = await other.app.inject({
        method: 'POST',
        url: '/v1/products',
        headers: { ...bearer(k), 'idempotency-key': 'k-meta' },
        payload: productBody('p-meta'),
      });
      const [e2] = await other.store.readStream(r2.json().stream);
      expect(e2!.meta.requestDigest).not.toBe(e!.meta.requestDigest);
    } finally {
      await other.close();
    }
  });

  it('a malformed key is 400', async () => {
    const res = await post('/v1/products', productBody(), 'bad key with spaces');
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('headers.idempotency-key');
  });
});
