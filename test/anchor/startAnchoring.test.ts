import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteAnchorRepository } from '../../src/anchor/anchorRepository.ts';
import { chainConfigFromEnv, logIdForOrigin } from '../../src/anchor/config.ts';
import { startAnchoring } from '../../src/anchor/startAnchoring.ts';

describe('startAnchoring with no RPC URL', () => {
  it('runs the dev chain and anchors the latest checkpoint in the background', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'anchoring-'));
    const repo = new SqliteAnchorRepository(join(dataDir, 'anchors.db'));
    const chain = chainConfigFromEnv({ DATA_DIR: dataDir });
    expect(chain.kind).toBe('dev');
    const anchoring = await startAnchoring({
      chain,
      repo,
      source: { latest: () => ({ treeSize: 3, rootHash: new Uint8Array(32).fill(7) }) },
      config: { logId: logIdForOrigin('test.example/log'), everyEvents: 1, pollIntervalMs: 20 },
    });
    try {
      const rec = await anchoring.anchorer.anchorNow({ waitFor: 'included', timeoutMs: 10_000 });
      expect(rec).toMatchObject({
        treeSize: 3,
        status: 'included',
        chainId: 31337,
        contract: anchoring.devChain?.contract,
      });
      expect(await anchoring.client.latestAnchor(logIdForOrigin('test.example/log'))).toEqual({
        treeSize: 3,
        root: `0x${'07'.repeat(32)}`,
      });
    } finally {
      await anchoring.stop();
      repo.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an RPC URL needs the key and the contract', () => {
    expect(() => chainConfigFromEnv({ DATA_DIR: '/x', ANCHOR_RPC_URL: 'http://127.0.0.1:8545' })).toThrow();
    expect(
      chainConfigFromEnv({
        DATA_DIR: '/x',
        ANCHOR_RPC_URL: 'http://127.0.0.1:8545',
        ANCHOR_PRIVATE_KEY: `0x${'1'.repeat(64)}`,
        ANCHOR_CONTRACT: `0x${'2'.repeat(40)}`,
        ANCHOR_GAS_PRICE_WEI: '0',
      }),
    ).toMatchObject({ kind: 'rpc', gasPriceWei: 0n });
  });
});
