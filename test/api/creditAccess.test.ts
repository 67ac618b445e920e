import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISES } from '../../src/cli/demo/parties.ts';
import { bearer, startTestServer, type TestServer } from './support.ts';

/**
 * Issue 5: reading an enterprise's credit data needs its live authorization (经企业授权) for the
 * category, and every grantee read is recorded (CreditDataAccessed on `authorization-<grantId>`).
 * Everything is set up through the real HTTP command routes; time is moved with the app's clock.
 */
const E = ENTERPRISES[0];
const ENT = E.uscc;
const BANK = 'bank-credit-reader';
const OTHER_BANK = 'bank-not-granted';
const HOUR = 3_600_000;

let t: TestServer & { operatorKey: string };
let entKey: string;
let bankKey: string;
let otherBankKey: string;
/** The app's clock: the wall clock, or a frozen instant when a test sets one. */
let frozen: number | undefined;
const now = () => new Date(frozen ?? Date.now());

const TAX_RECORD = {
  category: 'tax',
  taxArrears: false,
  monthsContinuousNormal: 60,
  annualTaxPaidFen: 12_000_000,
};

beforeAll(async () => {
  t = await startTestServer({ clock: now });
  entKey = await t.org(ENT, 'enterprise', E.name);
  bankKey = await t.org(BANK, 'bank');
  otherBankKey = await t.org(OTHER_BANK, 'bank');
  const registered = await t.app.inject({
    method: 'POST',
    url: '/v1/enterprises',
    headers: bearer(entKey),
    payload: {
      uscc: ENT,
      name: E.name,
      regionCode: E.regionCode,
      industry: E.industry,
      sizeClass: E.sizeClass,
      legalRepresentative: E.legalRepresentative,
    },
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const submitted = await t.app.inject({
    method: 'POST',
    url: `/v1/enterprises/${ENT}/credit-records`,
    headers: bearer(t.operatorKey),
    payload: {
      recordId: 'r-tax-1',
      source: { kind: 'data_source', org: 'platform-operator' },
      asOf: '2026-02-01',
      record: TAX_RECORD,
    },
  });
  expect(submitted.statusCode, submitted.body).toBe(201);
}, 60_000);
afterAll(async () => t.close());

const grant = (grantId: string, categories: string[], expiresAt: string) =>
  t.app.inject({
    method: 'POST',
    url: `/v1/enterprises/${ENT}/authorizations`,
    headers: bearer(entKey),
    payload: { grantId, grantee: BANK, categories, purpose: 'financing_support', expiresAt },
  });

const read = (key: string, category: string) =>
  t.app.inject({
    method: 'GET',
    url: `/v1/enterprises/${ENT}/credit-data?category=${category}`,
    headers: bearer(key),
  });

/** A refused read: exactly 403 LL_AUTHORIZATION_REQUIRED, and nothing appended anywhere. */
async function refused(key: string, category: string) {
  const head = await t.store.headPosition();
  const res = await read(key, category);
  expect(res.statusCode, res.body).toBe(403);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.json().code).toBe('LL_AUTHORIZATION_REQUIRED');
  expect(res.body).not.toContain('annualTaxPaidFen');
  expect(await t.store.headPosition()).toBe(head);
}

/** A granted read: 200 with the tax record, and exactly one CreditDataAccessed on the grant's stream. */
async function granted(grantId: string) {
  const head = await t.store.headPosition();
  const before = await t.store.readStream(`authorization-${grantId}`);
  const res = await read(bankKey, 'tax');
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { uscc: string; category: string; accessId?: string; records: unknown[] };
  expect(body).toMatchObject({ uscc: ENT, category: 'tax' });
  expect(body.records).toHaveLength(1);
  expect(body.records[0]).toMatchObject({ record: TAX_RECORD });
  expect(typeof body.accessId).toBe('string');
  expect(await t.store.headPosition()).toBe(head + 1);
  const after = await t.store.readStream(`authorization-${grantId}`);
  expect(after).toHaveLength(before.length + 1);
  const access = after.at(-1)!;
  expect(access.type).toBe('CreditDataAccessed');
  expect(access.data).toMatchObject({
    grantId,
    accessId: body.accessId,
    accessor: BANK,
    category: 'tax',
    purpose: 'financing_support',
  });
  expect(access.meta.actor).toMatchObject({ org: BANK, role: 'bank' });
  return body.accessId!;
}

describe('credit data access (issue 5)', () => {
  it('with no grant at all the bank is refused and nothing is written', async () => {
    await refused(bankKey, 'tax');
  });

  it('a live grant opens its category: the read returns the record and records one access event', async () => {
    const res = await grant('G-live', ['tax'], new Date(now().getTime() + 24 * HOUR).toISOString());
    expect(res.statusCode, res.body).toBe(201);
    const first = await granted('G-live');
    const second = await granted('G-live');
    expect(second).not.toBe(first); // each read is its own access
  });

  it('a grant for one category does not open another', async () => {
    await refused(bankKey, 'environment_rating');
  });

  it('a grant to one bank does not open the data to another', async () => {
    await refused(otherBankKey, 'tax');
  });

  it('the enterprise reads its own data without an access event', async () => {
    const head = await t.store.headPosition();
    const res = await read(entKey, 'tax');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().accessId).toBeUndefined();
    expect(res.json().records).toHaveLength(1);
    expect(await t.store.headPosition()).toBe(head);
  });

  it('after revocation the bank is refused and nothing is written', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/authorizations/G-live/revocations',
      headers: bearer(entKey),
      payload: { reason: 'financing completed' },
    });
    expect(res.statusCode, res.body).toBe(201);
    await refused(bankKey, 'tax');
  });

  it('a grant whose expiry is already past is refused by the domain', async () => {
    const head = await t.store.headPosition();
    const res = await grant('G-past', ['tax'], new Date(now().getTime() - HOUR).toISOString());
    expect(res.statusCode, res.body).toBe(422);
    expect(res.json().code).toBe('LL_DOMAIN_RULE_VIOLATED');
    expect(await t.store.headPosition()).toBe(head);
  });

  it('an expired grant is refused (from the expiry instant on) and nothing is written', async () => {
    const expiresAt = new Date(now().getTime() + HOUR);
    const res = await grant('G-expiring', ['tax'], expiresAt.toISOString());
    expect(res.statusCode, res.body).toBe(201);
    await granted('G-expiring');
    try {
      // A millisecond before the expiry it is still live; from the expiry instant on it is not.
      frozen = expiresAt.getTime() - 1;
      await granted('G-expiring');
      frozen = expiresAt.getTime();
      await refused(bankKey, 'tax');
      frozen = expiresAt.getTime() + 2 * HOUR;
      await refused(bankKey, 'tax');
    } finally {
      frozen = undefined;
    }
  });
});
