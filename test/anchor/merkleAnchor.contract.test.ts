import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnchorRefused, anchorInterface } from '../../src/anchor/chainClient.ts';
import { merkleAnchorArtifact } from '../../src/anchor/contractArtifact.ts';
import { DEV_OTHER_KEY } from '../../src/anchor/devKeys.ts';
import { startChainFixture, type ChainFixture } from './chainFixture.ts';
import { opcodes } from './opcodes.ts';

/** MerkleAnchor.sol against a real anvil: the contract's rules, its event, its storage. */

const LOG = `0x${'11'.repeat(32)}`;
const OTHER_LOG = `0x${'22'.repeat(32)}`;
const root = (b: number) => `0x${b.toString(16).padStart(2, '0').repeat(32)}`;

let f: ChainFixture;
beforeAll(async () => {
  f = await startChainFixture();
});
afterAll(async () => {
  await f?.stop();
});

async function anchor(logId: string, size: number, r: string, client = f.client) {
  const tx = await client.prepareAnchor(logId, size, r);
  await client.broadcast(tx.rawTx);
  return client.waitForReceipt(tx.txHash, 10_000);
}

describe('MerkleAnchor on anvil', () => {
  it('an anchor lands, and receipt, log query and latest() all say the same thing', async () => {
    const receipt = await anchor(LOG, 8, root(0xaa));
    expect(receipt.status).toBe('success');
    const [fromReceipt, ...more] = f.client.anchoredInReceipt(receipt);
    expect(more).toHaveLength(0);
    expect(fromReceipt).toMatchObject({
      logId: LOG,
      treeSize: 8,
      root: root(0xaa),
      txHash: receipt.transactionHash,
    });
    expect(fromReceipt?.blockHash).toBe(receipt.blockHash);

    const fromLogs = await f.client.anchoredEvents(LOG, 0);
    expect(fromLogs).toEqual([fromReceipt]);
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 8, root: root(0xaa) });

    const block = await f.client.block(receipt.blockNumber);
    expect(block?.hash).toBe(receipt.blockHash);
  });

  it('logs are independent: another log id starts from nothing', async () => {
    expect(await f.client.latestAnchor(OTHER_LOG)).toEqual({ treeSize: 0, root: `0x${'00'.repeat(32)}` });
    expect((await anchor(OTHER_LOG, 1, root(0x01))).status).toBe('success');
    expect((await f.client.latestAnchor(LOG)).treeSize).toBe(8);
  });

  it('refuses a tree size that does not grow (smaller or equal), leaving the latest anchor alone', async () => {
    await expect(f.client.prepareAnchor(LOG, 7, root(0xbb))).rejects.toMatchObject({
      name: 'AnchorRefused',
      reason: 'TreeSizeNotGrowing',
    });
    await expect(f.client.prepareAnchor(LOG, 8, root(0xbb))).rejects.toBeInstanceOf(AnchorRefused);
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 8, root: root(0xaa) });
    expect((await anchor(LOG, 9, root(0xcc))).status).toBe('success');
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 9, root: root(0xcc) });
  });

  it('a mined transaction with a shrinking size reverts on chain, not only in the estimate', async () => {
    expect((await anchor(LOG, 20, root(0x20))).status).toBe('success');
    // Past the estimate: anvil signs for its unlocked dev accounts, with an explicit gas limit.
    const data = anchorInterface().encodeFunctionData('anchor', [LOG, 15, root(0x15)]);
    const hash = (await f.call('eth_sendTransaction', [
      { from: f.client.operator, to: f.contract, data, gas: '0x30000' },
    ])) as string;
    const r = await f.client.waitForReceipt(hash, 10_000);
    expect(r.status).toBe('reverted');
    expect(f.client.anchoredInReceipt(r)).toEqual([]);
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 20, root: root(0x20) });
  });

  it('refuses a sender that is not the operator', async () => {
    const stranger = f.clientFor(DEV_OTHER_KEY);
    await expect(stranger.prepareAnchor(LOG, 1000, root(0xee))).rejects.toMatchObject({
      reason: 'NotOperator',
    });
    expect((await f.client.latestAnchor(LOG)).treeSize).toBe(20);
  });

  it('the operator can hand over the role, and then only the new operator can anchor', async () => {
    const iface = anchorInterface();
    const stranger = f.clientFor(DEV_OTHER_KEY);
    const send = (from: string, data: string) =>
      f.call('eth_sendTransaction', [{ from, to: f.contract, data, gas: '0x30000' }]) as Promise<string>;
    const h = await send(
      f.client.operator,
      iface.encodeFunctionData('transferOperator', [stranger.operator]),
    );
    expect((await f.client.waitForReceipt(h, 10_000)).status).toBe('success');
    await expect(f.client.prepareAnchor(LOG, 1000, root(0xee))).rejects.toMatchObject({
      reason: 'NotOperator',
    });
    expect((await anchor(LOG, 1000, root(0xee), stranger)).status).toBe('success');
    // hand it back so the key stays the operator for anything after this test
    const back = await send(
      stranger.operator,
      iface.encodeFunctionData('transferOperator', [f.client.operator]),
    );
    expect((await f.client.waitForReceipt(back, 10_000)).status).toBe('success');
  });

  it('the deployed code uses no opcode newer than the pinned evmVersion (no PUSH0 for paris)', async () => {
    const code = await f.client.code(f.contract);
    expect(code).toBe(merkleAnchorArtifact().deployedBytecode);
    expect(opcodes(code)).not.toContain(0x5f); // PUSH0, Shanghai
    expect(opcodes(code)).not.toContain(0x5e); // MCOPY, Cancun
    expect(opcodes(code)).not.toContain(0x5c); // TLOAD, Cancun
  });
});
