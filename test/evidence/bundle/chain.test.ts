import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChainClient, anchorInterface } from '../../../src/anchor/chainClient.ts';
import { logIdForOrigin } from '../../../src/anchor/config.ts';
import { merkleAnchorArtifact } from '../../../src/anchor/contractArtifact.ts';
import { DEV_OPERATOR_KEY, DEV_OTHER_KEY } from '../../../src/anchor/devKeys.ts';
import { buildBundle, type AnchorRecordView } from '../../../src/evidence/bundle/build.ts';
import type { EvidenceBundle } from '../../../src/evidence/bundle/format.ts';
import { loanEvents } from '../../../src/evidence/bundle/subjects.ts';
import { verifyBundle, type VerifyReport } from '../../../src/evidence/bundle/verifyBundle.ts';
import { startChainFixture, type ChainFixture } from '../../anchor/chainFixture.ts';
import { makeEvent, openLedger, seedLoanStory, type Ledger } from './fixture.ts';
import { getAt, leafPaths, mutateLeaf, setAt } from './mutate.ts';

/**
 * Bundles against a real anvil (MerkleAnchor deployed, finalized = latest − 2): the round trip, each
 * anchor field tampered, another contract, a reverted transaction, a re-org after the bundle was made,
 * and the CLI's exit codes.
 */

let f: ChainFixture;
let l: Ledger;
let bundle: EvidenceBundle;
let dir: string;

async function anchorOnChain(client: ChainClient, ledger: Ledger, size: number): Promise<AnchorRecordView> {
  const root = `0x${Buffer.from(ledger.tree.root(size)).toString('hex')}`;
  const logId = logIdForOrigin(ledger.log.name);
  const tx = await client.prepareAnchor(logId, size, root);
  await client.broadcast(tx.rawTx);
  const receipt = await client.waitForReceipt(tx.txHash, 10_000);
  return {
    treeSize: size,
    root,
    chainId: await client.chainId(),
    contract: client.contract,
    logId,
    txHash: receipt.transactionHash,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    status: 'included',
  };
}

const failed = (r: VerifyReport) => r.checks.filter((c) => c.status === 'fail');
const verifyOnChain = (b: unknown, extra: { expectedContract?: string } = {}) =>
  verifyBundle(b, { rpcUrl: f.anvil.rpcUrl, ...extra });

