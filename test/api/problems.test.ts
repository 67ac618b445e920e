import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { errorCodes, LedgerError, type ErrorCode } from '../../src/errors.ts';
import type { EventStore } from '../../src/store/eventStore.ts';
import { bearer, productBody, startTestServer, testAggregates, uscc, type TestServer } from './support.ts';

/**
 * Every problem+json code the API can return is reached here over HTTP; codes it cannot return are
 * listed with the reason. A new code in src/errors.ts fails this file until it is placed in one or the other.
 */
const NOT_FROM_THE_API: Partial<Record<ErrorCode, string>> = {
  LL_EVENT_TOO_LARGE:
    'the 1 MiB body limit and the domain schemas’ string limits keep every event far below the store’s 1 MiB data limit',
  LL_RATE_LIMITED:
    'reached in test/security/rateLimit.test.ts (needs a server built with a tiny per-key limit and a driven clock)',
  LL_WRONG_EXPECTED_REVISION:
    'handled inside handleCommand: retried (409 LL_CONCURRENCY_RETRIES_EXHAUSTED) or 412 with If-Match',
  LL_EVENT_ID_CONFLICT: 'the API makes fresh UUIDv7 event ids for every decision, so ids never clash',
  LL_EVIDENCE_NOT_ANCHORED:
    'reached in test/evidence/bundle/routes.test.ts (needs the evidence routes over a log with no anchor yet)',
  LL_CONTRACT_NOT_HELD:
    'reached in test/evidence/contract/draftRoute.test.ts (GET contract.pdf of a contract drafted outside the ledger)',
  LL_DOCUMENT_INTEGRITY:
    'reached in test/evidence/contract/draftRoute.test.ts (needs the route mounted over a document store whose file is edited)',
};

const seen = new Set<string>();
let t: TestServer & { operatorKey: string };
let bankKey: string;

/** Asserts a problem document and records its code. */
function problem(
  res: { statusCode: number; headers: Record<string, unknown>; json: () => Record<string, unknown> },
  code: ErrorCode,
) {
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ code, status: errorCodes[code].status, title: errorCodes[code].title });
  expect(body.type).toBe(`https://loan-ledger.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`);
  expect(typeof body.instance).toBe('string');
  expect(res.statusCode).toBe(errorCodes[code].status);
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|SQLITE|INSERT|SELECT/);
  seen.add(code);
  return body;
}

beforeAll(async () => {
  t = await startTestServer({ bodyLimit: 64 * 1024 });
  bankKey = await t.org('bank-1', 'bank');
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: { ...bearer(bankKey), ...headers },
    payload: payload as string,
  });

