import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/events/ids.ts';
import type { OrgRole } from '../../src/api/auth/organization.ts';
import type { LoanLedgerApp } from '../../src/api/app.ts';
import Database from 'better-sqlite3';
import { sqliteReadModelDb } from '../../projections/readModelDb.ts';
import { webhookEndpointRegistry } from '../../projections/webhookEndpoints.ts';
import { contractRoutes } from '../../src/api/routes/contract.ts';
import { webhookRoutes } from '../../src/api/routes/webhooks.ts';
import { bearer, startTestServer, uscc, type TestServer } from './support.ts';

/**
 * The access matrix: every route × every role × party / non-party. Expectations come from the list
 * below, written independently of src/api/auth/policy.ts: `role` = any organization of that role,
 * `role*` = only one that is a party to the resource (the lender, the guarantor, the borrower, the
 * assigned tribunal or notary, the grantee, the product's publisher, its own organization).
 */
const EXPECTED = `
organization.register       operator
organization.read           operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
organization.key.issue      operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
organization.key.revoke     operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
organization.webhook.register operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
organization.webhook.read   operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
organization.webhook.remove operator bank* guarantor* reguarantor* government_fund* regulator* court* arbitrator* notary* enterprise*
enterprise.register         operator enterprise*
enterprise.read             operator bank guarantor reguarantor government_fund regulator enterprise*
enterprise.credit.submit    operator enterprise*
enterprise.credit.read      bank* guarantor* enterprise*
credit.evaluate             operator
authorization.grant         enterprise*
authorization.revoke        enterprise*
product.publish             bank
product.amend               bank*
product.withdraw            bank*
loan.apply                  enterprise*
loan.match                  operator enterprise*
loan.choose                 enterprise*
loan.withdraw               enterprise*
loan.approve                bank*
loan.reject                 bank*
loan.contract.draft         bank*
loan.contract.sign          bank* enterprise* guarantor*
loan.disburse               bank*
loan.repay                  bank*
loan.overdue                bank*
loan.penalty                bank*
loan.recover                bank*
loan.default                bank*
loan.write_off              bank*
loan.contract.read          bank* guarantor* enterprise* reguarantor* government_fund* arbitrator* court* notary*
loan.timeline               operator regulator bank* guarantor* enterprise* reguarantor* government_fund* arbitrator* court*
guarantee.issue             guarantor
guarantee.compensate        guarantor*
guarantee.reimburse         reguarantor* government_fund*
guarantee.recover           guarantor* bank*
policy.claim                bank* guarantor*
policy.decide               government_fund
dispute.file                bank* guarantor* enterprise*
dispute.accept              arbitrator* court*
dispute.tribunal            arbitrator* court*
dispute.evidence            bank* guarantor* enterprise* arbitrator* court*
dispute.hearing             arbitrator* court*
dispute.award               arbitrator* court*
dispute.settle              bank* guarantor* enterprise*
dispute.read                operator bank* guarantor* enterprise* arbitrator* court*
notarization.apply          bank*
notarization.identity       notary*
notarization.notarize       notary*
notarization.verify_debtor  notary*
notarization.enforce        notary*
notarization.read           notary* bank* enterprise* arbitrator* court*
stream.read                 operator regulator
log.entries                 operator regulator
log.anchor                  operator
`;

const ROLES: OrgRole[] = [
  'bank',
  'guarantor',
  'reguarantor',
  'government_fund',
  'regulator',
  'court',
  'arbitrator',
  'notary',
  'enterprise',
  'operator',
];

const expected = new Map<string, { any: Set<string>; party: Set<string> }>();
for (const line of EXPECTED.trim().split('\n')) {
  const [access, ...roles] = line.trim().split(/\s+/);
  expected.set(access!, {
    any: new Set(roles.filter((r) => !r.endsWith('*'))),
    party: new Set(roles.filter((r) => r.endsWith('*')).map((r) => r.slice(0, -1))),
  });
}

