import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEvidenceCertificate } from '../../../src/evidence/pdf/certificate.ts';
import { isLedgerError } from '../../../src/errors.ts';
import { certificateInput, NAMES } from './fixtures.ts';
import { wordsWithoutInk } from './inkCheck.ts';
import { darkPixels, pdffonts, pdftotext, pngSize, renderGray } from './poppler.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('evidence certificate PDF (read back with poppler)', () => {
  const input = certificateInput(100);
  let dir: string;
  let file: string;
  let bytes: Uint8Array;
  let text: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'certificate-'));
    bytes = await renderEvidenceCertificate(input);
    file = join(dir, 'certificate.pdf');
    writeFileSync(file, bytes);
    text = pdftotext(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('states the parties, the loan, its amount in figures and in 大写', () => {
    for (const name of [NAMES.enterprise, NAMES.bank, NAMES.guarantor, NAMES.reguarantor])
      expect(text).toContain(name);
    expect(text).toContain('电子数据存证证书');
    expect(text).toContain(input.loan.id);
    expect(text).toContain('¥1,234,567.89');
    expect(text).toContain('人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分');
    expect(text).toContain('91430100MA4L00001J');
  });

  it('states the checkpoint, the anchor and the bundle hash', () => {
    expect(text).toContain(input.checkpoint.origin);
    expect(text).toContain(input.checkpoint.rootHash);
    expect(text).toContain(Buffer.from(input.checkpoint.rootHash, 'hex').toString('base64'));
    expect(text).toContain(input.anchor.txHash);
    expect(text).toContain(input.anchor.contract);
    expect(text).toContain(String(input.anchor.blockNumber));
    expect(text).toContain('已上链并达到最终确认');
    expect(text).toContain(input.bundle.sha256);
  });

  it('lists every event with its log index and leaf hash, paginated with a repeated header', () => {
    for (const e of input.events) {
      // A 64-digit hash wraps inside its cell: both ends must be printed.
      expect(text).toContain(e.leafHash.slice(0, 24));
      expect(text).toContain(e.leafHash.slice(-24));
      expect(text).toContain(String(e.logIndex));
    }
    expect(text).toContain('2026-03-02\n09:30:00.000'); // UTC 01:30 shown as Beijing time
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
    expect(pages).toBeGreaterThanOrEqual(4);
    expect(text).toContain('（续表）');
    expect(text).toMatch(new RegExp(`第\\s*${pages}\\s*页\\s*/\\s*共\\s*${pages}\\s*页`));
  });

  it('says how to verify independently and which law applies', () => {
    expect(text).toContain('loan-ledger verify loan-evidence.json --rpc http://127.0.0.1:8545');
    expect(text).toContain('RFC 8785');
    expect(text).toContain('《人民法院在线诉讼规则》');
    expect(text).toContain('第十六条');
    expect(text).toContain('《最高人民法院关于互联网法院审理案件若干问题的规定》第十一条');
  });

  it('embeds a subset of the CJK font', () => {
    const fonts = pdffonts(file);
    expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual([
      'NotoSansSC-Bold',
      'NotoSansSC-Regular',
    ]);
    for (const f of fonts) {
      expect(f).toMatchObject({ type: 'CID TrueType', emb: 'yes', sub: 'yes', uni: 'yes' });
      expect(f.name).toMatch(/^[A-Z]{6}\+NotoSansSC-/);
    }
    // The whole font is ~10 MB per weight; a subset of a few hundred glyphs is far smaller.
    expect(bytes.length).toBeLessThan(400_000);
  });

  it('renders page 1 with ink: a PNG, dark pixels, and every word visibly drawn', () => {
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
    const png = pngSize(join(dir, 'page1.png'));
    expect(png.width).toBeGreaterThan(400); // A4 at 50 dpi is 413 × 585
    const img = renderGray(file, 1, 50, join(dir, 'page1-gray'));
    const dark = darkPixels(img);
    expect(dark / (img.width * img.height)).toBeGreaterThan(0.02);
    expect(dark / (img.width * img.height)).toBeLessThan(0.5);
    expect(wordsWithoutInk(file, 1, join(dir, 'ink1'))).toEqual([]);
    expect(wordsWithoutInk(file, 2, join(dir, 'ink2'))).toEqual([]);
  });

  it('draws the QR code of the bundle hash in the top-right corner', () => {
    const img = renderGray(file, 1, 72, join(dir, 'qr'));
    // The QR square: x 453–545, y 42–134 in points (72 dpi = 1 px per point); about half its modules are dark.
    const qrDark = darkPixels(img, 462, 51, 536, 125, 128);
    expect(qrDark / (74 * 74)).toBeGreaterThan(0.3);
    expect(qrDark / (74 * 74)).toBeLessThan(0.7);
  });

  it('gives identical bytes for the same input, also in a fresh process', async () => {
    expect(sha256(await renderEvidenceCertificate(certificateInput(100)))).toBe(sha256(bytes));
    const script = join(dir, 'render.mts');
    writeFileSync(
      script,
      `import { renderEvidenceCertificate } from ${JSON.stringify(new URL('../../../src/evidence/pdf/certificate.ts', import.meta.url).href)};
import { certificateInput } from ${JSON.stringify(new URL('./fixtures.ts', import.meta.url).href)};
import { createHash } from 'node:crypto';
process.stdout.write(createHash('sha256').update(await renderEvidenceCertificate(certificateInput(100))).digest('hex'));`,
    );
    const fresh = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(fresh).toBe(sha256(bytes));
    const other = certificateInput(100);
    other.loan.amountFen += 1;
    expect(sha256(await renderEvidenceCertificate(other))).not.toBe(sha256(bytes));
  });

  it('refuses input that does not hold together, with LL_VALIDATION_FAILED', async () => {
    const beyond = certificateInput(3);
    beyond.events[2]!.logIndex = beyond.checkpoint.treeSize;
    const badHash = certificateInput(3);
    badHash.bundle.sha256 = 'ABC';
    const fractional = certificateInput(3);
    fractional.loan.amountFen = 12.5;
    for (const bad of [beyond, badHash, fractional]) {
      const error = await renderEvidenceCertificate(bad).catch((e: unknown) => e);
      expect(isLedgerError(error) && error.code).toBe('LL_VALIDATION_FAILED');
    }
  });

  it('refuses a character the font cannot draw rather than print an empty box', async () => {
    const input = certificateInput(2);
    input.parties[0]!.name = '湖南𓀀科技有限公司';
    const error = await renderEvidenceCertificate(input).catch((e: unknown) => e);
    expect(isLedgerError(error) && error.code).toBe('LL_VALIDATION_FAILED');
    expect(isLedgerError(error) && error.details).toEqual({ missingCharacters: ['U+13000'] });
  });
});
