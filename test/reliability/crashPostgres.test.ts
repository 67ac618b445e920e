import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase } from '../support/postgresServer.ts';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import { crashUnderLoad } from './harness/crashScenario.ts';
import { writeReliabilityNumbers } from './harness/reliabilityDoc.ts';

/** Crash under load on the PostgreSQL store (a fresh database on the test server) (docs/reliability.md, section "crash"). */
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 20);

let dir: string;
let chain: ChainFixture;
let databaseUrl: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-crash-pg-'));
  chain = await startChainFixture();
  databaseUrl = await createDatabase(inject('postgresUrl'), `ll_crash_${process.pid}`);
});
afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash under load: PostgreSQL', () => {
  it(`SIGKILLed ${KILLS} times under 32 clients: nothing acknowledged lost or doubled, log consistent, read models = rebuild`, async () => {
    const report = await crashUnderLoad({
      dataDir: join(dir, 'data'),
      databaseUrl,
      chain: { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract },
      kills: KILLS,
      clients: 32,
      loadMs: [150, 600],
      seed: Date.now() % 100_000,
      log: (l) => console.log(`[crash postgres] ${l}`),
    });
    console.log(`[crash postgres] ${JSON.stringify(report)}`);
    writeReliabilityNumbers('crash-postgres', report);
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(KILLS);
    expect(report.acknowledged).toBeGreaterThan(KILLS * 10);
    expect(report.consistencyProofs).toBeGreaterThan(KILLS);
    expect(report.projectionRows).toBeGreaterThan(0);
  }, 600_000);
});
