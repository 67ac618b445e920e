import { mkdirSync, rmSync, statSync } from 'node:fs';
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqliteReadModelDb } from '../../projections/index.ts';
import type { SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { projectionApi } from './apiHarness.ts';
import { scenarioStore } from './scenarioStore.ts';

const CHROMIUM = '/usr/bin/chromium';
let dir: string;
let store: SqliteEventStore;
let app: FastifyInstance;
let keyOf: (org: string) => string;
let base: string;
let browser: Browser | undefined;

beforeAll(async () => {
  const scenario = await scenarioStore('proj-dash-');
  ({ dir, store } = scenario);
  // Threshold 1 so this small portfolio's cells all show (the small-cell rule has its own tests).
  ({ app, keyOf } = await projectionApi(
    {
      db: scenario.db,
      readStream: (s) => store.readStream(s),
      minEnterprises: 1,
      clock: () => new Date('2026-07-01T00:00:00.000Z'),
    },
    { 'regulator-1': { role: 'regulator' }, bankA: { role: 'bank' } },
  ));
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => {
  await browser?.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('regulator dashboard in headless Chromium', () => {
  it('shows the figures the statistics API returns, draws the charts, and is screenshotted', async () => {
    const api = (
      await app.inject({
        method: 'GET',
        url: '/v1/stats/dashboard',
        headers: { authorization: `Bearer ${keyOf('regulator-1')}` },
      })
    ).json();
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${base}/dashboard#key=${encodeURIComponent(keyOf('regulator-1'))}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
    // The key is taken out of the address bar.
    expect(page.url()).toBe(`${base}/dashboard`);

    const f = api.headline.figures;
    for (const name of [
      'registeredEnterprises',
      'applications',
      'disbursedAmount',
      'outstandingAmount',
      'compensationPaid',
      'recoveries',
      'policySupportPaid',
      'approvalRateBps',
    ]) {
      const shown = await page.getAttribute(`[data-testid="fig-${name}"]`, 'data-value');
      expect({ name, shown }).toEqual({ name, shown: String(f[name]) });
    }
    expect(await page.textContent('[data-testid="fig-disbursedAmount"] .value')).toBe('90,000.00'); // 9,000,000 fen
    expect(await page.textContent('[data-testid="fig-outstandingAmount"] .value')).toBe('76,000.00');
    expect(await page.textContent('[data-testid="fig-approvalRateBps"] .value')).toBe('83.33 %');

    // One bar per month with lending, per city, per 4321 level that paid, each carrying the API's value.
    const bars = (id: string) =>
      page.$$eval(`#${id} rect`, (rs) => rs.map((r) => Number(r.getAttribute('data-value'))));
    expect(await bars('chart-lending')).toEqual(
      api.lendingByMonth.map((m: { amount: number }) => Math.round(m.amount / 100)),
    );
    expect(await bars('chart-default')).toEqual(
      api.defaultRateByCity.map((c: { defaultRateByCountBps: number }) => c.defaultRateByCountBps),
    );
    expect(await bars('chart-shares')).toEqual(
      api.sharesPaidByLevel.map((s: { amount: number }) => Math.round(s.amount / 100)),
    );
    // G1's 代偿 1,600,000; national fund reimbursed 400,000; provincial finance 150,000 so far.
    expect(api.sharesPaidByLevel.map((s: { level: string; amount: number }) => [s.level, s.amount])).toEqual([
      ['guarantor', 1_600_000],
      ['national_fund', 400_000],
      ['provincial_finance', 150_000],
    ]);

    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/dashboard.png', fullPage: true });
    expect(statSync('test-output/dashboard.png').size).toBeGreaterThan(10_000);
    await page.close();
  });

  it('refuses a key that is not a regulator’s and asks for another', async () => {
    const page = await browser!.newPage();
    await page.goto(`${base}/dashboard#key=${encodeURIComponent(keyOf('bankA'))}`);
    await page.waitForSelector('body[data-state="error"]', { timeout: 15_000 });
    expect(await page.textContent('#error')).toMatch(/403/);
    expect(await page.isVisible('#login')).toBe(true);
    expect(await page.isVisible('#content')).toBe(false);
    await page.close();
  });
});

describe('regulator dashboard in headless Chromium, default small-cell threshold', () => {
  // The same store and browser, behind a second app with the default threshold (3): this portfolio's
  // four enterprises keep the headline visible, but every month, city and 4321 level has fewer than
  // three borrowers behind it (or is hidden with one that has), so the charts are all suppressed.
  let strict: FastifyInstance;
  let strictBase: string;
  let strictKey: (org: string) => string;
  beforeAll(async () => {
    ({ app: strict, keyOf: strictKey } = await projectionApi(
      {
        db: sqliteReadModelDb(store.db),
        readStream: (s) => store.readStream(s),
        clock: () => new Date('2026-07-01T00:00:00.000Z'),
      },
      { 'regulator-1': { role: 'regulator' } },
    ));
    strictBase = await strict.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await strict?.close();
  });

  const headline = [
    'registeredEnterprises',
    'applications',
    'approvalRateBps',
    'disbursedAmount',
    'outstandingAmount',
    'pureCreditShareBps',
    'firstTimeBorrowers',
    'medianDaysToDisbursement',
    'defaultRateByAmountBps',
    'compensationPaid',
    'recoveries',
    'policySupportPaid',
  ];
  const garbage = /\b(?:NaN|null|undefined|Infinity)\b/;

  it('shows suppressed chart cells as suppressed, never as 0, null or NaN, and the rest as the API says', async () => {
    const api = (
      await strict.inject({
        method: 'GET',
        url: '/v1/stats/dashboard',
        headers: { authorization: `Bearer ${strictKey('regulator-1')}` },
      })
    ).json();
    // What the statistics API hides at the default threshold.
    expect(api.minEnterprises).toBe(3);
    expect(api.headline.suppressed).toBe(false);
    expect(api.lendingByMonth).toEqual([
      { month: '2026-01', amount: null, count: null },
      { month: '2026-02', amount: null, count: null },
      { month: '2026-03', amount: null, count: null },
    ]);
    expect(api.defaultRateByCity).toEqual([
      { city: '430100', suppressed: true, defaultRateByCountBps: null, disbursedAmount: null },
      { city: '430200', suppressed: true, defaultRateByCountBps: null, disbursedAmount: null },
    ]);
    expect(api.sharesPaidByLevel).toEqual([
      { level: 'guarantor', amount: null },
      { level: 'national_fund', amount: null },
      { level: 'provincial_finance', amount: null },
    ]);

    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${strictBase}/dashboard#key=${encodeURIComponent(strictKey('regulator-1'))}`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });

    // Unsuppressed headline figures: the API's values, formatted as in the threshold-1 case.
    const f = api.headline.figures;
    for (const name of headline) {
      expect(f[name], name).not.toBeNull();
      const shown = await page.getAttribute(`[data-testid="fig-${name}"]`, 'data-value');
      expect({ name, shown }).toEqual({ name, shown: String(f[name]) });
    }
    expect(await page.textContent('[data-testid="fig-disbursedAmount"] .value')).toBe('90,000.00');
    expect(await page.textContent('[data-testid="fig-outstandingAmount"] .value')).toBe('76,000.00');
    expect(await page.textContent('[data-testid="fig-approvalRateBps"] .value')).toBe('83.33 %');
    expect(await page.textContent('[data-testid="fig-compensationPaid"] .value')).toBe('16,000.00');

    // Every suppressed cell: no bar (a bar of height 0 would read as 0), a 'suppressed' label, then its axis label.
    const chart = (id: string) =>
      page.$eval(`#${id}`, (c) => ({
        bars: c.querySelectorAll('rect').length,
        texts: [...c.querySelectorAll('text')].map((t) => t.textContent),
        text: c.textContent ?? '',
      }));
    const expectSuppressed = async (id: string, labels: string[]) => {
      const c = await chart(id);
      expect(c.bars).toBe(0);
      expect(c.texts).toEqual(labels.flatMap((l) => ['suppressed', l]));
      expect(c.text).not.toMatch(garbage);
    };
    await expectSuppressed('chart-lending', ['26-01', '26-02', '26-03']);
    await expectSuppressed('chart-default', ['Changsha', 'Zhuzhou']);
    await expectSuppressed('chart-shares', ['guarantor', 'national fund', 'provincial finance']);

    // Everything the page shows (innerText: rendered text, not the script's source).
    expect(await page.innerText('main')).not.toMatch(garbage);
    expect(await page.innerText('#cards')).not.toMatch(garbage);
    expect(await page.textContent('#note')).toMatch(/fewer than 3 enterprises are suppressed/);

    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/dashboard-suppressed.png', fullPage: true });
    expect(statSync('test-output/dashboard-suppressed.png').size).toBeGreaterThan(10_000);
    await page.close();
  });
});
