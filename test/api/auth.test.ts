import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/api/auth/keys.ts';
import { issueApiKey, registerOrganization, revokeApiKey } from '../../src/api/auth/admin.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { bearer, productBody, startTestServer, type TestServer } from './support.ts';

let t: TestServer & { operatorKey: string };

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => t.close());

const publish = (headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/v1/products', headers, payload: productBody() });

describe('API keys', () => {
  it('no key, a malformed key and an unknown key are 401 problem+json with WWW-Authenticate', async () => {
    for (const headers of [
      {},
      { authorization: 'Bearer nope' },
      bearer(`ll_${'A'.repeat(43)}`),
      { authorization: 'Basic abc' },
    ]) {
      const res = await publish(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('LL_UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toContain('Bearer');
    }
  });

  it('the operator onboards an organization over HTTP; its key is shown once and only its hash is stored', async () => {
    const reg = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(t.operatorKey),
      payload: { orgId: 'bank-hn', name: '华融湘江银行', role: 'bank' },
    });
    expect(reg.statusCode).toBe(201);
    const issued = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations/bank-hn/keys',
      headers: bearer(t.operatorKey),
    });
    expect(issued.statusCode).toBe(201);
    const { apiKey, keyId } = issued.json();
    expect(apiKey).toMatch(/^ll_[A-Za-z0-9_-]{43}$/);
    expect(issued.headers['cache-control']).toBe('no-store');
    const events = await t.store.readStream('organization-bank-hn');
    const text = JSON.stringify(events);
    expect(text).not.toContain(apiKey);
    expect(text).toContain(hashApiKey(apiKey));
    // The new key works at once, by either header.
    expect((await publish(bearer(apiKey))).statusCode).toBe(201);
    expect((await publish({ 'x-api-key': apiKey })).statusCode).toBe(201);
    const org = await t.app.inject({
      method: 'GET',
      url: '/v1/organizations/bank-hn',
      headers: bearer(apiKey),
    });
    expect(org.json()).toMatchObject({ orgId: 'bank-hn', role: 'bank', liveKeyIds: [keyId] });
  });

  it('a bank may not onboard organizations, nor read or manage another organization', async () => {
    const bankKey = await t.org('bank-a', 'bank');
    await t.org('bank-b', 'bank');
    const reg = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(bankKey),
      payload: { orgId: 'evil', name: 'x', role: 'operator' },
    });
    expect(reg.statusCode).toBe(403);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/organizations/bank-b', headers: bearer(bankKey) }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/organizations/bank-b/keys', headers: bearer(bankKey) }))
        .statusCode,
    ).toBe(403);
  });

  it('rotation issues a new key and revokes the old one atomically', async () => {
    await registerOrganization(t.store, { orgId: 'guar-1', name: '湖南担保', role: 'guarantor' });
    const first = await issueApiKey(t.store, 'guar-1');
    await t.app.ledger.follower.catchUp();
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/guar-1/keys/${first.keyId}/rotation`,
      headers: bearer(first.apiKey),
    });
    expect(rotated.statusCode).toBe(201);
    expect(rotated.json().events.map((e: { type: string }) => e.type)).toEqual([
      'ApiKeyIssued',
      'ApiKeyRevoked',
    ]);
    const next = rotated.json().apiKey as string;
    const me = (key: string) =>
      t.app.inject({ method: 'GET', url: '/v1/organizations/guar-1', headers: bearer(key) });
    expect((await me(first.apiKey)).statusCode).toBe(401);
    expect((await me(next)).statusCode).toBe(200);
  });

  it('a key revoked (even by another process writing to the store) stops working; one issued elsewhere starts working', async () => {
    // A second connection to the same file stands for the CLI: the app's store gets no notification.
    const cli = openSqliteEventStore({ file: t.store.file });
    await registerOrganization(cli, { orgId: 'notary-1', name: '长沙公证处', role: 'notary' });
    const k = await issueApiKey(cli, 'notary-1');
    const me = () =>
      t.app.inject({ method: 'GET', url: '/v1/organizations/notary-1', headers: bearer(k.apiKey) });
    await new Promise((r) => setTimeout(r, 1100)); // the unknown-key catch-up is rate limited to once a second
    expect((await me()).statusCode).toBe(200); // caught up on the unknown key
    await revokeApiKey(cli, 'notary-1', k.keyId, 'left the platform');
    await cli.close();
    await t.app.ledger.follower.catchUp(); // revocations are learned by following (no per-request store read)
    expect((await me()).statusCode).toBe(401);
    const viaHttp = await t.app.inject({
      method: 'POST',
      url: `/v1/organizations/notary-1/keys/${k.keyId}/revocations`,
      headers: bearer(t.operatorKey),
      payload: { reason: 'again' },
    });
    expect(viaHttp.statusCode).toBe(422);
    expect(viaHttp.json().rule).toBe('organization.key.not_live');
  });

  it('an enterprise organization must be registered under its USCC', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/organizations',
      headers: bearer(t.operatorKey),
      payload: { orgId: 'acme', name: 'Acme', role: 'enterprise' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().rule).toBe('organization.register.enterprise_id_is_uscc');
  });
});
