import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, type ErrorCode } from '../../src/errors.ts';
import { bearer, productBody, startTestServer, type TestServer } from '../api/support.ts';

/**
 * Hostile request bodies at a real command route (POST /v1/products, a bank's command) over the real
 * SQLite store with the default 1 MiB body limit: each is refused with the expected problem+json, the
 * store's head position does not move, and the server still answers /healthz afterwards.
 * (test/api/problems.test.ts checks the codes for the top-level __proto__ / constructor keys and a body
 * over a 64 KiB limit; here the point is "nothing written, still alive", and the nested and binary cases.)
 */
let t: TestServer & { operatorKey: string };
let bankKey: string;

beforeAll(async () => {
  t = await startTestServer();
  bankKey = await t.org('bank-sec', 'bank');
});
afterAll(async () => t.close());

const JSON_TYPE = { 'content-type': 'application/json' };

/** Sends a raw body and asserts: the status and code, problem+json, no event appended, /healthz answers. */
async function refused(payload: string | Buffer, code: ErrorCode) {
  const before = await t.store.headPosition();
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/products',
    headers: { ...bearer(bankKey), ...JSON_TYPE },
    payload,
  });
  expect(res.statusCode).toBe(errorCodes[code].status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json()).toMatchObject({ code });
  expect(await t.store.headPosition()).toBe(before);
  const health = await t.app.inject({ method: 'GET', url: '/healthz' });
  expect(health.statusCode).toBe(200);
  return res.json() as { code: string; detail: string };
}

/** A valid product body with `field` replaced by the raw JSON text `raw`. */
const withRaw = (field: string, raw: string): string => {
  const marker = '"@@RAW@@"';
  return JSON.stringify({ ...productBody(), [field]: '@@RAW@@' }).replace(marker, raw);
};

describe('hostile request bodies', () => {
  it('the control: a valid body is accepted and appends (so "nothing written" below can fail)', async () => {
    const before = await t.store.headPosition();
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: bearer(bankKey),
      payload: productBody(),
    });
    expect(res.statusCode).toBe(201);
    expect(await t.store.headPosition()).toBeGreaterThan(before);
  });

  it('prototype-pollution keys, also nested and beside valid fields, are 400 and write nothing', async () => {
    await refused(withRaw('eligibility', '{"__proto__":{"whiteListOnly":true}}'), 'LL_MALFORMED_BODY');
    await refused(
      JSON.stringify(productBody()).replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
      'LL_MALFORMED_BODY',
    );
    await refused(
      withRaw('eligibility', '{"constructor":{"prototype":{"polluted":1}}}'),
      'LL_MALFORMED_BODY',
    );
    await refused(withRaw('targetRegions', '[{"__proto__":{}}]'), 'LL_MALFORMED_BODY');
    // and nothing was polluted in this process
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // `constructor` alone (no prototype under it) is not poison; the strict schema refuses it as unknown
    await refused(withRaw('eligibility', '{"constructor":{"x":1}}'), 'LL_VALIDATION_FAILED');
  });

  it('deep nesting (10,000 and 300,000 levels of arrays) is a 4xx, not a crash', async () => {
    for (const depth of [10_000, 300_000]) {
      const nested = '['.repeat(depth) + ']'.repeat(depth);
      await refused(withRaw('targetRegions', nested), 'LL_VALIDATION_FAILED');
      await refused(nested, 'LL_VALIDATION_FAILED');
    }
    const objects = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    await refused(withRaw('eligibility', objects), 'LL_VALIDATION_FAILED');
  });

  it('huge and imprecise numbers as amounts are 400', async () => {
    // 1e400 parses to Infinity, 2^53+1 silently to 2^53: both must be refused, never rounded into a ledger
    for (const raw of ['1e400', '-1e400', '9007199254740993', '9007199254740992', '1e21', '100000.5']) {
      const body = await refused(withRaw('amountMaxFen', raw), 'LL_VALIDATION_FAILED');
      expect(body.detail).toContain('amountMaxFen');
    }
  });

  it('invalid UTF-8 bytes in a JSON body: 400 LL_MALFORMED_BODY, nothing written', async () => {
    const valid = Buffer.from(JSON.stringify({ ...productBody(), name: 'AB' }), 'utf8');
    const at = valid.indexOf('"AB"') + 2;
    for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80]]) {
      await refused(
        Buffer.concat([valid.subarray(0, at), Buffer.from(bad), valid.subarray(at)]),
        'LL_MALFORMED_BODY',
      );
    }
  });

  it('a 10 MB payload is 413, whether it declares its length or not', async () => {
    const big = withRaw('name', JSON.stringify('x'.repeat(10 * 1024 * 1024)));
    await refused(big, 'LL_BODY_TOO_LARGE');
    // over a real socket, chunked (no Content-Length): the limit counts bytes as they arrive
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const before = await t.store.headPosition();
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(Buffer.from('{"name":"'));
        for (let i = 0; i < 10; i++) c.enqueue(chunk);
        c.enqueue(Buffer.from('"}'));
        c.close();
      },
    });
    const res = await fetch(`${url}/v1/products`, {
      method: 'POST',
      headers: { ...bearer(bankKey), ...JSON_TYPE },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe('LL_BODY_TOO_LARGE');
    expect(await t.store.headPosition()).toBe(before);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
