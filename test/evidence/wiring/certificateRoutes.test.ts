import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../../src/app/config.ts';
import { startLedger, type Ledger } from '../../../src/app/ledger.ts';
import { verifyContractCommand } from '../../../src/cli/commands/verifyContract.ts';
import type { KeysByOrg } from '../../../src/cli/demo/keys.ts';
import { ENTERPRISES, ORG } from '../../../src/cli/demo/parties.ts';
import { runDemo, type DemoResult } from '../../../src/cli/demo/runDemo.ts';
import { pdffonts, pdftotext } from '../pdf/poppler.ts';

/**
 * The evidence PDFs wired into the real ledger (embedded SQLite, dev chain, real port): the demo
 * scenario, then the certificate route read back by poppler, and verify-contract on the demo's contract.
 */
let dir: string;
let ledger: Ledger;
let keys: KeysByOrg;
let demo: DemoResult;
const lines: string[] = [];

const keyOf = (org: string) => keys.get(org)!.apiKey;
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-wiring-'));
  ledger = await startLedger(
    loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', ANCHOR_EVERY_SECONDS: '1', LOG_LEVEL: 'silent' }),
  );
  keys = new Map(
    Object.entries(ledger.demoKeys!).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
  demo = await runDemo({
    url: ledger.url,
    keys,
    outDir: join(dir, 'out'),
    waitFinalMs: 30_000,
    log: (l) => lines.push(l),
  });
}, 90_000);

