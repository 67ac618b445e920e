import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { readDemoKeys } from '../../src/app/demoOrganizations.ts';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { parseCheckpointText } from '../../src/ledger/checkpoint.ts';
import { verifyConsistency } from '../../src/ledger/merkle.ts';

/** `npm start` as a user gets it: embedded store, embedded dev chain, demo keys — and again after a restart. */
const dir = mkdtempSync(join(tmpdir(), 'll-ledger-'));
const config = loadConfig({
  DATA_DIR: dir,
  PORT: '0',
  LOG_LEVEL: 'silent',
  ANCHOR_EVERY_SECONDS: '1',
  STATS_MIN_ENTERPRISES: '4',
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waitFor = async <T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

async function get(ledger: Ledger, path: string, key: string) {
  const res = await fetch(`${ledger.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text() };
}

describe('the ledger on its embedded defaults', () => {
  let firstCheckpoint: { size: number; root: string } | undefined;

  it('starts, writes demo keys (0600), signs a checkpoint and anchors it to final', async () => {
    const ledger = await startLedger(config);
    try {
      expect(ledger.demoKeys).toBeDefined();
      expect(statSync(join(dir, 'demo-keys.json')).mode & 0o777).toBe(0o600);
      const chain = JSON.parse(readFileSync(join(dir, 'chain.json'), 'utf8'));
      expect(chain.contract).toMatch(/^0x[0-9a-fA-F]{40}$/);
      const regulator = Object.values(readDemoKeys(dir)!).find((k) => k.role === 'regulator')!.apiKey;

      const ready = await fetch(`${ledger.url}/readyz`);
      expect(ready.status).toBe(200);
      // The projections check reports the lag and the stopped views; a stopped view would not fail it.
      const readiness = (await ready.json()) as {
        checks: Record<string, { ok: boolean; info?: Record<string, unknown> }>;
      };
      expect(readiness.checks.projections).toEqual({
        ok: true,
        info: { lagEvents: expect.any(Number), failedViews: 0, views: null },
      });
      expect(readiness.checks.projections!.info!.lagEvents).toBeGreaterThanOrEqual(0);
      const metrics = await (await fetch(`${ledger.url}/metrics`)).text();
      expect(metrics).toMatch(/^loan_ledger_projection_lag_events \d+$/m);
      // The Merkle log size gauge: the demo organizations' registrations and keys are leaves.
      expect(Number(/^loan_ledger_log_size (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(
        2 * Object.keys(ledger.demoKeys!).length,
      );
      // STATS_MIN_ENTERPRISES reaches the statistics routes.
      const stats = await get(ledger, '/v1/stats', regulator);
      expect(stats.status).toBe(200);
      expect(JSON.parse(stats.text)).toMatchObject({ minEnterprises: 4 });
      const note = await get(ledger, '/v1/log/checkpoint', regulator);
      expect(note.status).toBe(200);
      const cp = parseCheckpointText(note.text.split('\n\n')[0]! + '\n');
      // every demo organization registration and key issue is a leaf
      expect(cp.size).toBeGreaterThanOrEqual(2 * Object.keys(ledger.demoKeys!).length);
      firstCheckpoint = { size: cp.size, root: Buffer.from(cp.root).toString('base64') };

      const anchors = await waitFor('a final anchor', async () => {
        const r = await get(ledger, '/v1/log/anchors', regulator);
        const list = JSON.parse(r.text) as { status: string; treeSize: number; root: string }[];
        return list.find((a) => a.status === 'final' && a.treeSize === cp.size);
      });
      expect(anchors.root).toBe(firstCheckpoint.root);
    } finally {
      await ledger.close();
    }
  });

  it('restarts on the same data: no new demo keys, the old checkpoint is consistent with the new tree', async () => {
    const ledger = await startLedger(config);
    try {
      expect(ledger.demoKeys).toBeUndefined();
      const regulator = Object.values(readDemoKeys(dir)!).find((k) => k.role === 'regulator')!.apiKey;
      const operator = Object.values(readDemoKeys(dir)!).find((k) => k.role === 'operator')!.apiKey;
      const anchorNow = (key: string) =>
        fetch(`${ledger.url}/v1/log/anchors`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: '{}',
        });
      expect((await anchorNow(regulator)).status).toBe(403); // only the operator may ask
      const asked = await anchorNow(operator);
      expect(asked.status).toBe(202);
      const log = ledger.verifiableLog.log;
      expect(Buffer.from(log.root(firstCheckpoint!.size)).toString('base64')).toBe(firstCheckpoint!.root);
      const r = await get(
        ledger,
        `/v1/log/proof/consistency?first=${firstCheckpoint!.size}&second=${log.size}`,
        regulator,
      );
      expect(r.status).toBe(200);
      const proof = (JSON.parse(r.text) as { path: string[] }).path.map((p) => Buffer.from(p, 'base64'));
      expect(
        verifyConsistency(
          firstCheckpoint!.size,
          log.size,
          Buffer.from(firstCheckpoint!.root, 'base64'),
          log.root(),
          proof,
        ),
      ).toBe(true);
    } finally {
      await ledger.close();
    }
  });
});
