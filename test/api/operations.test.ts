import { Validator } from '@seriousme/openapi-schema-validator';
import { Writable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootFromInclusionProof, leafHash } from '../../src/ledger/merkle.ts';
import { bearer, productBody, startTestServer, uscc, type TestServer } from './support.ts';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});

let t: TestServer & { operatorKey: string };
const ENT = uscc(42);
const ID_NUMBER = '11010519491231002X';

beforeAll(async () => {
  t = await startTestServer({ logger: { level: 'info', destination: sink } }, { log: true });
});
afterAll(async () => t.close());

describe('operations', () => {
  it('healthz, readyz and Prometheus metrics', async () => {
    expect((await t.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.store.ok).toBe(true);
    await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: bearer(await t.org('bank-m', 'bank')),
      payload: productBody(),
    });
    const metrics = await t.app.inject('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(
      /loan_ledger_http_request_duration_seconds_count\{method="POST",route="\/v1\/products",status="201"\} 1/,
    );
    expect(metrics.body).toMatch(/loan_ledger_append_duration_seconds_count\{aggregate="product"\} 1/);
    expect(metrics.body).toMatch(/loan_ledger_commands_total\{aggregate="product",outcome="appended"\} 1/);
    // One product twice: the second is refused by the domain (its id is taken), counted as refused.
    const bank = bearer(await t.org('bank-m2', 'bank'));
    const publish = () =>
      t.app.inject({ method: 'POST', url: '/v1/products', headers: bank, payload: productBody('p-metrics') });
    expect((await publish()).statusCode).toBe(201);
    expect((await publish()).statusCode).toBe(422);
    const after = (await t.app.inject('/metrics')).body;
    expect(after).toMatch(/loan_ledger_commands_total\{aggregate="product",outcome="appended"\} 2/);
    expect(after).toMatch(/loan_ledger_commands_total\{aggregate="product",outcome="refused"\} 1/);
    expect(metrics.body).toMatch(/loan_ledger_api_follower_lag_events \d+/);
  });

  it('reports the live heap after a full GC, the figure a leak shows in', async () => {
    // A full GC on demand: the flag is set at run time, then `gc` is taken from a fresh context.
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    await new Promise((r) => setTimeout(r, 50)); // the gc entry reaches observers asynchronously
    const live = Number(
      /^loan_ledger_heap_used_after_major_gc_bytes (\S+)$/m.exec((await t.app.inject('/metrics')).body)?.[1],
    );
    expect(live).toBeGreaterThan(1_000_000);
    expect(live).toBeLessThan(process.memoryUsage().heapTotal);
  });

  it('readyz is 503 when a check fails, naming it without internals', async () => {
    const { buildApp } = await import('../../src/api/app.ts');
    const app = await buildApp({
      store: t.store,
      logger: false,
      docs: false,
      defaultMetrics: false,
      readiness: {
        chain: () =>
          Promise.reject(
            Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8545'), { code: 'ECONNREFUSED' }),
          ),
      },
    });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.chain).toEqual({ ok: false, error: 'ECONNREFUSED' });
    await app.close();
  });

  it('the public log API serves proofs that verify against the log', async () => {
    const size = Number((await t.app.inject('/v1/log/checkpoint')).body.split('\n')[1]);
    expect(size).toBeGreaterThan(1);
    const root = Buffer.from((await t.app.inject('/v1/log/checkpoint')).body.split('\n')[2]!, 'base64');
    const hashes = (await t.app.inject(`/v1/log/leaf-hashes?start=0&end=${size}`)).json().hashes as string[];
    const proof = (await t.app.inject(`/v1/log/proof/inclusion?index=1&treeSize=${size}`)).json();
    const path = (proof.path as string[]).map((p) => Buffer.from(p, 'base64'));
    expect(Buffer.from(rootFromInclusionProof(1, size, Buffer.from(hashes[1]!, 'base64'), path)!)).toEqual(
      root,
    );
    const op = bearer(t.operatorKey);
    const entries = (await t.app.inject({ url: '/v1/log/entries?start=1&end=2', headers: op })).json()
      .entries;
    expect(Buffer.from(leafHash(Buffer.from(entries[0].leaf, 'base64')))).toEqual(
      Buffer.from(hashes[1]!, 'base64'),
    );
    expect((await t.app.inject('/v1/log/entries?start=0&end=1')).statusCode).toBe(401);
    for (const [url, parameter] of [
      [`/v1/log/proof/inclusion?index=${size}&treeSize=${size}`, 'index'],
      [`/v1/log/proof/inclusion?index=0&treeSize=${size + 5}`, 'treeSize'],
      ['/v1/log/proof/consistency?first=3&second=2', 'first'],
      ['/v1/log/leaf-hashes?start=0&end=1001', 'end'],
      ['/v1/log/leaf-hashes?start=-1&end=2', 'start'],
      ['/v1/log/proof/inclusion?index=1.5&treeSize=2', 'index'],
    ]) {
      const res = await t.app.inject(url!);
      expect(res.statusCode, url).toBe(400);
      expect(JSON.stringify(res.json()), url).toContain(parameter!);
    }
    expect((await t.app.inject('/v1/log/anchors')).json()).toEqual([]);
  });

  it('registering an enterprise vaults the ID number: not in events, not in the response, not in the logs', async () => {
    const entKey = await t.org(ENT, 'enterprise');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/enterprises',
      headers: { ...bearer(entKey), 'x-request-id': 'req-pii-1' },
      payload: {
        uscc: ENT,
        name: '湖南示例科技有限公司',
        regionCode: '430104',
        industry: 'C39',
        sizeClass: 'small',
        legalRepresentative: { name: '张三', idNumber: ID_NUMBER },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const events = JSON.stringify(await t.store.readStream(`enterprise-${ENT}`));
    expect(events).not.toContain(ID_NUMBER);
    expect(events).not.toContain('张三');
    const profile = await t.app.inject({ url: `/v1/enterprises/${ENT}`, headers: bearer(entKey) });
    expect(profile.json()).toMatchObject({ uscc: ENT, legalRepresentativeOnFile: true });
    expect(profile.body).not.toContain(ID_NUMBER);
    const logs = logLines.join('');
    expect(logs).toContain('req-pii-1');
    expect(logs).not.toContain(ID_NUMBER);
    expect(logs).not.toContain('张三');
    expect(logs).not.toContain(entKey);
    expect(logs).not.toContain(t.operatorKey);
    // Its one line: who, what and how it ended, nothing of the body or headers (written without the
    // redaction pass, so it must be made of the serializers' fields alone).
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.reqId === 'req-pii-1' && l.msg === 'request completed');
    expect(line).toBeDefined();
    expect(Object.keys(line!).sort()).toEqual(
      ['hostname', 'level', 'msg', 'pid', 'req', 'reqId', 'res', 'responseTime', 'time'].sort(),
    );
    expect(line!.req).toEqual({ id: 'req-pii-1', method: 'POST', url: '/v1/enterprises' });
    expect(line!.res).toEqual({ statusCode: 201 });
    // Health checks run at `warn`: their completions are not logged at all.
    await t.app.inject('/healthz');
    expect(logLines.some((l) => l.includes('"url":"/healthz"'))).toBe(false);
  });

  it("a request's own log lines carry its id, once, and other lines none", async () => {
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/enterprises',
      headers: { ...bearer(t.operatorKey), 'x-request-id': 'req-refused-1' },
      payload: { uscc: 'not a uscc' },
    });
    expect(refused.statusCode).toBe(400);
    const lines = logLines.map((l) => l.trim());
    // Written through the request's own logger (src/api/app.ts: refused requests).
    const own = lines.find((l) => l.includes('"msg":"request refused"') && l.includes('req-refused-1'));
    expect(own).toBeDefined();
    expect(JSON.parse(own!)).toMatchObject({ reqId: 'req-refused-1', code: 'LL_VALIDATION_FAILED' });
    expect(own!.match(/"reqId"/g)).toHaveLength(1);
    // A line of the root logger, outside any request, has no reqId.
    t.app.log.info('outside any request');
    const outside = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'outside any request');
    expect(outside).toBeDefined();
    expect(outside).not.toHaveProperty('reqId');
  });

  it('the OpenAPI document is valid per an independent validator and lists the routes', async () => {
    const doc = (await t.app.inject('/docs/openapi.json')).json();
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/loans/{loanId}/repayments', '/v1/log/proof/inclusion', '/v1/enterprises']),
    );
    expect((await t.app.inject('/docs')).statusCode).toBeLessThan(400);
  });
});

