import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadModelDb } from '../../projections/index.ts';
import { webhookEndpointRegistry } from '../../projections/webhookEndpoints.ts';
import {
  createWebhookDispatcher,
  verifyWebhookSignature,
  type WebhookDispatcher,
} from '../../projections/webhooks.ts';
import type { SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { projectionApi } from './apiHarness.ts';
import { E } from './scenario.ts';
import { scenarioStore } from './scenarioStore.ts';

/**
 * Who reads `GET /v1/risk/deliveries`: the route's rule (src/api/routes/projections.ts, "Webhook
 * deliveries of risk notices to the caller") is that every caller allowed `viewAccess.risk` sees the
 * deliveries addressed to its own organization, and only the operator (who runs the dispatcher) sees
 * every organization's; other roles are refused. Checked over the real routes and authentication, with
 * a real dispatcher pushing the scenario's notices to a real HTTP receiver on 127.0.0.1.
 *
 * The scenario's notices, by hand (`<warningId>:<raised|cleared>:<org>`, one per institution concerned):
 * W1 (loan L2, lender bankA, guarantor G1) raised → bankA and G1; W2 (loan L4, lender bankA, no
 * guarantee; the bankA authorization for e4 had expired) raised and cleared → bankA only.
 */
const BANK_A = ['W1:raised:bankA', 'W2:cleared:bankA', 'W2:raised:bankA'];
const G1 = ['W1:raised:G1'];

const ORGS = {
  'regulator-1': { role: 'regulator' as const },
  platform: { role: 'operator' as const },
  bankA: { role: 'bank' as const },
  bankB: { role: 'bank' as const },
  G1: { role: 'guarantor' as const },
  'national-fund': { role: 'reguarantor' as const },
  'hn-finance': { role: 'government_fund' as const },
  'arb-cs': { role: 'arbitrator' as const },
  'other-court': { role: 'court' as const },
  'notary-1': { role: 'notary' as const },
  ent2: { role: 'enterprise' as const, uscc: E.e2 },
};

let dir: string;
let store: SqliteEventStore;
let db: ReadModelDb;
let app: FastifyInstance;
let keyOf: (org: string) => string;
let dispatcher: WebhookDispatcher;
let server: Server;
let now = Date.parse('2026-03-20T00:00:00.000Z');
const secrets: Record<string, string> = {};
/** What the receiver got, by the path it was posted to (one path per institution). */
const received: { path: string; delivery: string; signature: string; body: string }[] = [];
let g1FailuresLeft = 1;

beforeAll(async () => {
  ({ dir, store, db } = await scenarioStore('proj-deliveries-'));

  // The receiver answers 204, except G1's first request (503): its record is then `retrying`, and the
  // per-organization filter must not depend on the delivery's status.
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({
        path: req.url ?? '',
        delivery: String(req.headers['x-loan-ledger-delivery']),
        signature: String(req.headers['x-loan-ledger-signature']),
        body,
      });
      if (req.url === '/hooks/G1' && g1FailuresLeft-- > 0) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

  // Both institutions with notices register an endpoint; so does bankB, which is owed none.
  const registry = webhookEndpointRegistry(db);
  for (const org of ['bankA', 'G1', 'bankB']) secrets[org] = registry.register(org, `${base}/${org}`).secret;
  dispatcher = createWebhookDispatcher({
    db,
    endpointOf: registry.endpointOf,
    baseDelayMs: 60_000,
    now: () => now,
  });

  ({ app, keyOf } = await projectionApi(
    {
      db,
      readStream: (s) => store.readStream(s),
      webhooks: dispatcher,
      clock: () => new Date(now),
    },
    ORGS,
  ));
});
afterAll(async () => {
  await app?.close();
  await dispatcher?.stop();
  await new Promise((r) => server.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, org?: string) =>
  app.inject({ method: 'GET', url, headers: org ? { authorization: `Bearer ${keyOf(org)}` } : {} });

interface Delivery {
  deliveryId: string;
  org: string;
  status: string;
  attempts: number;
}
const deliveriesOf = async (org: string): Promise<Delivery[]> => {
  const r = await get('/v1/risk/deliveries', org);
  expect(r.statusCode).toBe(200);
  return (r.json() as { deliveries: Delivery[] }).deliveries;
};
const ids = (ds: Delivery[]) => ds.map((d) => d.deliveryId);

describe('GET /v1/risk/deliveries: each organization sees the deliveries addressed to it', () => {
  it('the dispatcher delivers the scenario notices to each institution’s own endpoint', async () => {
    expect(await dispatcher.deliverDue()).toEqual({ attempted: 4, delivered: 3 });
    // Each notice went to its own organization's path, signed with that organization's secret.
    expect(received.map((r) => `${r.path} ${r.delivery}`).sort()).toEqual(
      [...BANK_A.map((id) => `/hooks/bankA ${id}`), ...G1.map((id) => `/hooks/G1 ${id}`)].sort(),
    );
    for (const r of received) {
      const org = r.path.slice('/hooks/'.length);
      expect(verifyWebhookSignature(secrets[org]!, r.signature, r.body, now)).toBe(true);
      expect(JSON.parse(r.body)).toMatchObject({ deliveryId: r.delivery });
    }
  });

  it('a bank and a guarantor each list exactly their own deliveries, whatever their status', async () => {
    const a = await deliveriesOf('bankA');
    expect(ids(a)).toEqual(BANK_A);
    expect(a.every((d) => d.org === 'bankA' && d.status === 'delivered' && d.attempts === 1)).toBe(true);

    const g = await deliveriesOf('G1');
    expect(g).toEqual([
      expect.objectContaining({ deliveryId: 'W1:raised:G1', org: 'G1', status: 'retrying', attempts: 1 }),
    ]);
    expect(JSON.stringify(a)).not.toContain('G1');
    expect(JSON.stringify(g)).not.toContain('bankA');
  });

  it('another bank, a fund and a regulator see none of them (none were addressed to them)', async () => {
    expect(await deliveriesOf('bankB')).toEqual([]); // registered an endpoint, but is owed no notice
    expect(await deliveriesOf('national-fund')).toEqual([]);
    expect(await deliveriesOf('hn-finance')).toEqual([]);
    // Unlike /v1/risk/warnings (regulators and the operator see all), only the operator reads every
    // organization's delivery records; a regulator reads those to itself, of which there are none.
    expect(await deliveriesOf('regulator-1')).toEqual([]);
  });

  it('the operator sees every organization’s deliveries', async () => {
    const all = await deliveriesOf('platform');
    expect(all.map((d) => `${d.org} ${d.deliveryId}`)).toEqual(
      [...BANK_A, ...G1].sort().map((id) => `${id.split(':')[2]} ${id}`),
    );
  });

  it('after the retry, the guarantor sees its delivery delivered; still only its own', async () => {
    now += 60_000;
    expect(await dispatcher.deliverDue()).toEqual({ attempted: 1, delivered: 1 });
    expect(await deliveriesOf('G1')).toEqual([
      expect.objectContaining({ deliveryId: 'W1:raised:G1', org: 'G1', status: 'delivered', attempts: 2 }),
    ]);
    expect(ids(await deliveriesOf('bankA'))).toEqual(BANK_A);
    expect(await deliveriesOf('bankB')).toEqual([]);
  });

  it('roles without risk access get 403; no key gets 401', async () => {
    for (const org of ['ent2', 'arb-cs', 'other-court', 'notary-1']) {
      const r = await get('/v1/risk/deliveries', org);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'LL_FORBIDDEN' });
      expect(r.body).not.toContain('W1:raised');
    }
    expect((await get('/v1/risk/deliveries')).statusCode).toBe(401);
  });
});

describe('GET /v1/guarantees/programmes', () => {
  it('roles outside viewAccess.guarantees get 403', async () => {
    for (const org of ['ent2', 'arb-cs', 'other-court', 'notary-1']) {
      const r = await get('/v1/guarantees/programmes', org);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'LL_FORBIDDEN' });
    }
    expect((await get('/v1/guarantees/programmes')).statusCode).toBe(401);
  });

  it('answers programme-level figures only: no loan, guarantee or enterprise detail', async () => {
    const r = await get('/v1/guarantees/programmes', 'G1');
    expect(r.statusCode).toBe(200);
    const { programmes } = r.json() as { programmes: Record<string, unknown>[] };
    expect(programmes.map((p) => p['programmeId'])).toEqual(['hn-4321']);
    expect(Object.keys(programmes[0]!).sort()).toEqual(
      [
        'breach',
        'compensationTotal',
        'guaranteedTotal',
        'lossRateBps',
        'lossRateCapBps',
        'parties',
        'programmeId',
        'warning',
      ].sort(),
    );
    for (const detail of ['L2', 'L6', 'G-L2', 'G-L6', E.e2, E.e3, 'loanId', 'uscc'])
      expect(r.body).not.toContain(detail);
  });

  it('each institution sees only the programmes it takes part in; regulators and the operator all', async () => {
    const ids = async (org: string) =>
      (
        (await get('/v1/guarantees/programmes', org)).json() as { programmes: { programmeId: string }[] }
      ).programmes.map((p) => p.programmeId);
    // hn-4321: G1 guarantees bankA's loans; national-fund and hn-finance are named sharers.
    for (const org of ['G1', 'bankA', 'national-fund', 'hn-finance'])
      expect(await ids(org), org).toEqual(['hn-4321']);
    expect(await ids('bankB')).toEqual([]); // lends nothing guaranteed, shares in nothing
    for (const org of ['regulator-1', 'platform']) expect(await ids(org), org).toEqual(['hn-4321']);
  });
});
