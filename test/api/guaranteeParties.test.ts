import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type LoanLedgerApp } from '../../src/api/app.ts';
import { issueApiKey, registerOrganization } from '../../src/api/auth/admin.ts';
import { registryFromDomain } from '../../src/api/commands/fromDomain.ts';
import { ensureDemoOrganizations } from '../../src/app/demoOrganizations.ts';
import { DemoContext } from '../../src/cli/demo/context.ts';
import { guaranteeRequest, issueGuarantee } from '../../src/cli/demo/guaranteedLoan.ts';
import type { KeysByOrg } from '../../src/cli/demo/keys.ts';
import { publishProducts, registerEnterprises } from '../../src/cli/demo/onboarding.ts';
import { originate } from '../../src/cli/demo/origination.ts';
import { ENTERPRISES, ORG, RISK_PARTIES } from '../../src/cli/demo/parties.ts';
import type { DemoState } from '../../src/cli/demo/state.ts';
import { aggregates } from '../../src/domain/index.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { SqlitePiiVault } from '../../src/vault/sqliteVault.ts';

/**
 * A guarantee names the loan's lender, borrower and risk sharers, and whoever an event names becomes a
 * party of the loan (auth/parties.ts). So a guarantor must not be able to name a stranger bank as the
 * lender (which would let that bank read the loan), the wrong borrower, or a bank as a re-guarantor:
 * each is refused with a rule, nothing is written, and the stranger still gets 403 on the loan.
 */
const EVIL = 'bank-evil';
let dir: string;
let store: SqliteEventStore;
let app: LoanLedgerApp;
let ctx: DemoContext;
let keys: KeysByOrg;
let evilKey: string;
let loanId: string;
const state: DemoState = {};

const guaranteeBody = (overrides: Record<string, unknown> = {}) => ({
  ...guaranteeRequest(`g-${Math.random().toString(36).slice(2, 10)}`, ENTERPRISES[1].uscc, 200_000_000),
  ...overrides,
});

const post = (org: string, path: string, body: unknown) =>
  app.inject({
    method: 'POST',
    url: path,
    headers: { authorization: `Bearer ${keys.get(org)!.apiKey}` },
    payload: body as Record<string, unknown>,
  });
const timelineAs = (key: string, id: string) =>
  app.inject({ method: 'GET', url: `/v1/loans/${id}/timeline`, headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-guarantee-parties-'));
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  const demoKeys = (await ensureDemoOrganizations(store, dir))!;
  keys = new Map(
    Object.entries(demoKeys).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
  await registerOrganization(store, { orgId: EVIL, name: 'a bank with no part in the loan', role: 'bank' });
  evilKey = (await issueApiKey(store, EVIL)).apiKey;
  app = await buildApp({
    store,
    aggregates: registryFromDomain(aggregates, { vault: new SqlitePiiVault(store.db) }),
    secret: 'test-secret-test-secret-test-secret!',
    logger: false,
    defaultMetrics: false,
  });
  ctx = await DemoContext.open(await app.listen({ port: 0, host: '127.0.0.1' }), keys, 'gp', () => {});
  await registerEnterprises(ctx);
  await publishProducts(ctx, state);
  loanId = await originate(ctx, {
    name: 'guaranteed',
    enterprise: ENTERPRISES[1],
    amountFen: 200_000_000,
    termMonths: 12,
    purpose: '春茶收购及加工流动资金',
    products: [state.creditProduct!, state.guaranteedProduct!],
    choose: state.guaranteedProduct!,
    rateBps: 420,
  });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/loans/:loanId/guarantee names only the loan’s real parties', () => {
  const asStranger = [
    ['a stranger bank as the lender', { lender: EVIL }, 'guarantee.issue.lender_mismatch'],
    [
      'another enterprise as the borrower',
      { borrowerUscc: ENTERPRISES[0].uscc },
      'guarantee.issue.borrower_mismatch',
    ],
    [
      'a bank as the provincial re-guarantee',
      {
        programme: {
          ...guaranteeBody().programme,
          parties: RISK_PARTIES.map((p) => (p.kind === 'provincial_reguarantee' ? { ...p, org: EVIL } : p)),
        },
      },
      'guarantee.issue.party_role_mismatch',
    ],
    [
      'an unregistered organization as the national fund',
      {
        programme: {
          ...guaranteeBody().programme,
          parties: RISK_PARTIES.map((p) => (p.kind === 'national_fund' ? { ...p, org: 'fund-nobody' } : p)),
        },
      },
      'guarantee.issue.party_role_mismatch',
    ],
  ] as const;

  for (const [what, overrides, rule] of asStranger) {
    it(`refuses ${what} (${rule}); nothing is written and the stranger bank stays out`, async () => {
      const res = await post(ORG.guarantor, `/v1/loans/${loanId}/guarantee`, guaranteeBody(overrides));
      expect(res.statusCode).toBe(422);
      expect(res.json()).toMatchObject({ code: 'LL_DOMAIN_RULE_VIOLATED', rule });
      expect(await store.streamRevision(`guarantee-${loanId}`)).toBeUndefined();
      expect((await timelineAs(evilKey, loanId)).statusCode).toBe(403);
    });
  }

  it('refuses a guarantee of a pure credit loan (纯信用 takes no guarantee)', async () => {
    const creditLoan = await originate(ctx, {
      name: 'credit',
      enterprise: ENTERPRISES[0],
      amountFen: 100_000_000,
      termMonths: 6,
      purpose: '采购原材料',
      products: [state.creditProduct!],
      choose: state.creditProduct!,
      rateBps: 435,
    });
    const res = await post(
      ORG.guarantor,
      `/v1/loans/${creditLoan}/guarantee`,
      guaranteeBody({ borrowerUscc: ENTERPRISES[0].uscc }),
    );
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: 'guarantee.issue.pure_credit_loan' });
    expect(await store.streamRevision(`guarantee-${creditLoan}`)).toBeUndefined();
  });

  it('refuses a guarantee of a loan that does not exist', async () => {
    const res = await post(ORG.guarantor, '/v1/loans/no-such-loan/guarantee', guaranteeBody());
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ rule: 'guarantee.issue.loan_unknown' });
  });

  it('accepts the guarantee that names the loan’s lender, borrower and the 4321 sharers; the lender reads it, the stranger does not', async () => {
    await issueGuarantee(ctx, loanId, ENTERPRISES[1].uscc, 200_000_000);
    const [issued] = await store.readStream(`guarantee-${loanId}`);
    expect(issued).toMatchObject({ type: 'GuaranteeIssued', data: { lender: ORG.bank } });
    expect((await timelineAs(keys.get(ORG.bank)!.apiKey, loanId)).statusCode).toBe(200);
    expect((await timelineAs(keys.get(ORG.reguarantee)!.apiKey, loanId)).statusCode).toBe(200);
    expect((await timelineAs(evilKey, loanId)).statusCode).toBe(403);
  });
});
