import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { projectionApi } from './apiHarness.ts';
import { appendAll } from './fixtures.ts';
import { E, scenario } from './scenario.ts';

let dir: string;
let store: SqliteEventStore;
let app: FastifyInstance;
let keyOf: (org: string) => string;

const ORGS = {
  'regulator-1': { role: 'regulator' as const },
  platform: { role: 'operator' as const },
  bankA: { role: 'bank' as const },
  bankB: { role: 'bank' as const },
  G1: { role: 'guarantor' as const },
  'national-fund': { role: 'reguarantor' as const },
  'arb-cs': { role: 'arbitrator' as const },
  'other-court': { role: 'court' as const },
  ent2: { role: 'enterprise' as const, uscc: E.e2 },
  ent4: { role: 'enterprise' as const, uscc: E.e4 },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proj-routes-'));
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await appendAll(store, scenario());
  const db = sqliteReadModelDb(store.db);
  const runner = createProjectionRunner({ store, db, views: allViews });
  await runner.catchUp();
  ({ app, keyOf } = await projectionApi(
    {
      db,
      runner,
      readStream: (s) => store.readStream(s),
      anchorStatus: () => 'final',
      clock: () => new Date('2026-07-01T00:00:00.000Z'),
    },
    ORGS,
  ));
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, org?: string) =>
  app.inject({ method: 'GET', url, headers: org ? { authorization: `Bearer ${keyOf(org)}` } : {} });

describe('projection routes: who may read what', () => {
  it('statistics: regulators and the operator only; 401 without a key', async () => {
    expect((await get('/v1/stats')).statusCode).toBe(401);
    for (const org of ['regulator-1', 'platform'])
      expect((await get('/v1/stats?groupBy=city', org)).statusCode).toBe(200);
    for (const org of ['bankA', 'G1', 'arb-cs', 'ent2', 'national-fund']) {
      const r = await get('/v1/stats', org);
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'LL_FORBIDDEN' });
    }
    const r = (await get('/v1/stats?groupBy=city', 'regulator-1')).json();
    // 430200 has fewer than 3 enterprises; 430100 goes with it (secondary), else total − 430100 gives it away.
    expect(r.cells.map((c: { suppressed: boolean }) => c.suppressed)).toEqual([true, true]);
    expect((await get('/v1/stats', 'regulator-1')).json().cells[0].suppressed).toBe(false);
    expect((await get('/v1/stats?groupBy=nope', 'regulator-1')).statusCode).toBe(400);
    expect((await get('/v1/stats?groupBy=city,bank', 'regulator-1')).statusCode).toBe(200);
    expect((await get('/v1/stats?groupBy=city,size,kind', 'regulator-1')).statusCode).toBe(400);
    expect((await get('/v1/stats?month=2026-13', 'regulator-1')).statusCode).toBe(400);
  });

  it('case files: the assigned body and the parties; nobody else, not even the regulator', async () => {
    for (const org of ['arb-cs', 'bankA', 'ent2']) {
      const r = await get('/v1/case-files/D1', org);
      expect(r.statusCode).toBe(200);
      expect(r.json().timeline.every((t: { anchor: string }) => t.anchor === 'final')).toBe(true);
    }
    for (const org of ['bankB', 'other-court', 'G1', 'ent4'])
      expect((await get('/v1/case-files/D1', org)).statusCode).toBe(403);
    for (const org of ['regulator-1', 'platform', 'national-fund'])
      expect((await get('/v1/case-files/D1', org)).statusCode).toBe(403);
    expect((await get('/v1/case-files/NOPE', 'arb-cs')).statusCode).toBe(403);
    expect(
      (await get('/v1/case-files', 'arb-cs')).json().disputes.map((d: { disputeId: string }) => d.disputeId),
    ).toEqual(['D1']);
  });

  it('bank portfolio: a bank sees its own only; the regulator sees any', async () => {
    expect((await get('/v1/banks/bankA/portfolio', 'bankA')).json().overdueBuckets[0]).toEqual({
      bucket: '1-30',
      count: 1,
      outstanding: 500_000,
      overdueAmount: 100_000,
    });
    expect((await get('/v1/banks/bankA/portfolio', 'bankB')).statusCode).toBe(403);
    expect((await get('/v1/banks/bankA/reports?limit=2', 'regulator-1')).json().reports).toHaveLength(2);
    expect((await get('/v1/banks/bankA/portfolio', 'G1')).statusCode).toBe(403);
  });

  it('4321 ledger: a party sees its own line; the regulator sees every party', async () => {
    const own = (await get('/v1/guarantees/ledger?asOf=2026-06-30', 'G1')).json();
    expect(own.parties.map((p: { party: string }) => p.party)).toEqual(['G1']);
    expect(own.parties[0].compensationPaid).toBe(1_600_000);
    const all = (await get('/v1/guarantees/ledger?asOf=2026-06-30', 'regulator-1')).json();
    expect(all.parties).toHaveLength(6);
    expect((await get('/v1/guarantees/programmes', 'national-fund')).json().programmes[0]).toMatchObject({
      breach: true,
    });
    expect((await get('/v1/guarantees/ledger', 'ent2')).statusCode).toBe(403);
  });

  it('risk warnings are filtered to the institutions concerned; matching lists by role', async () => {
    expect(
      (await get('/v1/risk/warnings', 'bankA'))
        .json()
        .warnings.map((w: { warningId: string }) => w.warningId),
    ).toEqual(['W1']);
    expect((await get('/v1/risk/warnings', 'bankB')).json().warnings).toEqual([]);
    expect((await get('/v1/risk/warnings', 'ent2')).statusCode).toBe(403);
    expect((await get('/v1/matching/white-list', 'bankB')).json().enterprises).toHaveLength(1);
    expect((await get('/v1/matching/white-list', 'ent2')).statusCode).toBe(403);
    expect((await get('/v1/matching/awaiting-choice', 'ent4')).json().applications).toHaveLength(1);
    expect((await get('/v1/matching/awaiting-choice', 'ent2')).json().applications).toEqual([]);
    expect((await get('/v1/matching/products?live=true', 'ent2')).json().products).toHaveLength(2);
    expect((await get('/v1/projections/status', 'platform')).json()).toMatchObject({ lag: 0 });
    expect((await get('/v1/projections/status', 'bankA')).statusCode).toBe(403);
  });

  it('the dashboard page is static: it holds no figures and needs a key only for its API calls', async () => {
    const r = await get('/dashboard');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).not.toMatch(/9000000|bankA/);
    expect((await get('/v1/stats/dashboard')).statusCode).toBe(401);
    expect((await get('/v1/stats/dashboard', 'bankA')).statusCode).toBe(403);
  });
});