const ENT = uscc(1);
const ENT_OTHER = uscc(2);
const party = (role: OrgRole) => (role === 'enterprise' ? ENT : `${role}-party`);
const stranger = (role: OrgRole) => (role === 'enterprise' ? ENT_OTHER : `${role}-stranger`);

let t: TestServer & { operatorKey: string };
const keys = new Map<string, string>();

/** Fixture facts naming the party organizations (the field conventions of src/api/auth/parties.ts). */
async function fixture(
  stream: string,
  data: Record<string, unknown>,
  actor = { org: 'platform-operator', role: 'operator' as const },
) {
  await t.store.appendToStream(stream, [
    {
      id: newEventId(),
      type: 'MatrixFixture',
      schemaVersion: 1,
      data: data as never,
      meta: { actor, recordedAt: '2026-11-27T00:00:00.000Z', correlationId: 'matrix', causationId: 'matrix' },
    },
  ]);
}

beforeAll(async () => {
  // The contract PDF route is mounted by the composition root (src/app/ledger.ts); mounted here too.
  t = await startTestServer(
    {
      configure: (app) => {
        contractRoutes(app, (app as unknown as LoanLedgerApp).ledger, { documents: undefined });
        // Webhook registration is mounted by the composition root too, with the read-model database.
        webhookRoutes(app, {
          registry: webhookEndpointRegistry(sqliteReadModelDb(new Database(':memory:'))),
        });
      },
    },
    { log: true },
  );
  for (const role of ROLES) {
    for (const org of [party(role), stranger(role)]) keys.set(org, await t.org(org, role));
  }
  keys.set('platform-operator', t.operatorKey);
  const everyone = {
    borrowerUscc: ENT,
    bank: party('bank'),
    guarantor: party('guarantor'),
    reguarantor: party('reguarantor'),
    fund: party('government_fund'),
    arbitrator: party('arbitrator'),
    court: party('court'),
    notary: party('notary'),
  };
  await fixture('loan-L1', everyone);
  await fixture('dispute-D1', { ...everyone, loanId: 'L1' });
  await fixture('notarization-N1', { ...everyone, loanId: 'L1' });
  await fixture('product-P1', { productId: 'P1' }, { org: party('bank'), role: 'bank' as never });
  // Grants are written as the authorization aggregate writes them.
  for (const [grantId, grantee] of [
    ['G1', party('bank')],
    ['G2', party('guarantor')],
  ] as const) {
    await t.store.appendToStream(`authorization-${grantId}`, [
      {
        id: newEventId(),
        type: 'AuthorizationGranted',
        schemaVersion: 1,
        data: {
          grantId,
          enterpriseUscc: ENT,
          grantee,
          categories: ['tax'],
          purpose: 'financing_support',
          grantedAt: '2026-11-27T00:00:00.000Z',
          expiresAt: '2099-01-01T00:00:00.000Z',
        },
        meta: {
          actor: { org: ENT, role: 'enterprise' },
          recordedAt: '2026-11-27T00:00:00.000Z',
          correlationId: 'm',
          causationId: 'm',
        },
      },
    ]);
  }
  await t.app.ledger.follower.catchUp();
}, 120_000);
afterAll(async () => t.close());

function request(url: string, role: OrgRole) {
  const params: Record<string, string> = {
    loanId: 'L1',
    disputeId: 'D1',
    notarizationId: 'N1',
    productId: 'P1',
    uscc: ENT,
    grantId: 'G1',
    orgId: party(role),
    keyId: 'key_x',
    endpointId: 'whk_x',
    stream: 'loan-L1',
  };
  const path = url.replace(/:([A-Za-z]+)/g, (_, name: string) => params[name] ?? 'x');
  const query =
    url === '/v1/log/entries' ? '?start=0&end=1' : url.endsWith('/credit-data') ? '?category=tax' : '';
  return path + query;
}