beforeAll(async () => {
  f = await startChainFixture();
  dir = mkdtempSync(join(tmpdir(), 'evidence-chain-'));
  l = await openLedger();
  await seedLoanStory(l);
  l.anchors.push(await anchorOnChain(f.client, l, l.tree.size));
  await l.append('loan-OTHER', [makeEvent('LoanRepaid', { loanId: 'OTHER', amountFen: 5 })]);
  await f.mine(3);
  bundle = await buildBundle({ kind: 'loan', id: 'L1' }, await loanEvents(l.store, 'L1'), l.sources());
});
afterAll(async () => {
  await l?.close();
  await f?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('evidence bundle against a real chain', () => {
  it('round trip: every offline and chain check passes', async () => {
    const r = await verifyOnChain(bundle, { expectedContract: f.contract });
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    for (const id of [
      'chain.id',
      'chain.transaction',
      'chain.contract',
      'chain.event',
      'chain.block',
      'chain.finality',
    ]) {
      expect(
        r.checks.find((c) => c.check === id),
        id,
      ).toMatchObject({ status: 'pass' });
    }
  });

  it('without --rpc the anchor is reported as not checked on chain', async () => {
    const r = await verifyBundle(bundle);
    expect(r.ok).toBe(true);
    expect(r.checks.at(-1)).toMatchObject({ check: 'chain', status: 'skip' });
  });

  it('one changed character in each anchor field fails, naming the check', async () => {
    const expected: Record<string, string[]> = {
      chainId: ['chain.id'],
      contract: ['chain.contract'],
      logId: ['anchor.logId'],
      txHash: ['chain.transaction'],
      blockNumber: ['chain.block'],
      blockHash: ['chain.block'],
    };
    const paths = leafPaths(bundle).filter((p) => p[0] === 'anchor' && p[1] !== 'status');
    expect(paths.map((p) => p[1]).sort()).toEqual(Object.keys(expected).sort());
    for (const path of paths) {
      const leaf = getAt(bundle, path);
      const r = await verifyOnChain(setAt(bundle, path, mutateLeaf(leaf, 20, 5)));
      expect(r.ok, path.join('.')).toBe(false);
      expect(expected[path[1] as string], `${path.join('.')}: ${failed(r)[0]?.detail}`).toContain(
        failed(r)[0]?.check,
      );
    }
  });

  it('an anchor transaction to another contract, or a bundle naming another contract, fails', async () => {
    const other = await f.client.deploy(merkleAnchorArtifact().bytecode);
    const clientOnOther = new ChainClient({
      rpcUrl: f.anvil.rpcUrl,
      privateKey: DEV_OPERATOR_KEY,
      contract: other.contract,
      pollingIntervalMs: 20,
    });
    try {
      const rec = await anchorOnChain(clientOnOther, l, l.anchors[0]!.treeSize);
      await f.mine(3);
      // The bundle names our contract but its transaction went to the other one.
      const mixed = {
        ...bundle,
        anchor: {
          ...bundle.anchor,
          txHash: rec.txHash,
          blockNumber: rec.blockNumber!,
          blockHash: rec.blockHash!,
        },
      };
      const r1 = await verifyOnChain(mixed);
      expect(failed(r1)[0]).toMatchObject({ check: 'chain.contract' });
      expect(failed(r1)[0]!.detail).toContain(`not the contract ${bundle.anchor.contract}`);
      // Honest about the other contract: consistent on chain, refused when the verifier pins ours.
      const elsewhere = { ...mixed, anchor: { ...mixed.anchor, contract: other.contract.toLowerCase() } };
      expect((await verifyOnChain(elsewhere)).ok).toBe(true);
      const r2 = await verifyOnChain(elsewhere, { expectedContract: f.contract });
      expect(failed(r2).map((c) => c.check)).toEqual(['anchor.contract']);
      expect(failed(r2)[0]!.detail).toContain('another deployment');
    } finally {
      clientOnOther.close();
    }
  });

  it('a reverted transaction fails with "reverted"', async () => {
    // Not the operator: the contract reverts with NotOperator. A fixed gas limit skips the estimate.
    const provider = new JsonRpcProvider(f.anvil.rpcUrl, undefined, { staticNetwork: true });
    try {
      const wallet = new Wallet(DEV_OTHER_KEY, provider);
      const data = anchorInterface().encodeFunctionData('anchor', [
        bundle.anchor.logId,
        999,
        `0x${'77'.repeat(32)}`,
      ]);
      const sent = await wallet.sendTransaction({ to: f.contract, data, gasLimit: 200_000 });
      const receipt = await f.client.waitForReceipt(sent.hash.toLowerCase(), 10_000);
      expect(receipt.status).toBe('reverted');
      const r = await verifyOnChain({
        ...bundle,
        anchor: {
          ...bundle.anchor,
          txHash: receipt.transactionHash,
          blockNumber: receipt.blockNumber,
          blockHash: receipt.blockHash,
        },
      });
      expect(failed(r)[0]).toMatchObject({ check: 'chain.transaction' });
      expect(failed(r)[0]!.detail).toContain('reverted');
    } finally {
      provider.destroy();
    }
  });

  it('a re-org after the bundle was made: first "not found", then "block hash mismatch" once re-mined', async () => {
    const ledger = await openLedger({ origin: 'reorg.test/loan-ledger/leaf/v1' });
    try {
      await seedLoanStory(ledger, 'R1', 'RD1');
      const snapshot = (await f.call('evm_snapshot')) as string;
      const root = `0x${Buffer.from(ledger.tree.root()).toString('hex')}`;
      const prepared = await f.client.prepareAnchor(logIdForOrigin(ledger.log.name), ledger.tree.size, root);
      await f.client.broadcast(prepared.rawTx);
      const receipt = await f.client.waitForReceipt(prepared.txHash, 10_000);
      ledger.anchors.push({
        treeSize: ledger.tree.size,
        root,
        chainId: 31337,
        contract: f.contract,
        logId: logIdForOrigin(ledger.log.name),
        txHash: receipt.transactionHash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        status: 'included',
      });
      const b = await buildBundle(
        { kind: 'loan', id: 'R1' },
        await loanEvents(ledger.store, 'R1'),
        ledger.sources(),
      );
      // Before the re-org it is on chain (not final yet: finalized is latest − 2).
      const before = await verifyOnChain(b);
      expect(failed(before).map((c) => c.check)).toEqual(['chain.finality']);

      expect(await f.call('evm_revert', [snapshot])).toBe(true);
      await f.mine(2); // the competing branch: other blocks at the same heights
      const gone = await verifyOnChain(b);
      expect(failed(gone)[0]).toMatchObject({ check: 'chain.transaction' });
      expect(failed(gone)[0]!.detail).toContain('not found');

      // The same signed transaction lands again, in a block of the new branch.
      await f.client.broadcast(prepared.rawTx);
      const again = await f.client.waitForReceipt(prepared.txHash, 10_000);
      expect(again.blockHash).not.toBe(receipt.blockHash);
      await f.mine(3);
      const moved = await verifyOnChain(b);
      expect(failed(moved).map((c) => c.check)).toEqual(['chain.block']);
      expect(failed(moved)[0]!.detail).toContain('block hash mismatch');
    } finally {
      await ledger.close();
    }
  });

  it('CLI: exit 0 when verified, 1 when a check fails, 2 for unreadable input; --json is machine-readable', () => {
    const cli = (...args: string[]) =>
      spawnSync('node_modules/.bin/tsx', ['src/cli/commands/verify.ts', ...args], {
        encoding: 'utf8',
        timeout: 60_000,
      });
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(bundle, null, 2));
    const ok = cli(good, '--rpc', f.anvil.rpcUrl, '--key', l.log.vkey, '--origin', l.log.name);
    expect(ok.status, ok.stderr + ok.stdout).toBe(0);
    expect(ok.stdout).toContain('✓ chain.finality');
    expect(ok.stdout).toContain('VERIFIED');

    expect(bundle.latest.consistencyProof.length).toBeGreaterThan(0);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...bundle, latest: { ...bundle.latest, consistencyProof: [] } }));
    const failedRun = cli(bad, '--json');
    expect(failedRun.status).toBe(1);
    const report = JSON.parse(failedRun.stdout) as {
      ok: boolean;
      checks: { check: string; status: string }[];
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.status === 'fail')?.check).toBe('consistency');

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{"format": "loan-ledger/evidence/v1",');
    expect(cli(notJson).status).toBe(2);
    expect(cli(dir).status).toBe(2); // a directory, not a file
  });
});
