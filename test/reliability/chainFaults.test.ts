import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIdForOrigin } from '../../src/anchor/config.ts';
import { startAnvil, type AnvilProcess } from '../../src/anchor/anvilProcess.ts';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { newEventId } from '../../src/events/ids.ts';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import { startRpcProxy, type RpcProxy } from './rpcProxy.ts';
import { demoKey, publishProduct, reliabilityConfig, until } from './support.ts';

/**
 * Chain faults under a steady trickle of commands, against the whole ledger (startLedger, HTTP) and a
 * real anvil behind a JSON-RPC proxy: the node stopped and restarted on the same port with its state,
 * garbage answers, the operator key out of funds, and a re-org deeper than finality (evm_revert to a
 * snapshot taken before anchors went final). In every case every command is acknowledged, /readyz stays
 * 200 and shows the anchoring lag, the Prometheus gauges show it, and afterwards every anchor the
 * ledger calls final is on the canonical chain with the local log's root — nothing anchored forgotten.
 */
let chain: ChainFixture;
let restarted: AnvilProcess | undefined;
let proxy: RpcProxy;
let ledger: Ledger;
let bank = '';
const statePath = join(process.env.TMPDIR ?? '/tmp', `ll-chain-faults-${process.pid}.json`);
const acked: string[] = [];
const failed: { status: number; body: unknown }[] = [];
let load: Promise<void> | undefined;
let loading = false;

interface ChainInfo {
  chainReachable: boolean;
  consecutiveFailures: number;
  checkpointSize: number;
  anchoredSize: number;
  finalSize: number;
  lagEvents: number;
  lagSeconds: number;
  pendingCount: number;
  lastError: string | null;
}

async function readyz(): Promise<{ status: number; chain: ChainInfo }> {
  const r = await fetch(`${ledger.url}/readyz`);
  const body = (await r.json()) as { checks: { chain: { ok: boolean; info: ChainInfo } } };
  expect(body.checks.chain.ok).toBe(true);
  return { status: r.status, chain: body.checks.chain.info };
}

async function gauge(name: string): Promise<number> {
  const text = await (await fetch(`${ledger.url}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${name} in /metrics`);
  return Number(m[1]);
}

/** One product every ~100 ms until stopped: appends must go on whatever the chain does. */
function startLoad() {
  loading = true;
  load = (async () => {
    while (loading) {
      const id = newEventId();
      const r = await publishProduct(ledger, bank, id);
      if (r.status === 201) acked.push(id);
      else failed.push(r);
      await new Promise((res) => setTimeout(res, 100));
    }
  })();
}

/** The fault shows: the chain check is still ok (appends go on), the lag grows, the gauges agree. */
async function lagShows(what: string, fault: (i: ChainInfo) => boolean): Promise<ChainInfo> {
  let last: unknown;
  const seen = await until(
    what,
    async () => {
      const r = await readyz();
      last = r;
      return r.status === 200 && r.chain.lagEvents > 5 && fault(r.chain) && r.chain;
    },
    30_000,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last /readyz: ${JSON.stringify(last)}`);
  });
  expect(await gauge('loan_ledger_anchor_lag_events')).toBeGreaterThan(0);
  expect(await gauge('loan_ledger_anchor_consecutive_failures')).toBeGreaterThan(0);
  return seen;
}

/** Anchors catch up: everything up to `size` is under an included anchor and the passes succeed. */
async function caughtUp(size: number): Promise<ChainInfo> {
  let last: unknown;
  // Up to the anchorer's maximum back-off (30 s) after the fault ends, plus the anchor's own round trip.
  return until(
    `anchors to catch up to ${size}`,
    async () => {
      const r = await readyz();
      last = r.chain;
      return (
        r.chain.chainReachable && r.chain.consecutiveFailures === 0 && r.chain.anchoredSize >= size && r.chain
      );
    },
    60_000,
    200,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last chain info: ${JSON.stringify(last)}`);
  });
}

const logSize = () => ledger.verifiableLog.log.catchUp();
const anchorer = () => ledger.verifiableLog.anchoring.anchorer;

beforeAll(async () => {
  chain = await startChainFixture({
    statePath,
    stateIntervalSeconds: 1,
    blockTimeSeconds: 1,
    mixedMining: true,
  });
  proxy = await startRpcProxy(chain.anvil.rpcUrl);
  const dir = join(chain.dir, 'data');
  ledger = await startLedger(
    reliabilityConfig(
      dir,
      { rpcUrl: proxy.url, contract: chain.contract },
      { ANCHOR_EVERY_EVENTS: '5', ANCHOR_EVERY_SECONDS: '1' },
    ),
  );
  bank = demoKey(dir, 'bank').apiKey;
  startLoad();
});

afterAll(async () => {
  loading = false;
  await load;
  await ledger?.close();
  await proxy?.close();
  await restarted?.stop();
  await chain?.stop();
  rmSync(statePath, { force: true });
});

