import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type LoanLedgerApp } from '../../../src/api/app.ts';
import { registryFromDomain } from '../../../src/api/commands/fromDomain.ts';
import { contractRoutes } from '../../../src/api/routes/contract.ts';
import { ensureDemoOrganizations } from '../../../src/app/demoOrganizations.ts';
import { DemoContext } from '../../../src/cli/demo/context.ts';
import { issueGuarantee } from '../../../src/cli/demo/guaranteedLoan.ts';
import type { KeysByOrg } from '../../../src/cli/demo/keys.ts';
import { publishProducts, registerEnterprises } from '../../../src/cli/demo/onboarding.ts';
import { originate } from '../../../src/cli/demo/origination.ts';
import { ENTERPRISES, ORG } from '../../../src/cli/demo/parties.ts';
import type { DemoState } from '../../../src/cli/demo/state.ts';
import { FileDocumentStore } from '../../../src/documents/documentStore.ts';
import { aggregates } from '../../../src/domain/index.ts';
import { LedgerError } from '../../../src/errors.ts';
import type { EventStore } from '../../../src/store/eventStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../../src/store/sqlite/index.ts';
import { SqlitePiiVault } from '../../../src/vault/sqliteVault.ts';
import { pdffonts, pdftotext } from '../pdf/poppler.ts';

/**
 * POST /v1/loans/:loanId/contract drafted by the ledger and GET …/contract.pdf, over real HTTP on a
 * real SQLite store and a real document directory; the loans are originated by the demo's own steps.
 */
let dir: string;
let store: SqliteEventStore;
let app: LoanLedgerApp;
let ctx: DemoContext;
let keys: KeysByOrg;
const state: DemoState = {};
/** Fails the next append of a ContractDrafted event (a crash between storing the PDF and appending). */
let failNextDraftAppend = false;
/** For each ContractDrafted appended: was its PDF already on disk, with that hash, at that moment? */
const fileOnDiskAtAppend: boolean[] = [];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const documentsDir = () => join(dir, 'documents');
const storedFiles = (): string[] => {
  try {
    return readdirSync(join(documentsDir(), 'sha256'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name));
  } catch {
    return [];
  }
};
const keyOf = (org: string) => keys.get(org)!.apiKey;
const auth = (org: string) => ({ authorization: `Bearer ${keyOf(org)}` });