describe('over a real port', () => {
  it('serves with fetch, and close() finishes in-flight appends', async () => {
    const s = await startTestServer();
    try {
      const key = await s.org('bank-port', 'bank');
      await s.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = s.app.server.address() as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const ok = await fetch(`${base}/v1/products`, {
        method: 'POST',
        headers: { ...bearer(key), 'content-type': 'application/json', 'idempotency-key': 'port-1' },
        body: JSON.stringify(productBody()),
      });
      expect(ok.status).toBe(201);
      expect(ok.headers.get('etag')).toBe('"0"');
      const bad = await fetch(`${base}/v1/products`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      // Start 20 appends, then close at once: every one that was accepted is answered and durable.
      const inFlight = Array.from({ length: 20 }, (_, i) =>
        fetch(`${base}/v1/products`, {
          method: 'POST',
          headers: { ...bearer(key), 'content-type': 'application/json' },
          body: JSON.stringify(productBody(`p-close-${i}`)),
        }).then(
          (r) => r.status,
          () => 'refused',
        ),
      );
      await new Promise((r) => setTimeout(r, 5));
      await s.app.close();
      const statuses = await Promise.all(inFlight);
      const created = statuses.filter((x) => x === 201).length;
      expect(statuses.every((x) => x === 201 || x === 503 || x === 'refused')).toBe(true);
      let stored = 0;
      for (let i = 0; i < 20; i++)
        stored += (await s.store.streamRevision(`product-p-close-${i}`)) === 0 ? 1 : 0;
      expect(stored).toBe(created);
    } finally {
      await s.store.close();
    }
  });
});
