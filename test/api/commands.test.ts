import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregates } from '../../src/domain/index.ts';
import { commandRoutes } from '../../src/api/commands/commandRoutes.ts';
import { registryFromDomain } from '../../src/api/commands/fromDomain.ts';
import { unmountedRoutes } from '../../src/api/commands/mountCommandRoutes.ts';
import { bearer, productBody, startTestServer, type TestServer } from './support.ts';

let t: TestServer & { operatorKey: string };
let bankKey: string;
let otherBankKey: string;

beforeAll(async () => {
  t = await startTestServer();
  bankKey = await t.org('bank-cs', 'bank', '长沙银行');
  otherBankKey = await t.org('bank-other', 'bank');
});
afterAll(async () => t.close());

const publish = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: { ...bearer(key), ...headers },
    payload: body as object,
  });

describe('commands over HTTP', () => {
  it('mounts every row of the route table: each names a command of the domain registry', () => {
    const registry = registryFromDomain(aggregates);
    expect(unmountedRoutes(commandRoutes, { registry }).map((r) => `${r.aggregate}.${r.command}`)).toEqual(
      [],
    );
    expect(commandRoutes.length).toBeGreaterThan(40);
  });

  it('appends the decided events and answers 201 with ids, revision, positions and an ETag', async () => {
    const res = await publish(bankKey, productBody('p-1'));
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.stream).toBe('product-p-1');
    expect(body.streamRevision).toBe(0);
    expect(body.events).toHaveLength(1);
    expect(body.events[0].type).toBe('ProductPublished');
    expect(res.headers.etag).toBe('"0"');
    const stored = await t.store.readStream('product-p-1');
    expect(stored.map((e) => e.id)).toEqual([body.events[0].id]);
    expect(stored[0]!.position).toBe(body.events[0].position);
    expect(stored[0]!.meta.actor).toEqual({ org: 'bank-cs', role: 'bank' });
  });

  it('generates the id of a created resource when the body has none', async () => {
    const res = await publish(bankKey, productBody());
    expect(res.statusCode).toBe(201);
    expect(res.json().stream).toMatch(/^product-[0-9a-f-]{36}$/);
  });

  it('refuses a domain rule with 422 naming the rule', async () => {
    const res = await publish(bankKey, productBody('p-1'));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      code: 'LL_DOMAIN_RULE_VIOLATED',
      rule: 'product.publish.already_published',
    });
  });

  it('If-Match: the current revision succeeds, a stale one is 412 and writes nothing', async () => {
    await publish(bankKey, productBody('p-2'));
    const amend = (ifMatch: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/products/p-2/amendments',
        headers: { ...bearer(bankKey), 'if-match': ifMatch },
        payload: { ...productBody(), rateMaxBps: 550 },
      });
    const ok = await amend('"0"');
    expect(ok.statusCode).toBe(201);
    expect(ok.headers.etag).toBe('"1"');
    const stale = await amend('"0"');
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'LL_PRECONDITION_FAILED', expected: 0, actual: 1 });
    expect(await t.store.streamRevision('product-p-2')).toBe(1);
    const bad = await amend('soon');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('LL_INVALID_EXPECTED_REVISION');
  });

  it('the product owner only: another bank is 403 before its body is even validated', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/products/p-1/withdrawal',
      headers: bearer(otherBankKey),
      payload: {},
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('LL_FORBIDDEN');
  });

  it('concurrent commands on one stream without If-Match are all applied (retried on fresh state)', async () => {
    await publish(bankKey, productBody('p-3'));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/products/p-3/amendments',
          headers: bearer(bankKey),
          payload: { ...productBody(), rateMaxBps: 500 + i },
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(await t.store.streamRevision('product-p-3')).toBe(8);
    expect(new Set(results.map((r) => r.json().streamRevision)).size).toBe(8);
  });
});
