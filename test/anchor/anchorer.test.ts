import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Anchorer, type Checkpoint } from '../../src/anchor/anchorer.ts';
import { SqliteAnchorRepository } from '../../src/anchor/anchorRepository.ts';
import { anchorInterface } from '../../src/anchor/chainClient.ts';
import { chooseAnchor } from '../../src/evidence/bundle/build.ts';
import { startChainFixture, type ChainFixture } from './chainFixture.ts';

/** The anchorer against a real anvil (automine; finalized = latest − 2 with one slot per epoch). */

const LOG = `0x${'5a'.repeat(32)}`;
const rootFor = (size: number) => {
  const b = new Uint8Array(32);
  new DataView(b.buffer).setUint32(28, size);
  b[0] = 0xee;
  return b;
};
const hexRoot = (size: number) => `0x${Buffer.from(rootFor(size)).toString('hex')}`;

class FakeLog {
  size = 0;
  /** Checkpoints signed (each `latest` of a grown log signs one in the real log service). */
  signed = 0;
  latest = (): Checkpoint | undefined => {
    if (!this.size) return undefined;
    this.signed++;
    return { treeSize: this.size, rootHash: rootFor(this.size) };
  };
  currentSize = (): number => this.size;
}

let f: ChainFixture | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await f?.stop();
  f = undefined;
});

function setup(
  fx: ChainFixture,
  overrides: Partial<ConstructorParameters<typeof Anchorer>[0]['config']> = {},
) {
  const log = new FakeLog();
  const repo = new SqliteAnchorRepository(join(fx.dir, 'anchors.db'));
  let clock = 1_000_000;
  const anchorer = new Anchorer({
    source: log,
    chain: fx.client,
    repo,
    now: () => clock,
    config: {
      logId: LOG,
      everyEvents: 10,
      everySeconds: 60,
      pollIntervalMs: 20,
      resendAfterMs: 0,
      ...overrides,
    },
  });
  cleanups.push(
    () => anchorer.stop(),
    () => repo.close(),
  );
  return { log, repo, anchorer, advance: (ms: number) => (clock += ms) };
}

