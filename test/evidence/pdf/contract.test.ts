import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractSha256, renderLoanContract } from '../../../src/evidence/pdf/contract.ts';
import { isLedgerError } from '../../../src/errors.ts';
import { contractTerms, NAMES } from './fixtures.ts';
import { wordsWithoutInk } from './inkCheck.ts';
import { darkPixels, pdffonts, pdftotext, pngSize, renderGray } from './poppler.ts';

describe('loan contract PDF (read back with poppler)', () => {
  const terms = contractTerms();
  let dir: string;
  let file: string;
  let bytes: Uint8Array;
  let text: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'contract-'));
    bytes = await renderLoanContract(terms);
    file = join(dir, 'contract.pdf');
    writeFileSync(file, bytes);
    text = pdftotext(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the parties and states the amount in figures and in 大写', () => {
    expect(text).toContain('借款合同');
    for (const name of [NAMES.bank, NAMES.enterprise, NAMES.guarantor, NAMES.arbitration, NAMES.notary]) {
      expect(text).toContain(name);
    }
    expect(text).toContain('人民币（大写）叁佰万元整（小写：¥3,000,000.00）');
    expect(text).toContain('张晓明');
  });

  it('states the rate with two decimals, the term and the whole schedule with totals', () => {
    expect(text).toContain('4.35%');
    expect(text).toContain('12 个月');
    expect(text).toContain('2026年3月15日');
    for (const row of terms.schedule) {
      expect(text).toContain(row.dueDate);
    }
    expect(text).toContain('10,875.00'); // first month's interest: 3,000,000.00 × 4.35% / 12
    const interest = terms.schedule.reduce((s, r) => s + r.interestFen, 0);
    expect(interest).toBe(7_068_750);
    expect(text).toContain('70,687.50');
    expect(text).toContain('3,070,687.50');
    expect(text).toContain('应还利息合计人民币（大写）柒万零陆佰捌拾柒元伍角');
  });

  it('has the guarantee and 4321, online arbitration, notarization consent and e-signature clauses', () => {
    expect(text).toContain('连带责任保证');
    expect(text).toContain('80.00%');
    expect(text).toContain('“4321”');
    expect(text).toContain('先代偿、后分险');
    expect(text).toMatch(/30\.00%[\s\S]*20\.00%[\s\S]*10\.00%/);
    expect(text).toContain('网上仲裁');
    expect(text).toContain('赋予强制执行效力的债权文书公证');
    expect(text).toContain('执行证书');
    expect(text).toContain('Ed25519');
  });

  it('embeds a subset of the CJK font and renders with ink', () => {
    for (const f of pdffonts(file)) {
      expect(f).toMatchObject({ type: 'CID TrueType', emb: 'yes', sub: 'yes' });
      expect(f.name).toMatch(/^[A-Z]{6}\+NotoSansSC-(Regular|Bold)$/);
    }
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '50',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      file,
      join(dir, 'page1'),
    ]);
    expect(pngSize(join(dir, 'page1.png')).height).toBeGreaterThan(500);
    const img = renderGray(file, 1, 50, join(dir, 'gray'));
    expect(darkPixels(img) / (img.width * img.height)).toBeGreaterThan(0.02);
    expect(wordsWithoutInk(file, 1, join(dir, 'ink'))).toEqual([]);
  });

  it('is deterministic, and its hash is the SHA-256 of the file as sha256sum computes it', async () => {
    const again = await renderLoanContract(contractTerms());
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const sum = execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
    expect(contractSha256(bytes)).toBe(sum);
    const changed = contractTerms();
    changed.annualRateBps = 436;
    expect(contractSha256(await renderLoanContract(changed))).not.toBe(sum);
  });

  it('refuses terms whose schedule, risk shares or dates do not add up', async () => {
    const schedule = contractTerms();
    schedule.schedule[0]!.principalFen += 1;
    const shares = contractTerms();
    shares.riskShares![0]!.bps = 1_999;
    const dates = contractTerms();
    dates.schedule[3]!.dueDate = '2026-01-01';
    // A guarantor without the guarantee, shares and programme (or the reverse) is neither kind of loan.
    const half = contractTerms();
    delete half.riskShares;
    for (const bad of [schedule, shares, dates, half]) {
      const error = await renderLoanContract(bad).catch((e: unknown) => e);
      expect(isLedgerError(error) && error.code).toBe('LL_VALIDATION_FAILED');
    }
  });
});