describe('auth matrix', () => {
  it('every authenticated route has a row in the expectation list and every row a route', () => {
    const routes = t.app.ledger.routes.filter((r) => !r.public);
    const unruled = routes.filter((r) => r.access === undefined && !r.url.startsWith('/docs'));
    expect(unruled).toEqual([]);
    const accessIds = new Set(routes.map((r) => r.access));
    expect([...accessIds].filter((a) => a && !expected.has(a))).toEqual([]);
    // Rows for routes of aggregates not yet in the domain registry are allowed but reported.
    const missing = [...expected.keys()].filter((a) => !accessIds.has(a as never));
    if (missing.length > 0) console.log(`auth matrix: no route mounted yet for ${missing.join(', ')}`);
  });

  it('route × role × party/non-party gives exactly the expected allow/deny', async () => {
    const mismatches: string[] = [];
    let cases = 0;
    const body = { borrowerUscc: ENT, uscc: ENT, loanId: 'L1' };
    for (const route of t.app.ledger.routes.filter((r) => r.access !== undefined)) {
      const rule = expected.get(route.access!)!;
      for (const role of ROLES) {
        for (const asParty of [true, false]) {
          const caller = role === 'operator' ? 'platform-operator' : asParty ? party(role) : stranger(role);
          const res = await t.app.inject({
            method: route.method as 'GET' | 'POST' | 'DELETE',
            url: request(route.url, role),
            headers: bearer(keys.get(caller)!),
            ...(route.method === 'POST' ? { payload: body } : {}),
          });
          cases++;
          const allowed = rule.any.has(role) || (asParty && rule.party.has(role));
          const denied = res.statusCode === 403;
          if (res.statusCode === 401 || res.statusCode >= 500 || allowed === denied) {
            mismatches.push(
              `${route.method} ${route.url} as ${asParty ? 'party' : 'non-party'} ${role}: ${res.statusCode} ${res.json().code}`,
            );
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(cases).toBeGreaterThan(500);
  });

  it('credit data without a live grant is LL_AUTHORIZATION_REQUIRED, and a regulator never reads it', async () => {
    const url = `/v1/enterprises/${ENT}/credit-data?category=environment_rating`;
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(keys.get(party('bank'))!) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('LL_AUTHORIZATION_REQUIRED');
    const reg = await t.app.inject({ method: 'GET', url, headers: bearer(keys.get(party('regulator'))!) });
    expect(reg.json().code).toBe('LL_FORBIDDEN');
  });

  it('credit data is not readable as raw events either, not even by the operator or a regulator', async () => {
    const submitted = await t.app.inject({
      method: 'POST',
      url: `/v1/enterprises/${ENT}/credit-records`,
      headers: bearer(keys.get('platform-operator')!),
      payload: {
        recordId: 'r-raw-read',
        source: { kind: 'data_source', org: 'platform-operator' },
        asOf: '2026-02-01',
        record: {
          category: 'tax',
          taxArrears: false,
          monthsContinuousNormal: 60,
          annualTaxPaidFen: 12_000_000,
        },
      },
    });
    expect(submitted.statusCode).toBe(201);
    const head = await t.store.headPosition();
    for (const org of ['platform-operator', party('regulator')]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/streams/credit-${ENT}/events`,
        headers: bearer(keys.get(org)!),
      });
      expect(res.statusCode, org).toBe(403);
      expect(res.json().code).toBe('LL_FORBIDDEN');
      expect(res.body).not.toContain('annualTaxPaidFen');
    }
    // Other streams stay readable to them.
    const other = await t.app.inject({
      method: 'GET',
      url: '/v1/streams/organization-platform-operator/events',
      headers: bearer(keys.get(party('regulator'))!),
    });
    expect(other.statusCode).toBe(200);
    expect(await t.store.headPosition()).toBe(head); // refused reads record nothing
  });
});
