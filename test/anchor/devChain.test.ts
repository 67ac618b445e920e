import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChainClient } from '../../src/anchor/chainClient.ts';
import { readChainFile, startDevChain, type DevChain } from '../../src/anchor/devChain.ts';

/** The embedded dev chain: deploys once, persists contract and anchors across restarts. */

let chain: DevChain | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await chain?.stop();
  chain = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const LOG = `0x${'ab'.repeat(32)}`;
const ROOT = `0x${'cd'.repeat(32)}`;

describe('startDevChain', () => {
  it('deploys on first start, writes chain.json, and keeps contract and anchors after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'devchain-'));
    dirs.push(dataDir);

    chain = await startDevChain({ dataDir });
    expect(chain.deployed).toBe(true);
    const first = readChainFile(dataDir);
    expect(first).toEqual({ rpcUrl: chain.rpcUrl, chainId: 31337, contract: chain.contract });
    expect(Object.keys(JSON.parse(readFileSync(join(dataDir, 'chain.json'), 'utf8'))).sort()).toEqual([
      'chainId',
      'contract',
      'rpcUrl',
    ]);

    const client = new ChainClient({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.operatorKey,
      contract: chain.contract,
    });
    const tx = await client.prepareAnchor(LOG, 42, ROOT);
    await client.broadcast(tx.rawTx);
    const receipt = await client.waitForReceipt(tx.txHash, 10_000);
    client.close();
    await chain.stop();
    chain = undefined;

    chain = await startDevChain({ dataDir });
    expect(chain.deployed).toBe(false);
    expect(chain.contract).toBe(first.contract);
    expect(readChainFile(dataDir).rpcUrl).toBe(chain.rpcUrl);
    const again = new ChainClient({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.operatorKey,
      contract: chain.contract,
    });
    try {
      expect(await again.latestAnchor(LOG)).toEqual({ treeSize: 42, root: ROOT });
      const kept = await again.receipt(tx.txHash);
      expect(kept?.blockHash).toBe(receipt.blockHash);
      expect((await again.block(receipt.blockNumber))?.hash).toBe(receipt.blockHash);
    } finally {
      again.close();
    }
  });

  it('redeploys when the state file is gone but chain.json remains', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'devchain-'));
    dirs.push(dataDir);
    chain = await startDevChain({ dataDir });
    await chain.stop();
    chain = undefined;
    rmSync(join(dataDir, 'anvil-state.json'));
    chain = await startDevChain({ dataDir });
    expect(chain.deployed).toBe(true);
    expect(readChainFile(dataDir).contract).toBe(chain.contract);
  });
});