describe('problem+json', () => {
  it('validation errors list field paths; unknown fields are refused; amounts must be safe integers', async () => {
    const body = problem(
      await post('/v1/products', { ...productBody(), amountMinFen: 1.5, extra: 1 }),
      'LL_VALIDATION_FAILED',
    );
    const paths = (body.errors as { path: string }[]).map((e) => e.path);
    expect(paths).toContain('amountMinFen');
    expect(JSON.stringify(body.errors)).toMatch(/extra|unrecognized/i);
    problem(await post('/v1/products', { ...productBody(), amountMaxFen: 2 ** 53 }), 'LL_VALIDATION_FAILED');
    problem(await post('/v1/products', { ...productBody(), name: 'x'.repeat(201) }), 'LL_VALIDATION_FAILED');
  });

  it('fastify’s own errors map to our codes', async () => {
    problem(
      await post('/v1/products', '{"name": ', { 'content-type': 'application/json' }),
      'LL_MALFORMED_BODY',
    );
    problem(
      await post('/v1/products', '{"__proto__": {"admin": true}}', { 'content-type': 'application/json' }),
      'LL_MALFORMED_BODY',
    );
    problem(
      await post('/v1/products', '{"constructor": {"prototype": {"x": 1}}}', {
        'content-type': 'application/json',
      }),
      'LL_MALFORMED_BODY',
    );
    problem(
      await post('/v1/products', 'name=x', { 'content-type': 'text/plain' }),
      'LL_UNSUPPORTED_MEDIA_TYPE',
    );
    problem(
      await post('/v1/products', JSON.stringify({ name: 'x'.repeat(70_000) }), {
        'content-type': 'application/json',
      }),
      'LL_BODY_TOO_LARGE',
    );
    problem(await t.app.inject({ method: 'GET', url: '/v1/nothing-here' }), 'LL_ROUTE_NOT_FOUND');
  });

  it('auth, resources, query parameters and stream names', async () => {
    problem(
      await t.app.inject({ method: 'POST', url: '/v1/products', payload: productBody() }),
      'LL_UNAUTHENTICATED',
    );
    problem(
      await t.app.inject({ method: 'POST', url: '/v1/organizations', headers: bearer(bankKey), payload: {} }),
      'LL_FORBIDDEN',
    );
    const ent = uscc(7);
    await t.org('bank-g', 'bank');
    const bank2 = await t.org('bank-2', 'bank');
    void bank2;
    // A bank with no grant for the enterprise's credit data.
    t.app.ledger.parties.apply({
      id: '0',
      stream: 'authorization-X',
      revision: 0,
      type: 'AuthorizationGranted',
      schemaVersion: 1,
      data: {
        enterpriseUscc: ent,
        grantee: 'bank-g',
        categories: ['tax'],
        expiresAt: '2099-01-01T00:00:00.000Z',
      },
      meta: {
        actor: { org: ent, role: 'enterprise' },
        recordedAt: '2026-01-01T00:00:00.000Z',
        correlationId: 'x',
        causationId: 'x',
      },
    });
    problem(
      await t.app.inject({
        method: 'GET',
        url: `/v1/enterprises/${ent}/credit-data?category=tax`,
        headers: bearer(bankKey),
      }),
      'LL_AUTHORIZATION_REQUIRED',
    );
    const op = bearer(t.operatorKey);
    problem(
      await t.app.inject({ method: 'GET', url: '/v1/loans/none/timeline', headers: op }),
      'LL_NOT_FOUND',
    );
    problem(
      await t.app.inject({ method: 'GET', url: '/v1/streams/NotAStream/events', headers: op }),
      'LL_INVALID_STREAM_NAME',
    );
    problem(
      await t.app.inject({ method: 'GET', url: '/v1/streams/loan-x/events?max=abc', headers: op }),
      'LL_INVALID_QUERY',
    );
  });

  it('commands: domain rules, If-Match, idempotency', async () => {
    await post('/v1/products', productBody('p-1'));
    problem(await post('/v1/products', productBody('p-1')), 'LL_DOMAIN_RULE_VIOLATED');
    problem(
      await post('/v1/products/p-1/amendments', productBody(), { 'if-match': '"7"' }),
      'LL_PRECONDITION_FAILED',
    );
    problem(
      await post('/v1/products/p-1/amendments', productBody(), { 'if-match': 'yesterday' }),
      'LL_INVALID_EXPECTED_REVISION',
    );
    await post('/v1/products', productBody(), { 'idempotency-key': 'same' });
    problem(
      await post('/v1/products', { ...productBody(), rateMinBps: 301 }, { 'idempotency-key': 'same' }),
      'LL_IDEMPOTENCY_KEY_REUSED',
    );
  });

  it('a stream that keeps changing under a command exhausts the retries (409)', async () => {
    // Another writer (another process, in production) slips an event in before each of our appends.
    const store = t.store;
    const meddling: EventStore = Object.create(store);
    meddling.appendToStream = async (stream, events, options) => {
      const rev = await store.streamRevision(stream);
      const [first] = await store.readStream(stream, { from: rev ?? 0, max: 1 });
      const { id: _id, stream: _s, revision: _r, position: _p, ...rest } = first!;
      await store.appendToStream(stream, [{ ...rest, id: crypto.randomUUID() }]);
      return store.appendToStream(stream, events, options);
    };
    const app = await buildApp({
      store: meddling,
      aggregates: testAggregates(store),
      logger: false,
      defaultMetrics: false,
      docs: false,
    });
    try {
      await post('/v1/products', productBody('p-hot'));
      const res = await app.inject({
        method: 'POST',
        url: '/v1/products/p-hot/amendments',
        headers: bearer(bankKey),
        payload: productBody(),
      });
      const body = problem(res, 'LL_CONCURRENCY_RETRIES_EXHAUSTED');
      expect(body.attempts).toBe(5);
    } finally {
      await app.close();
    }
  });

  it('services failing: the log not running, the store closed, an unexpected error — no internals leak', async () => {
    problem(await t.app.inject({ method: 'GET', url: '/v1/log/checkpoint' }), 'LL_STORE_UNAVAILABLE');
    const passThrough: ErrorCode[] = [
      'LL_LOG_INTEGRITY',
      'LL_PROOF_INVALID',
      'LL_CHECKPOINT_INCONSISTENT',
      'LL_CHAIN_UNAVAILABLE',
    ];
    for (const code of passThrough) {
      const app = await buildApp({
        store: t.store,
        logger: false,
        defaultMetrics: false,
        docs: false,
        logService: {
          treeSize: () => 10,
          checkpoint: () => {
            throw new LedgerError(code, 'the service says no');
          },
          verifierKey: () => {
            throw new Error('SELECT secret FROM keys at /src/x.ts:1');
          },
          inclusionProof: () => [],
          consistencyProof: () => [],
          leafHashes: () => [],
          entries: () => [],
          anchors: () => [],
        },
      });
      try {
        problem(await app.inject({ method: 'GET', url: '/v1/log/checkpoint' }), code);
        const internal = problem(
          await app.inject({ method: 'GET', url: '/v1/log/verifier-key' }),
          'LL_INTERNAL',
        );
        expect(internal.detail).not.toContain('SELECT');
      } finally {
        await app.close();
      }
    }
  });

  it('every code in src/errors.ts is reached above or listed with a reason', () => {
    const unaccounted = Object.keys(errorCodes).filter((c) => !seen.has(c) && !(c in NOT_FROM_THE_API));
    expect(unaccounted).toEqual([]);
    // And nothing is both listed as unreachable and reached.
    expect(Object.keys(NOT_FROM_THE_API).filter((c) => seen.has(c))).toEqual([]);
  });
});