const draft = (loanId: string, body: unknown, idempotencyKey?: string) =>
  app.inject({
    method: 'POST',
    url: `/v1/loans/${loanId}/contract`,
    headers: { ...auth(ORG.bank), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    payload: body as Record<string, unknown>,
  });
const getPdf = (loanId: string, org: string = ORG.bank) =>
  app.inject({ method: 'GET', url: `/v1/loans/${loanId}/contract.pdf`, headers: auth(org) });
const draftedEvents = async (loanId: string) =>
  (await store.readStream(`loan-${loanId}`)).filter((e) => e.type === 'ContractDrafted');

/** Wraps the store so the test sees (and can fail) the append of ContractDrafted. */
function watchDraftAppends(s: EventStore): void {
  const append = s.appendToStream.bind(s);
  s.appendToStream = async (stream, events, options) => {
    const drafted = events.find((e) => e.type === 'ContractDrafted');
    if (drafted) {
      const hash = (drafted.data as { documentSha256: string }).documentSha256;
      const file = join(documentsDir(), 'sha256', hash.slice(0, 2), hash);
      let ok = false;
      try {
        ok = sha256(readFileSync(file)) === hash;
      } catch {
        ok = false;
      }
      fileOnDiskAtAppend.push(ok);
      if (failNextDraftAppend) {
        failNextDraftAppend = false;
        throw new LedgerError('LL_STORE_UNAVAILABLE', 'simulated crash before the append');
      }
    }
    return append(stream, events, options);
  };
}

/** Apply, match and choose (the bank becomes the lender), without approval. */
async function chosenNotApproved(name: string): Promise<string> {
  const e = ENTERPRISES[0];
  const loanId = ctx.id(name);
  await ctx.command(`apply ${name}`, e.uscc, 'POST /v1/loans', '/v1/loans', {
    loanId,
    borrowerUscc: e.uscc,
    amountFen: 50_000_000,
    termMonths: 6,
    purpose: '流动资金',
  });
  await ctx.command(
    `match ${name}`,
    e.uscc,
    'POST /v1/loans/{loanId}/matches',
    `/v1/loans/${loanId}/matches`,
    {
      profile: {
        industry: e.industry,
        regionCode: e.regionCode,
        grade: null,
        whiteListed: false,
        gradeScale: ['AAA', 'AA', 'A', 'B', 'C'],
      },
      products: [state.creditProduct!],
    },
  );
  await ctx.command(
    `choose ${name}`,
    e.uscc,
    'POST /v1/loans/{loanId}/choice',
    `/v1/loans/${loanId}/choice`,
    {
      productId: state.creditProduct!.productId,
    },
  );
  return loanId;
}

/** Each credit loan in its own run context: the demo derives Idempotency-Keys from step names. */
const creditLoan = async (name: string) =>
  originate(await DemoContext.open(ctx.url, keys, name, () => {}), {
    name,
    enterprise: ENTERPRISES[0],
    amountFen: 100_000_000,
    termMonths: 6,
    purpose: '采购数控机床零部件原材料',
    products: [state.creditProduct!],
    choose: state.creditProduct!,
    rateBps: 435,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-contract-'));
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  watchDraftAppends(store);
  const demoKeys = (await ensureDemoOrganizations(store, dir))!;
  keys = new Map(
    Object.entries(demoKeys).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
  const documents = new FileDocumentStore(documentsDir());
  app = await buildApp({
    store,
    aggregates: registryFromDomain(aggregates, {
      vault: new SqlitePiiVault(store.db),
      contracts: { documents },
    }),
    secret: 'test-secret-test-secret-test-secret!',
    logger: false,
    defaultMetrics: false,
    configure: (a) => contractRoutes(a, (a as unknown as LoanLedgerApp).ledger, { documents }),
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  ctx = await DemoContext.open(url, keys, 'cdr', () => {});
  await registerEnterprises(ctx);
  await publishProducts(ctx, state);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/loans/:loanId/contract drafted by the ledger', () => {
  it('refuses a loan without approved terms before rendering anything; contract.pdf is then 404', async () => {
    const loanId = await chosenNotApproved('not-approved');
    const res = await draft(loanId, {});
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'LL_DOMAIN_RULE_VIOLATED', rule: 'loan.contract.not_approved' });
    expect(storedFiles()).toEqual([]);
    const pdf = await getPdf(loanId);
    expect(pdf.statusCode).toBe(404);
    expect(pdf.json().code).toBe('LL_NOT_FOUND');
  });

  it('a guaranteed loan: stored before the event, one event and one file under a repeated Idempotency-Key, the guarantor a signer', async () => {
    const loanId = await originate(ctx, {
      name: 'guaranteed',
      enterprise: ENTERPRISES[1],
      amountFen: 200_000_000,
      termMonths: 12,
      purpose: '春茶收购及加工流动资金',
      products: [state.creditProduct!, state.guaranteedProduct!],
      choose: state.guaranteedProduct!,
      rateBps: 420,
    });
    state.guaranteedLoanId = loanId;
    await issueGuarantee(ctx, loanId, ENTERPRISES[1].uscc, 200_000_000);
    const body = { terms: { startDate: '2026-02-01', signingPlace: '长沙' } };

    // The first attempt "crashes" after the PDF is stored, before the append: an orphan file, no event.
    failNextDraftAppend = true;
    const crashed = await draft(loanId, body, 'draft-1');
    expect(crashed.statusCode).toBe(503);
    expect(await draftedEvents(loanId)).toHaveLength(0);
    expect(storedFiles()).toHaveLength(1);

    const first = await draft(loanId, body, 'draft-1');
    const again = await draft(loanId, body, 'draft-1');
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const events = await draftedEvents(loanId);
    expect(events).toHaveLength(1);
    // The retry rendered the same bytes (the contract depends only on the ledger): still one file.
    expect(storedFiles()).toHaveLength(1);
    expect(fileOnDiskAtAppend).toEqual([true, true]);
    const hash = events[0]!.data.documentSha256 as string;
    expect(storedFiles()[0]!.endsWith(hash)).toBe(true);
    expect(events[0]!.data.requiredSigners).toEqual([
      { org: ENTERPRISES[1].uscc, role: 'enterprise' },
      { org: ORG.bank, role: 'bank' },
      { org: ORG.guarantor, role: 'guarantor' },
    ]);

    // A second draft of the same loan (a new key) breaks the domain's rule; nothing new is stored.
    const twice = await draft(loanId, body, 'draft-2');
    expect(twice.statusCode).toBe(422);
    expect(storedFiles()).toHaveLength(1);
  });

  it('GET contract.pdf returns the bytes whose SHA-256 is the ContractDrafted hash, in Chinese with a subset CJK font', async () => {
    const loanId = state.guaranteedLoanId!;
    const hash = (await draftedEvents(loanId))[0]!.data.documentSha256 as string;
    const res = await getPdf(loanId);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="contract-${loanId}.pdf"`);
    expect(res.headers['repr-digest']).toBe(`sha-256=:${Buffer.from(hash, 'hex').toString('base64')}:`);
    expect(sha256(res.rawPayload)).toBe(hash);

    const file = join(dir, 'guaranteed.pdf');
    writeFileSync(file, res.rawPayload);
    const text = pdftotext(file);
    const flat = text.replace(/\s+/g, '');
    for (const name of [
      ENTERPRISES[1].name,
      '湘江示范银行长沙分行',
      '湘潭市融资担保有限公司',
      '湖南省融资再担保有限公司',
      '国家融资担保基金',
      '长沙市融资担保风险补偿资金',
      '长沙仲裁委员会',
      '湖南省长沙市长沙公证处',
    ])
      expect(text).toContain(name);
    expect(text).toContain('人民币（大写）贰佰万元整（小写：¥2,000,000.00）');
    expect(text).toContain('4.20%');
    expect(text).toContain('12 个月');
    expect(text).toContain('自2026年2月1日起至2027年2月1日止');
    expect(text).toContain('春茶收购及加工流动资金');
    expect(text).toContain('保证人（丙方）');
    expect(text).toContain('80.00%'); // the guaranteed share
    expect(flat).toContain('先代偿、后分险');
    expect(flat).toContain('网上仲裁');
    expect(flat).toContain('赋予强制执行效力');
    expect(flat).toContain('依照第十条直接申请强制执行');
    expect(text).not.toContain(ENTERPRISES[1].legalRepresentative.name);
    for (const f of pdffonts(file)) expect(f).toMatchObject({ emb: 'yes', sub: 'yes' });
  });

  it('the parties and the risk sharers read it; another enterprise, the regulator and an unassigned court get 403', async () => {
    const loanId = state.guaranteedLoanId!;
    for (const org of [ENTERPRISES[1].uscc, ORG.guarantor, ORG.reguarantee, ORG.cityFund]) {
      expect((await getPdf(loanId, org)).statusCode, org).toBe(200);
    }
    for (const org of [
      ENTERPRISES[0].uscc,
      'regulator-hunan',
      'court-changsha',
      ORG.notary,
      ORG.arbitration,
    ]) {
      const res = await getPdf(loanId, org);
      expect(res.statusCode, org).toBe(403);
      expect(res.json().code).toBe('LL_FORBIDDEN');
    }
  });

  it('a notary becomes a reader when it is assigned to notarize the loan', async () => {
    const loanId = state.guaranteedLoanId!;
    const hash = (await draftedEvents(loanId))[0]!.data.documentSha256 as string;
    // Sign, so the contract is executed and can be notarized.
    const { ed25519 } = await import('@noble/curves/ed25519.js');
    const { signContractHash } = await import('../../../src/evidence/pdf/contractSignature.ts');
    for (const org of [ENTERPRISES[1].uscc, ORG.bank, ORG.guarantor]) {
      const secret = ed25519.utils.randomSecretKey();
      await ctx.command(
        `${org} signs`,
        org,
        'POST /v1/loans/{loanId}/contract/signatures',
        `/v1/loans/${loanId}/contract/signatures`,
        {
          signature: signContractHash(secret, hash),
          publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('base64'),
        },
      );
    }
    await ctx.command('apply for notarization', ORG.bank, 'POST /v1/notarizations', '/v1/notarizations', {
      notarizationId: ctx.id('notarization'),
      loanId,
      contractSha256: hash,
      debtorUscc: ENTERPRISES[1].uscc,
      notary: ORG.notary,
    });
    const res = await getPdf(loanId, ORG.notary);
    expect(res.statusCode).toBe(200);
    expect(sha256(res.rawPayload)).toBe(hash);
  });

  it('a pure credit loan: a two-party contract, no guarantor, no 4321 clause', async () => {
    const loanId = await creditLoan('credit');
    const res = await draft(loanId, { terms: { startDate: '2026-01-05' } });
    expect(res.statusCode).toBe(201);
    const [drafted] = await draftedEvents(loanId);
    expect(drafted!.data.requiredSigners).toHaveLength(2);
    const pdf = await getPdf(loanId, ENTERPRISES[0].uscc);
    expect(sha256(pdf.rawPayload)).toBe(drafted!.data.documentSha256);
    const file = join(dir, 'credit.pdf');
    writeFileSync(file, pdf.rawPayload);
    const text = pdftotext(file);
    const flat = text.replace(/\s+/g, '');
    expect(text).toContain(ENTERPRISES[0].name);
    expect(text).toContain('人民币（大写）壹佰万元整（小写：¥1,000,000.00）');
    expect(text).toContain('4.35%');
    expect(text).toContain('6 个月');
    expect(text).not.toContain('丙方');
    expect(text).not.toContain('4321');
    // Clauses renumber without the guarantee ones: the notarization consent is clause 8 and named in clause 7.
    expect(flat).toContain('第八条同意办理赋予强制执行效力的公证');
    expect(flat).toContain('依照第八条直接申请强制执行');
    expect(flat).toContain('还款计划表（第五条）');
    expect(flat).not.toContain('第十一条');
  });

  it('a contract drafted elsewhere: only its hash is recorded, contract.pdf is 404 LL_CONTRACT_NOT_HELD', async () => {
    const loanId = await creditLoan('elsewhere');
    const hash = sha256(new TextEncoder().encode('a contract drafted by the bank’s own system'));
    const both = await draft(loanId, { documentSha256: hash, terms: { startDate: '2026-01-05' } });
    expect(both.statusCode).toBe(400);
    const before = storedFiles().length;
    const res = await draft(loanId, { documentSha256: hash, additionalSigners: [] });
    expect(res.statusCode).toBe(201);
    expect((await draftedEvents(loanId))[0]!.data.documentSha256).toBe(hash);
    expect(storedFiles()).toHaveLength(before);
    const pdf = await getPdf(loanId);
    expect(pdf.statusCode).toBe(404);
    expect(pdf.headers['content-type']).toContain('application/problem+json');
    expect(pdf.json()).toMatchObject({ code: 'LL_CONTRACT_NOT_HELD', documentSha256: hash });
  });

  it('a stored file edited on disk is refused (500 LL_DOCUMENT_INTEGRITY), never served', async () => {
    const loanId = state.guaranteedLoanId!;
    const hash = (await draftedEvents(loanId))[0]!.data.documentSha256 as string;
    const file = storedFiles().find((f) => f.endsWith(hash))!;
    const bytes = readFileSync(file);
    const edited = Buffer.from(bytes);
    edited[Math.floor(edited.length / 2)]! ^= 0x01;
    writeFileSync(file, edited);
    try {
      const res = await getPdf(loanId);
      expect(res.statusCode).toBe(500);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'LL_DOCUMENT_INTEGRITY', documentSha256: hash });
      expect(res.rawPayload.subarray(0, 5).toString()).not.toBe('%PDF-');
    } finally {
      writeFileSync(file, bytes);
    }
    expect((await getPdf(loanId)).statusCode).toBe(200);
  });
});