describe('Anchorer', () => {
  it('anchors every N events or T seconds, one tx per anchor, pending → included → final', async () => {
    f = await startChainFixture();
    const { log, anchorer, advance } = setup(f);

    log.size = 5;
    await anchorer.tick();
    expect(await anchorer.records()).toEqual([]); // 5 < 10 events and no time has passed

    log.size = 37; // many events, still one anchor
    await anchorer.tick();
    let [rec] = await anchorer.records();
    expect(rec).toMatchObject({ treeSize: 37, root: hexRoot(37), status: 'pending', attempts: 1 });
    expect(rec?.txHash).toMatch(/^0x[0-9a-f]{64}$/);

    await anchorer.tick(); // automine: the receipt is there
    [rec] = await anchorer.records();
    expect(rec?.status).toBe('included');
    const receipt = await f.client.receipt(rec!.txHash!);
    expect(receipt?.blockHash).toBe(rec?.blockHash);
    expect(f.client.anchoredInReceipt(receipt!)).toMatchObject([
      { logId: LOG, treeSize: 37, root: hexRoot(37) },
    ]);
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 37, root: hexRoot(37) });

    await f.mine(2); // finalized = latest − 2 reaches the anchor's block
    await anchorer.tick();
    [rec] = await anchorer.records();
    expect(rec?.status).toBe('final');

    log.size = 40; // 3 new events: not due yet…
    await anchorer.tick();
    expect(await anchorer.records()).toHaveLength(1);
    const lagging = await anchorer.status();
    expect(lagging).toMatchObject({ lagEvents: 3, anchoredSize: 37, finalSize: 37, pendingCount: 0 });
    advance(61_000); // …until T seconds passed
    await anchorer.tick();
    expect((await anchorer.records()).map((r) => r.treeSize)).toEqual([37, 40]);
    expect(anchorer.statusOfIndex(36)).toBe('final');
    expect(anchorer.statusOfIndex(39)).not.toBe('unanchored');
    expect(anchorer.statusOfIndex(40)).toBe('unanchored');
  });

  it('a pass reads the unsettled anchors and the newest final one, not the whole history', async () => {
    f = await startChainFixture();
    const { log, repo, anchorer } = setup(f);
    for (let i = 1; i <= 12; i++) {
      log.size = i * 10;
      await anchorer.tick(); // pending
      await anchorer.tick(); // included
      await f.mine(2);
      await anchorer.tick(); // final
    }
    expect((await anchorer.records()).map((r) => r.status)).toEqual(Array(12).fill('final'));
    const list = repo.list.bind(repo);
    let rowsRead = 0;
    repo.list = async (filter) => {
      const rows = await list(filter);
      rowsRead += rows.length;
      return rows;
    };
    await anchorer.tick();
    // The newest final anchor, read a few times; the whole history (12) twice per pass was the old cost.
    expect(rowsRead).toBeLessThanOrEqual(4);
    expect(anchorer.statusOfIndex(5)).toBe('final'); // covered by the newest final anchor
    expect(await anchorer.status()).toMatchObject({ finalSize: 120, anchoredSize: 120, lagEvents: 0 });
    // Evidence bundles choose their anchor from the same bounded set: the same choice as from every record.
    log.size = 125;
    await anchorer.anchorNow({ waitFor: 'included', timeoutMs: 10_000 });
    const all = await anchorer.records();
    const current = await anchorer.currentRecords();
    expect(current.length).toBeLessThan(all.length);
    for (let size = 1; size <= 126; size += 5)
      expect(chooseAnchor(current, size)?.treeSize).toBe(chooseAnchor(all, size)?.treeSize);
    expect(chooseAnchor(current, 121)).toMatchObject({ treeSize: 125, status: 'included' });
  });

  it('appends arriving every millisecond wake at most one pass per minPassIntervalMs', async () => {
    f = await startChainFixture();
    const { log, anchorer } = setup(f, { pollIntervalMs: 5_000, minPassIntervalMs: 100 });
    log.size = 1;
    let sizeReads = 0;
    const currentSize = log.currentSize;
    log.currentSize = () => (sizeReads++, currentSize());
    anchorer.start();
    const spam = setInterval(() => anchorer.notify(), 1);
    await new Promise((r) => setTimeout(r, 600));
    clearInterval(spam);
    // 600 ms at ≥ 100 ms apart: at most 7 passes (the first at start), each reading the size once or
    // twice; unthrottled it was one per wake.
    expect(sizeReads).toBeGreaterThanOrEqual(2);
    expect(sizeReads).toBeLessThanOrEqual(14);
  });

  it('a wake between polls calls the chain only when an anchor is due, and then anchors at once', async () => {
    f = await startChainFixture();
    const fx = f;
    let rpcs = 0;
    const counted = new Proxy(fx.client, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          rpcs++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const log = new FakeLog();
    const repo = new SqliteAnchorRepository(join(fx.dir, 'anchors.db'));
    const anchorer = new Anchorer({
      source: log,
      chain: counted,
      repo,
      config: { logId: LOG, everyEvents: 10, everySeconds: 60, pollIntervalMs: 1_500, minPassIntervalMs: 20 },
    });
    cleanups.push(
      () => anchorer.stop(),
      () => repo.close(),
    );
    log.size = 25;
    anchorer.start();
    // One anchor included and waiting for finality (automine: no block comes until the next tx), the
    // steady state under load, where every full pass asks the chain for its receipt and for finality.
    await vi.waitFor(
      async () => expect((await anchorer.records()).map((r) => r.status)).toEqual(['included']),
      {
        timeout: 5_000,
      },
    );
    // The poll that saw it included has just run: the next is ~1.5 s away, after the 0.4 s below.
    await new Promise((r) => setTimeout(r, 50));
    const before = rpcs;
    const spam = setInterval(() => {
      if (log.size < 34) log.size++; // growing, but below the 10 more events that make an anchor due
      anchorer.notify();
    }, 1);
    cleanups.push(() => clearInterval(spam));
    await new Promise((r) => setTimeout(r, 400));
    // ~20 wakes, none with an anchor due: not one RPC (each was a full pass before: receipt, blocks).
    expect(rpcs - before).toBe(0);
    const dueAt = Date.now();
    log.size = 60; // now one is due by count: the next wake anchors it, without waiting for the poll
    await vi.waitFor(async () => expect(await anchorer.records()).toHaveLength(2), { timeout: 3_000 });
    expect(Date.now() - dueAt).toBeLessThan(1_000);
    expect(rpcs).toBeGreaterThan(before);
    clearInterval(spam);
  });

  it('signs a checkpoint only for an anchor it creates, not on every pass', async () => {
    f = await startChainFixture();
    const { log, anchorer } = setup(f);
    for (let size = 1; size <= 25; size++) {
      log.size = size;
      await anchorer.tick();
    }
    const created = (await anchorer.records()).length;
    expect(created).toBeGreaterThanOrEqual(1);
    // 25 passes over a growing log; one signature per anchor (it signed on every pass before).
    expect(log.signed).toBe(created);
    expect((await anchorer.status()).lagEvents).toBeLessThan(10);
  });

  it('anchorNow anchors below the batching threshold and waits for inclusion', async () => {
    f = await startChainFixture();
    const { log, anchorer } = setup(f);
    log.size = 3;
    const rec = await anchorer.anchorNow({ waitFor: 'included', timeoutMs: 10_000 });
    expect(rec).toMatchObject({ treeSize: 3, status: 'included' });
    expect((await anchorer.status()).lagEvents).toBe(0);
  });

  it('detects a re-org (evm_snapshot/evm_revert, other blocks mined), re-sends, and reaches final', async () => {
    f = await startChainFixture();
    const { log, anchorer } = setup(f);
    await f.mine(3);
    const snapshot = await f.call('evm_snapshot');
    log.size = 20;
    await anchorer.tick();
    await anchorer.tick();
    const [before] = await anchorer.records();
    expect(before?.status).toBe('included');

    await f.call('evm_revert', [snapshot]);
    // A competing branch: an unrelated tx and empty blocks, so the anchor's height has another hash.
    await f.call('eth_sendTransaction', [{ from: f.client.operator, to: f.client.operator, value: '0x1' }]);
    await f.mine(1);
    expect((await f.client.block(before!.blockNumber!))?.hash).not.toBe(before?.blockHash);
    expect(await f.client.receipt(before!.txHash!)).toBeNull();

    await anchorer.tick(); // sees the re-org, re-sends
    let [rec] = await anchorer.records();
    expect(rec?.lastError).toMatch(/re-org/);
    expect(rec?.attempts).toBe(2);
    await anchorer.tick();
    [rec] = await anchorer.records();
    expect(rec?.status).toBe('included');
    expect(rec?.blockHash).not.toBe(before?.blockHash);
    expect(await f.client.latestAnchor(LOG)).toEqual({ treeSize: 20, root: hexRoot(20) });

    await f.mine(2);
    await anchorer.tick();
    [rec] = await anchorer.records();
    expect(rec?.status).toBe('final');
    expect((await f.client.block(rec!.blockNumber!))?.hash).toBe(rec?.blockHash);
  });

  it('an anchor already on chain through another tx counts as included; another root for that size is a fork', async () => {
    f = await startChainFixture();
    const { log, anchorer } = setup(f);
    const iface = anchorInterface();
    const direct = async (size: number, root: string) => {
      const data = iface.encodeFunctionData('anchor', [LOG, size, root]);
      const h = (await f!.call('eth_sendTransaction', [
        { from: f!.client.operator, to: f!.contract, data },
      ])) as string;
      return f!.client.waitForReceipt(h, 10_000);
    };
    const survivor = await direct(15, hexRoot(15));
    log.size = 15;
    await anchorer.tick();
    const [rec] = await anchorer.records();
    expect(rec).toMatchObject({
      status: 'included',
      txHash: survivor.transactionHash,
      blockHash: survivor.blockHash,
    });

    await direct(30, `0x${'99'.repeat(32)}`);
    log.size = 30;
    await anchorer.tick();
    const fork = (await anchorer.records()).find((r) => r.treeSize === 30);
    expect(fork?.status).toBe('failed');
    expect(fork?.lastError).toMatch(/fork/);
  });
});
