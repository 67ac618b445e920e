import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Anchorer, type Checkpoint } from '../../src/anchor/anchorer.ts';
import { SqliteAnchorRepository, type AnchorRecord } from '../../src/anchor/anchorRepository.ts';
import { startAnvil, type AnvilProcess } from '../../src/anchor/anvilProcess.ts';
import { startChainFixture, type ChainFixture } from './chainFixture.ts';

/** The chain node goes away mid-run (state dumped, or killed hard) and comes back: no anchor is lost. */

const LOG = `0x${'0c'.repeat(32)}`;
const rootFor = (size: number) => new Uint8Array(32).fill(size % 256);

let f: ChainFixture | undefined;
let restarted: AnvilProcess | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await restarted?.stop();
  restarted = undefined;
  await f?.stop();
  f = undefined;
});

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function run(hardKill: boolean) {
  const statePath = join(tmpdir(), `anchor-outage-${process.pid}-${Date.now()}.json`);
  cleanups.push(() => rmSync(statePath, { force: true }));
  f = await startChainFixture({ statePath, stateIntervalSeconds: 1 });
  const fx = f;
  let size = 0;
  const source = {
    latest: (): Checkpoint | undefined => (size ? { treeSize: size, rootHash: rootFor(size) } : undefined),
  };
  const repo = new SqliteAnchorRepository(join(fx.dir, 'anchors.db'));
  const errors: unknown[] = [];
  const anchorer = new Anchorer({
    source,
    chain: fx.client,
    repo,
    onError: (e) => errors.push(e),
    config: {
      logId: LOG,
      everyEvents: 10,
      everySeconds: 3600,
      pollIntervalMs: 20,
      resendAfterMs: 200,
      backoff: { initialMs: 20, maxMs: 200 },
    },
  });
  cleanups.push(
    () => anchorer.stop(),
    () => repo.close(),
  );
  anchorer.start();
  const recordOf = async (n: number) => (await anchorer.records()).find((r) => r.treeSize === n);
  const isIncluded = (r: AnchorRecord | undefined) => r && r.status !== 'pending' && r;

  size = 10;
  anchorer.notify();
  const first = await until('first anchor included', async () => isIncluded(await recordOf(10)));
  if (hardKill) await new Promise((r) => setTimeout(r, 1500)); // let one periodic dump hold the first anchor

  // Node goes away; the log keeps growing (appends never wait for the chain).
  size = 20;
  anchorer.notify();
  if (hardKill) {
    await until('second anchor sent', async () => (await recordOf(20))?.txHash);
    process.kill(fx.anvil.pid, 'SIGKILL');
  } else {
    await fx.anvil.stop();
  }
  await fx.anvil.exited;
  size = 30;
  const down = await until('anchorer notices the outage', async () => {
    const s = await anchorer.status();
    return s.consecutiveFailures >= 2 && !s.chainReachable && s;
  });
  expect(down.lastError).toMatch(/chain node did not answer/);
  expect(size).toBe(30);

  restarted = await startAnvil({
    port: fx.anvil.port,
    statePath,
    stateIntervalSeconds: 1,
    slotsInAnEpoch: 1,
  });
  const last = await until('latest checkpoint anchored after the restart', async () =>
    isIncluded(await recordOf(30)),
  );
  expect(last.root).toBe(`0x${Buffer.from(rootFor(30)).toString('hex')}`);
  await fx.mine(3);
  anchorer.notify();
  const all = await until('all anchors final', async () => {
    const recs = await anchorer.records();
    return recs.every((r) => r.status === 'final' || r.status === 'superseded') && recs.length >= 2 && recs;
  });

  // Nothing lost: each final anchor's tx is on chain in the block we recorded, with our root.
  for (const r of all.filter((x) => x.status === 'final')) {
    const receipt = await fx.client.receipt(r.txHash!);
    expect(receipt?.blockHash).toBe(r.blockHash);
    expect(fx.client.anchoredInReceipt(receipt!)).toMatchObject([{ treeSize: r.treeSize, root: r.root }]);
  }
  expect(all.find((r) => r.treeSize === 10)?.status).toBe('final');
  expect(all.find((r) => r.treeSize === 10)?.txHash).toBe(first.txHash);
  expect(await fx.client.latestAnchor(LOG)).toEqual({ treeSize: 30, root: last.root });
  expect(errors.length).toBeGreaterThanOrEqual(2);
  if (process.env.ANCHOR_TEST_DEBUG)
    console.log(all.map((r) => [r.treeSize, r.status, r.attempts, r.lastError]));
  return all;
}

describe('Anchorer across a chain node outage', () => {
  it('RPC stopped (state dumped) and restarted on the same port: every anchor reaches final', async () => {
    await run(false);
  });

  it('RPC killed hard (state only as of the last periodic dump): lost blocks look like a re-org and are re-anchored', async () => {
    await run(true);
  });
});
