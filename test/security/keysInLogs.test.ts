import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/api/auth/keys.ts';
import { bearer, productBody, startTestServer, type TestServer } from '../api/support.ts';

/**
 * API keys never reach a log line, at the most verbose level, whatever the request's fate: accepted,
 * unknown key, forbidden, malformed body, key issued over HTTP (the one response that carries a key).
 */
const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});
let t: TestServer & { operatorKey: string };
let bankKey: string;

beforeAll(async () => {
  t = await startTestServer({ logger: { level: 'trace', destination: sink } });
  bankKey = await t.org('bank-logs', 'bank');
});
afterAll(async () => t.close());

describe('API keys in the server log', () => {
  it('are absent from every line, by either header, on success and on every kind of refusal', async () => {
    const unknown = generateApiKey();
    const statuses: number[] = [];
    const send = async (
      headers: Record<string, string>,
      url = '/v1/products',
      payload: unknown = productBody(),
    ) =>
      statuses.push(
        (await t.app.inject({ method: 'POST', url, headers, payload: payload as string })).statusCode,
      );
    await send(bearer(bankKey));
    await send({ 'x-api-key': bankKey });
    await send(bearer(unknown));
    await send({ 'x-api-key': unknown });
    await send(bearer(bankKey), '/v1/organizations', { orgId: 'x', name: 'x', role: 'bank' }); // forbidden
    await send({ ...bearer(bankKey), 'content-type': 'application/json' }, '/v1/products', '{"name":');
    const issued = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations/bank-logs/keys',
      headers: bearer(t.operatorKey),
    });
    expect(issued.statusCode).toBe(201);
    const newKey = issued.json<{ apiKey: string }>().apiKey;
    expect(statuses).toEqual([201, 201, 401, 401, 403, 400]);

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(10); // the log did record these requests
    for (const key of [bankKey, unknown, t.operatorKey, newKey]) {
      expect(log).not.toContain(key);
      expect(log).not.toContain(key.slice(3));
    }
  });
});