// Each step waits for the ledger on its own schedule (back-off up to 30 s): generous per-test limits.
describe('chain faults while commands keep coming', { timeout: 120_000 }, () => {
  it('anchors at all before any fault (the control)', async () => {
    await caughtUp(await logSize());
    await until('a final anchor', async () => (await readyz()).chain.finalSize > 0, 30_000, 200);
  });

  it('RPC down (node stopped, state dumped), then restarted on the same port with its state', async () => {
    await chain.anvil.stop();
    const down = await lagShows('the outage to show', (i) => !i.chainReachable && i.consecutiveFailures >= 2);
    expect(down.lastError).toMatch(/did not answer/);
    await new Promise((r) => setTimeout(r, 2000)); // down a while longer; appends go on
    restarted = await startAnvil({
      port: chain.anvil.port,
      statePath,
      stateIntervalSeconds: 1,
      blockTimeSeconds: 1,
      mixedMining: true,
      slotsInAnEpoch: 1,
    });
    await caughtUp(await logSize());
  });

  it('RPC answering garbage: refused cleanly (zod), nothing believed, catches up when sane again', async () => {
    proxy.mode = 'garbage';
    try {
      const bad = await lagShows('garbage to show', (i) => i.consecutiveFailures >= 3);
      expect(bad.lastError).toMatch(/unexpected \w+ response/);
      expect(bad.chainReachable).toBe(false);
      expect(proxy.garbageServed).toBeGreaterThanOrEqual(3);
    } finally {
      proxy.mode = 'pass';
    }
    await caughtUp(await logSize());
  });

  it('the operator key out of funds: anchors wait pending, then land once it is funded', async () => {
    const operator = chain.client.operator;
    const funded = (await chain.call('eth_getBalance', [operator, 'latest'])) as string;
    await chain.call('anvil_setBalance', [operator, '0x0']);
    const broke = await lagShows('no funds to show', (i) => /insufficient funds/i.test(i.lastError ?? ''));
    expect(broke.chainReachable).toBe(true); // the node answers; it is our key that cannot pay
    await chain.call('anvil_setBalance', [operator, funded]);
    await caughtUp(await logSize());
  });

  it('a re-org deeper than finality: anchors that were final are found missing and anchored again', async () => {
    const snapshot = await chain.call('evm_snapshot');
    const before = Math.max(0, ...(await anchorer().records()).map((r) => r.treeSize));
    // Anchors made after the snapshot, and final (finalized = head − 2 on this chain).
    const lost = await until(
      'a final anchor after the snapshot',
      async () => (await anchorer().records()).find((r) => r.treeSize > before && r.status === 'final'),
      30_000,
      200,
    );
    await chain.call('anvil_mine', ['0x3']);
    await chain.call('evm_revert', [snapshot]);
    expect(await chain.client.receipt(lost.txHash!)).toBeNull();
    const logId = logIdForOrigin(ledger.verifiableLog.logService.origin());
    expect((await chain.client.latestAnchor(logId)).treeSize).toBeLessThan(lost.treeSize);

    // Re-anchored itself, or — when a later checkpoint, lost in the same re-org, went back on chain first
    // and the contract refuses a size that does not grow — superseded by a final anchor that covers it
    // (its leaves are then proven through that larger checkpoint; nothing anchored is forgotten).
    const again = await until(
      'the lost anchor to be final again in a new block, or covered by a later final anchor',
      async () => {
        const records = await anchorer().records();
        const r = records.find((x) => x.treeSize === lost.treeSize);
        if (r?.status === 'final' && r.blockHash !== lost.blockHash) return { reanchored: r };
        if (r?.status !== 'superseded') return undefined;
        const cover = records.find((x) => x.treeSize > lost.treeSize && x.status === 'final');
        return cover ? { coveredBy: cover } : undefined;
      },
      45_000,
      200,
    ).catch(async (e: Error) => {
      const recs = (await anchorer().records()).map((r) => [
        r.treeSize,
        r.status,
        r.attempts,
        r.blockNumber,
        r.lastError,
      ]);
      throw new Error(
        `${e.message}; lost ${JSON.stringify([lost.treeSize, lost.blockNumber, lost.blockHash])} records ${JSON.stringify(recs)}`,
      );
    });
    if (again.reanchored) expect(again.reanchored.attempts).toBeGreaterThan(lost.attempts);
    else expect(await chain.client.receipt(again.coveredBy!.txHash!)).not.toBeNull();
    expect((await chain.client.latestAnchor(logId)).treeSize).toBeGreaterThanOrEqual(lost.treeSize);
  });

  it('afterwards: every command landed once, every final anchor is on chain with the local root', async () => {
    loading = false;
    await load;
    expect(failed).toEqual([]);
    const size = await logSize();
    await anchorer().anchorNow({ waitFor: 'included', timeoutMs: 30_000 });
    await caughtUp(size);
    for (const id of acked) expect(await ledger.store.readStream(`product-${id}`)).toHaveLength(1);
    await ledger.verifiableLog.log.verifyAgainstStore();

    const log = ledger.verifiableLog.log;
    const records = await anchorer().records();
    const finals = records.filter((r) => r.status === 'final');
    expect(finals.length).toBeGreaterThan(3);
    expect(records.filter((r) => r.status === 'failed')).toEqual([]);
    for (const r of finals) {
      const receipt = await chain.client.receipt(r.txHash!);
      expect(receipt?.blockHash, `anchor ${r.treeSize}`).toBe(r.blockHash);
      expect((await chain.client.block(r.blockNumber!))?.hash).toBe(r.blockHash);
      expect(chain.client.anchoredInReceipt(receipt!)).toMatchObject([
        { treeSize: r.treeSize, root: `0x${Buffer.from(log.root(r.treeSize)).toString('hex')}` },
      ]);
    }
    const logId = logIdForOrigin(ledger.verifiableLog.logService.origin());
    const latest = await chain.client.latestAnchor(logId);
    expect(latest.root).toBe(`0x${Buffer.from(log.root(latest.treeSize)).toString('hex')}`);
    console.log(
      `chain faults: ${acked.length} commands acknowledged (0 failed), ${records.length} anchors ` +
        `(${finals.length} final, ${records.filter((r) => r.status === 'superseded').length} superseded), ` +
        `log ${size} leaves`,
    );
  });
});
