import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import { webhookEndpointRegistry, type WebhookEndpointRegistry } from '../../projections/webhookEndpoints.ts';
import { createWebhookDispatcher, verifyWebhookSignature } from '../../projections/webhooks.ts';
import { webhookRoutes } from '../../src/api/routes/webhooks.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { bearer, startTestServer, type TestServer } from '../api/support.ts';
import { appendAll } from './fixtures.ts';
import { scenario } from './scenario.ts';

/**
 * An institution registers its webhook over the API, gets the secret once, and the dispatcher then
 * pushes the risk notices to a real HTTP receiver signed with that secret; list and remove; the
 * registration survives a restart (it is in the database file).
 */
let dir: string;
let registryDb: Database.Database;
let registry: WebhookEndpointRegistry;
let t: TestServer & { operatorKey: string };
let bankA: string;
let bankB: string;
let events: SqliteEventStore;
let server: Server;
let receiverUrl: string;
const received: { headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proj-webhook-reg-'));
  registryDb = new Database(join(dir, 'read-models.db'));
  registry = webhookEndpointRegistry(sqliteReadModelDb(registryDb));
  t = await startTestServer({ configure: (app) => webhookRoutes(app, { registry }) });
  bankA = await t.org('bankA', 'bank');
  bankB = await t.org('bankB', 'bank');

  // The risk notices: the scenario's warnings concern bankA (and G1, which registers nothing).
  events = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await appendAll(events, scenario());
  await createProjectionRunner({
    store: events,
    db: sqliteReadModelDb(events.db),
    views: allViews,
  }).catchUp();

  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/risk-hooks`;
}, 120_000);
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await t.close();
  await events.close();
  registryDb.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: 'GET' | 'POST' | 'DELETE', url: string, key: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

describe('webhook endpoint registration', () => {
  it('registers over the API, shows the secret once, and deliveries are signed with it', async () => {
    const reg = await call('POST', '/v1/organizations/bankA/webhooks', bankA, { url: receiverUrl });
    expect(reg.statusCode).toBe(201);
    expect(reg.headers['cache-control']).toBe('no-store');
    const { endpointId, secret, url } = reg.json() as { endpointId: string; secret: string; url: string };
    expect(url).toBe(receiverUrl);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    // Listed without the secret.
    const list = await call('GET', '/v1/organizations/bankA/webhooks', bankA);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      endpoints: [{ endpointId, url: receiverUrl, createdAt: expect.any(String) }],
    });
    expect(list.body).not.toContain(secret);

    // The dispatcher finds the endpoint through the registry and signs with the registered secret.
    const dispatcher = createWebhookDispatcher({
      db: sqliteReadModelDb(events.db),
      endpointOf: registry.endpointOf,
    });
    const round = await dispatcher.deliverDue();
    expect(round).toEqual({ attempted: 4, delivered: 3 }); // 3 notices for bankA; G1 registered nothing
    expect(received).toHaveLength(3);
    for (const r of received) {
      const header = String(r.headers['x-loan-ledger-signature']);
      expect(verifyWebhookSignature(secret, header, r.body)).toBe(true);
      expect(verifyWebhookSignature(`${secret}x`, header, r.body)).toBe(false);
      expect(JSON.parse(r.body)).toMatchObject({ type: expect.stringMatching(/^risk\.warning\./) });
    }
    expect(dispatcher.deliveries('G1')[0]).toMatchObject({ status: 'no_endpoint' });
  });

  it('only the organization itself (or the operator) registers, lists or removes its endpoint', async () => {
    expect(
      (await call('POST', '/v1/organizations/bankA/webhooks', bankB, { url: receiverUrl })).statusCode,
    ).toBe(403);
    expect((await call('GET', '/v1/organizations/bankA/webhooks', bankB)).statusCode).toBe(403);
    const [mine] = registry.list('bankA');
    expect(
      (await call('DELETE', `/v1/organizations/bankA/webhooks/${mine!.endpointId}`, bankB)).statusCode,
    ).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/organizations/bankA/webhooks' })).statusCode).toBe(
      401,
    );
    expect((await call('GET', '/v1/organizations/bankA/webhooks', t.operatorKey)).statusCode).toBe(200);
    expect(registry.list('bankA')).toHaveLength(1);
  });

  it('refuses URLs that are not http(s) or carry credentials', async () => {
    for (const url of ['ftp://127.0.0.1/x', 'https://user:pw@bank.example/hooks', 'not a url'])
      expect((await call('POST', '/v1/organizations/bankB/webhooks', bankB, { url })).statusCode).toBe(400);
    expect(registry.list('bankB')).toEqual([]);
  });

  it('registering again replaces the endpoint and its secret; removing deletes it', async () => {
    const before = registry.endpointOf('bankA')!;
    const again = await call('POST', '/v1/organizations/bankA/webhooks', bankA, { url: `${receiverUrl}/v2` });
    const { endpointId, secret } = again.json() as { endpointId: string; secret: string };
    expect(secret).not.toBe(before.secret);
    expect(registry.endpointOf('bankA')).toEqual({ url: `${receiverUrl}/v2`, secret });
    expect(registry.list('bankA').map((e) => e.endpointId)).toEqual([endpointId]);

    const removed = await call('DELETE', `/v1/organizations/bankA/webhooks/${endpointId}`, bankA);
    expect(removed.statusCode).toBe(204);
    expect(registry.endpointOf('bankA')).toBeUndefined();
    expect((await call('GET', '/v1/organizations/bankA/webhooks', bankA)).json()).toEqual({ endpoints: [] });
    expect((await call('DELETE', `/v1/organizations/bankA/webhooks/${endpointId}`, bankA)).statusCode).toBe(
      404,
    );
  });

  it('is durable: a registration is still there after the database is reopened', async () => {
    const r = (
      await call('POST', '/v1/organizations/bankB/webhooks', bankB, { url: receiverUrl })
    ).json() as {
      secret: string;
    };
    const reopened = new Database(join(dir, 'read-models.db'));
    try {
      expect(webhookEndpointRegistry(sqliteReadModelDb(reopened)).endpointOf('bankB')).toEqual({
        url: receiverUrl,
        secret: r.secret,
      });
    } finally {
      reopened.close();
    }
  });

  it('a retried registration with its Idempotency-Key gets the same endpoint and secret back, not a new one', async () => {
    const post = (key: string, url: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/organizations/bankB/webhooks',
        headers: { ...bearer(bankB), 'idempotency-key': key },
        payload: { url },
      });
    const first = await post('reg-1', `${receiverUrl}/retry`);
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('reg-1', `${receiverUrl}/retry`);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(registry.endpointOf('bankB')).toEqual({
      url: `${receiverUrl}/retry`,
      secret: first.json().secret,
    });
    // The same key for another URL is refused, and changes nothing.
    const other = await post('reg-1', `${receiverUrl}/elsewhere`);
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('LL_IDEMPOTENCY_KEY_REUSED');
    expect(registry.endpointOf('bankB')?.url).toBe(`${receiverUrl}/retry`);
    // A new key is a new registration, with a new secret; the old key then registers anew too.
    const second = await post('reg-2', `${receiverUrl}/retry`);
    expect(second.json().secret).not.toBe(first.json().secret);
    const old = await post('reg-1', `${receiverUrl}/retry`);
    expect(old.headers['idempotent-replayed']).toBeUndefined();
    expect(old.json().secret).not.toBe(second.json().secret);
  });

  it('adds the Idempotency-Key column to a table made before it existed', () => {
    const legacy = new Database(join(dir, 'legacy.db'));
    try {
      legacy.exec(`CREATE TABLE webhook_endpoints (
        org TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, secret TEXT NOT NULL,
        created_at TEXT NOT NULL) STRICT`);
      legacy
        .prepare('INSERT INTO webhook_endpoints VALUES (?, ?, ?, ?, ?)')
        .run('bankA', 'whk_1', receiverUrl, 'whsec_x', '2026-01-01T00:00:00.000Z');
      const reg = webhookEndpointRegistry(sqliteReadModelDb(legacy));
      expect(reg.endpointOf('bankA')).toEqual({ url: receiverUrl, secret: 'whsec_x' });
      const r = reg.register('bankA', receiverUrl, { idempotencyKey: 'k' });
      expect(reg.register('bankA', receiverUrl, { idempotencyKey: 'k' })).toEqual({ ...r, replayed: true });
    } finally {
      legacy.close();
    }
  });
});
