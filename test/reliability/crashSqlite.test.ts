import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import { crashUnderLoad } from './harness/crashScenario.ts';
import { writeReliabilityNumbers } from './harness/reliabilityDoc.ts';

/** Crash under load on the embedded SQLite store (docs/reliability.md, section "crash"). */
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 20);

let dir: string;
let chain: ChainFixture;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-crash-sqlite-'));
  chain = await startChainFixture();
});
afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('crash under load: SQLite', () => {
  it(`SIGKILLed ${KILLS} times under 32 clients: nothing acknowledged lost or doubled, log consistent, read models = rebuild`, async () => {
    const report = await crashUnderLoad({
      dataDir: join(dir, 'data'),
      chain: { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract },
      kills: KILLS,
      clients: 32,
      loadMs: [150, 600],
      seed: Date.now() % 100_000,
      log: (l) => console.log(`[crash sqlite] ${l}`),
    });
    console.log(`[crash sqlite] ${JSON.stringify(report)}`);
    writeReliabilityNumbers('crash-sqlite', report);
    expect(report.problems).toEqual([]);
    expect(report.kills).toBe(KILLS);
    expect(report.acknowledged).toBeGreaterThan(KILLS * 10);
    expect(report.consistencyProofs).toBeGreaterThan(KILLS);
    expect(report.projectionRows).toBeGreaterThan(0);
  }, 600_000);
});