afterAll(async () => {
  await ledger?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const get = (path: string, org: string = ORG.bank) =>
  fetch(`${ledger.url}${path}`, { headers: { authorization: `Bearer ${keyOf(org)}` } });

describe('GET /v1/loans/:loanId/evidence/certificate.pdf on the real ledger', () => {
  it('the demo ran and downloaded a certificate per loan', () => {
    if (demo.failure) throw new Error(`${demo.failure.message}\n${lines.join('\n')}`);
    expect(demo.files.filter((f) => /certificate-.*\.pdf$/.test(f))).toHaveLength(demo.loanIds.length);
  });

  it('a Chinese PDF naming the enterprise, with the SHA-256 of the JSON bundle, an embedded subset CJK font', async () => {
    const loanId = demo.loanIds[1]!;
    const path = `/v1/loans/${loanId}/evidence`;
    // The bundle's latest checkpoint can move between two requests: the certificate must match the
    // JSON bytes of one of the two bundles fetched around it.
    const before = Buffer.from(await (await get(path)).arrayBuffer());
    const res = await get(`${path}/certificate.pdf`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
    const pdf = Buffer.from(await res.arrayBuffer());
    const after = Buffer.from(await (await get(path)).arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(dir, 'certificate.pdf');
    writeFileSync(file, pdf);

    const text = pdftotext(file);
    const flat = text.replace(/\s+/g, '');
    expect(text).toContain(ENTERPRISES[1].name);
    expect(text).toContain('湘江示范银行'); // the bank's registered organization name, not its id
    expect(text).not.toContain(ENTERPRISES[1].legalRepresentative.name);
    expect([sha256(before), sha256(after)].some((h) => flat.includes(h))).toBe(true);
    expect(flat).toContain('2,000,000.00'); // the approved amount, 200 万元

    const fonts = pdffonts(file);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) {
      expect(f).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
      expect(f.name).toMatch(/^[A-Z]{6}\+NotoSansSC/);
    }
  });

  it('the dispute’s certificate, for the arbitration commission', async () => {
    const { events } = await ledger.store.readAll({ max: 10_000 });
    const stream = events.find((e) => e.stream.startsWith('dispute-'))?.stream;
    expect(stream).toBeDefined();
    const disputeId = stream!.slice('dispute-'.length);
    const res = await get(`/v1/disputes/${disputeId}/evidence/certificate.pdf`, ORG.arbitration);
    expect(res.status).toBe(200);
    const file = join(dir, 'certificate-dispute.pdf');
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const text = pdftotext(file);
    expect(text).toContain(ENTERPRISES[1].name);
    expect(text).toContain('长沙仲裁委员会'); // the commission acts in the dispute's events, by its registered name
  });

  it('refuses an organization that is not a party (same access row as the bundle)', async () => {
    const outsider = [...keys].find(([, k]) => k.role === 'enterprise' && k.name !== ENTERPRISES[1].name);
    const loanId = demo.loanIds[1]!;
    const json = await get(`/v1/loans/${loanId}/evidence`, outsider![0]);
    const pdf = await get(`/v1/loans/${loanId}/evidence/certificate.pdf`, outsider![0]);
    expect(json.status).toBe(403);
    expect(pdf.status).toBe(403);
  });
});

describe('GET /v1/loans/:loanId/contract.pdf on the real ledger (the contract the ledger drafted)', () => {
  const drafted = async (loanId: string) =>
    (await ledger.store.readStream(`loan-${loanId}`)).find((e) => e.type === 'ContractDrafted')!.data;

  it('the demo wrote contract-<loanId>.pdf for both loans, each the bytes whose SHA-256 was drafted and signed', async () => {
    for (const loanId of demo.loanIds) {
      const file = demo.files.find((f) => f.endsWith(`contract-${loanId}.pdf`));
      expect(file, loanId).toBeDefined();
      const hash = sha256(readFileSync(file!));
      expect((await drafted(loanId)).documentSha256).toBe(hash);
      const signed = (await ledger.store.readStream(`loan-${loanId}`)).filter(
        (e) => e.type === 'ContractSigned',
      );
      expect(signed.length).toBe(loanId === demo.loanIds[1] ? 3 : 2);
      for (const e of signed) expect(e.data.documentSha256).toBe(hash);
    }
  });

  it('a party downloads the same bytes; the notary and the arbitration commission assigned to the loan too', async () => {
    const loanId = demo.loanIds[1]!;
    const { documentSha256 } = await drafted(loanId);
    for (const org of [
      ORG.bank,
      ENTERPRISES[1].uscc,
      ORG.guarantor,
      ORG.nationalFund,
      ORG.notary,
      ORG.arbitration,
    ]) {
      const res = await get(`/v1/loans/${loanId}/contract.pdf`, org);
      expect(res.status, org).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/pdf/);
      expect(sha256(Buffer.from(await res.arrayBuffer()))).toBe(documentSha256);
    }
  });

  it('pdftotext reads the parties, the amount in figures and 大写, the rate and the term', async () => {
    const loanId = demo.loanIds[1]!;
    const file = join(dir, 'contract-read.pdf');
    writeFileSync(file, Buffer.from(await (await get(`/v1/loans/${loanId}/contract.pdf`)).arrayBuffer()));
    const text = pdftotext(file);
    for (const name of [
      ENTERPRISES[1].name,
      '湘江示范银行长沙分行',
      '湘潭市融资担保有限公司',
      '国家融资担保基金',
      '长沙仲裁委员会',
      '湖南省长沙市长沙公证处',
    ])
      expect(text).toContain(name);
    expect(text).toContain('人民币（大写）贰佰万元整（小写：¥2,000,000.00）');
    expect(text).toContain('4.20%');
    expect(text).toContain('12 个月');
    expect(text).toContain('2026年1月10日'); // the planned disbursement date the bank gave
    expect(text).not.toContain(ENTERPRISES[1].legalRepresentative.name); // no natural person's name
  });

  it('refuses organizations that are not parties of the loan', async () => {
    const loanId = demo.loanIds[1]!;
    const outsider = [...keys].find(([, k]) => k.role === 'enterprise' && k.name !== ENTERPRISES[1].name)![0];
    for (const org of [outsider, 'regulator-hunan', 'court-changsha']) {
      const res = await get(`/v1/loans/${loanId}/contract.pdf`, org);
      expect(res.status, org).toBe(403);
    }
  });
});

describe('loan-ledger verify-contract', () => {
  const run = async (file: string, loanId: string) => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((l: string) => void out.push(l));
    try {
      const code = await verifyContractCommand.run([
        file,
        '--loan',
        loanId,
        '--url',
        ledger.url,
        '--key',
        keyOf(ORG.bank),
      ]);
      return { code, out };
    } finally {
      log.mockRestore();
    }
  };

  it('passes on the contract-<loanId>.pdf the demo wrote and fails on one modified byte', async () => {
    const loanId = demo.loanIds[1]!;
    const good = demo.files.find((f) => f.endsWith(`contract-${loanId}.pdf`))!;
    expect(good).toBeDefined();
    const bytes = readFileSync(good);
    const ok = await run(good, loanId);
    expect(ok.code, ok.out.join('\n')).toBe(0);
    expect(ok.out.filter((l) => l.startsWith('✓')).length).toBeGreaterThanOrEqual(5); // hash + 3 signatures
    expect(ok.out.some((l) => l.startsWith('✗'))).toBe(false);

    const bad = join(dir, 'contract-modified.pdf');
    const tampered = Buffer.from(bytes);
    tampered[Math.floor(tampered.length / 2)]! ^= 0x01;
    writeFileSync(bad, tampered);
    const ko = await run(bad, loanId);
    expect(ko.code).toBe(1);
    expect(ko.out.some((l) => l.startsWith('✗') && l.includes('ContractDrafted'))).toBe(true);
  });

  it('exits 2 for a file it cannot read', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await run(join(dir, 'missing.pdf'), demo.loanIds[1]!)).code).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
