import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Anchorer } from '../../src/anchor/anchorer.ts';
import { SqliteAnchorRepository } from '../../src/anchor/anchorRepository.ts';
import { startChainFixture, type ChainFixture } from './chainFixture.ts';

/** Anchor records are durable: a new process (new Anchorer, same file) carries on from them. */

const LOG = `0x${'7e'.repeat(32)}`;
const ROOT = new Uint8Array(32).fill(0x42);

let f: ChainFixture | undefined;
afterEach(async () => {
  await f?.stop();
  f = undefined;
});

const config = { logId: LOG, everyEvents: 1, pollIntervalMs: 20, resendAfterMs: 60_000 };

describe('Anchorer restart', () => {
  it('a crash after recording the tx hash but before broadcasting: the next process sends it', async () => {
    f = await startChainFixture();
    const file = join(f.dir, 'anchors.db');
    const source = { latest: () => ({ treeSize: 12, rootHash: ROOT }) };

    // What the first process left behind: a record with a signed tx's hash, never broadcast.
    const prepared = await f.client.prepareAnchor(LOG, 12, `0x${'42'.repeat(32)}`);
    const repo1 = new SqliteAnchorRepository(file);
    await repo1.save({
      logId: LOG,
      treeSize: 12,
      root: `0x${'42'.repeat(32)}`,
      chainId: 31337,
      contract: f.contract,
      txHash: prepared.txHash,
      blockNumber: null,
      blockHash: null,
      status: 'pending',
      attempts: 1,
      lastError: null,
      sentAt: null,
      createdAt: 1,
      updatedAt: 1,
    });
    repo1.close();
    expect(await f.client.knowsTransaction(prepared.txHash)).toBe(false);

    const repo2 = new SqliteAnchorRepository(file);
    const second = new Anchorer({ source, chain: f.client, repo: repo2, config });
    try {
      await second.tick(); // unknown tx, never confirmed broadcast → send again
      await second.tick();
      const recs = await second.records();
      expect(recs).toHaveLength(1); // the same record, not a second anchor
      expect(recs[0]).toMatchObject({ treeSize: 12, status: 'included', attempts: 2 });
      expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 12, root: `0x${'42'.repeat(32)}` });
    } finally {
      await second.stop();
      repo2.close();
    }
  });

  it('a broadcast anchor left pending by a stopped process is followed to final by the next one', async () => {
    f = await startChainFixture();
    const file = join(f.dir, 'anchors.db');
    const source = { latest: () => ({ treeSize: 5, rootHash: ROOT }) };
    const repo1 = new SqliteAnchorRepository(file);
    const first = new Anchorer({ source, chain: f.client, repo: repo1, config });
    await first.tick(); // creates and broadcasts; stops before seeing the receipt
    await first.stop();
    repo1.close();

    const repo2 = new SqliteAnchorRepository(file);
    const second = new Anchorer({ source, chain: f.client, repo: repo2, config });
    try {
      expect((await second.records())[0]?.status).toBe('pending');
      await second.tick();
      await f.mine(2);
      await second.tick();
      const recs = await second.records();
      expect(recs).toHaveLength(1);
      expect(recs[0]).toMatchObject({ treeSize: 5, status: 'final', attempts: 1 });
    } finally {
      await second.stop();
      repo2.close();
    }
  });
});
