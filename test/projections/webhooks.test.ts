import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, type ReadModelDb } from '../../projections/index.ts';
import { createWebhookDispatcher, verifyWebhookSignature } from '../../projections/webhooks.ts';
import type { SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { scenarioStore } from './scenarioStore.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

let dir: string;
let store: SqliteEventStore;
let db: ReadModelDb;
let server: Server;
let url: string;
const received: Received[] = [];
let failuresLeft = 1;

beforeAll(async () => {
  ({ dir, store, db } = await scenarioStore('proj-hooks-'));
  // A real HTTP receiver on 127.0.0.1 that fails the first request (the dispatcher must retry).
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failuresLeft-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('risk-warning webhooks', () => {
  it('pushes signed notices, retries with backoff after a failure, records every delivery, never re-sends', async () => {
    let now = Date.parse('2026-03-20T00:00:00.000Z');
    const secret = 'bankA-webhook-secret';
    const dispatcher = createWebhookDispatcher({
      db,
      endpointOf: (org) => (org === 'bankA' ? { url, secret } : undefined),
      baseDelayMs: 60_000,
      now: () => now,
    });

    const first = await dispatcher.deliverDue();
    expect(first.attempted).toBe(4); // 3 notices for bankA, 1 for G1 (no endpoint)
    // bankA's three notices were sent once each; the first got a 503.
    expect(received).toHaveLength(3);
    const rows = () => Object.fromEntries(dispatcher.deliveries().map((d) => [d.deliveryId, d]));
    const failed = Object.values(rows()).find((d) => d.status === 'retrying')!;
    expect(failed).toMatchObject({ org: 'bankA', attempts: 1, lastStatus: 503, nextAttemptAt: now + 60_000 });
    expect(rows()['W1:raised:G1']).toMatchObject({ status: 'no_endpoint', attempts: 0 });

    // Every request is signed over timestamp and body, and names its delivery id.
    for (const r of received) {
      const sig = r.headers['x-loan-ledger-signature'] as string;
      expect(verifyWebhookSignature(secret, sig, r.body, now)).toBe(true);
      expect(verifyWebhookSignature('wrong-secret', sig, r.body, now)).toBe(false);
      expect(verifyWebhookSignature(secret, sig, `${r.body} `, now)).toBe(false); // body changed
      expect(verifyWebhookSignature(secret, sig, r.body, now + 3_600_000)).toBe(false); // stale: replay refused
      expect(JSON.parse(r.body).deliveryId).toBe(r.headers['x-loan-ledger-delivery']);
    }

    // Not yet due: nothing is sent.
    expect((await dispatcher.deliverDue()).attempted).toBe(0);
    now += 60_000;
    expect(await dispatcher.deliverDue()).toEqual({ attempted: 1, delivered: 1 });
    expect(received).toHaveLength(4);
    expect(received[3]!.headers['x-loan-ledger-delivery']).toBe(failed.deliveryId);
    expect(rows()[failed.deliveryId]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });

    // Rebuilding the risk view recreates the notices but not the deliveries: nothing is sent twice.
    await createProjectionRunner({ store, db, views: allViews }).rebuild('risk');
    now += 3_600_000;
    expect((await dispatcher.deliverDue()).delivered).toBe(0);
    expect(received).toHaveLength(4);
    const payload = JSON.parse(
      received.find((r) => r.headers['x-loan-ledger-delivery'] === 'W1:raised:bankA')!.body,
    );
    expect(payload).toMatchObject({
      type: 'risk.warning.raised',
      warning: { warningId: 'W1', loanId: 'L2', level: 'orange', rule: 'risk.overdue.30_days' },
    });
  });

  it('gives up after the last attempt and says so', async () => {
    let now = 0;
    const dead = createWebhookDispatcher({
      db,
      endpointOf: (org) =>
        org === 'G1' ? { url: 'http://127.0.0.1:1/unreachable', secret: 's' } : undefined,
      maxAttempts: 2,
      baseDelayMs: 10,
      now: () => now,
    });
    now = Date.parse('2026-04-01T00:00:00.000Z') + 10 * 60_000 + 1; // past G1's no_endpoint wait
    await dead.deliverDue();
    now += 10;
    await dead.deliverDue();
    expect(dead.deliveries('G1')).toEqual([
      expect.objectContaining({
        deliveryId: 'W1:raised:G1',
        status: 'failed',
        attempts: 2,
        lastStatus: null,
      }),
    ]);
  });
});
