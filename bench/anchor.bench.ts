/**
 * Anchoring costs on a real anvil: gas per anchor (first for a log, then subsequent), the dev chain's
 * start time, events per anchor under the default batching at a few event rates, and gas per event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Anchorer } from '../src/anchor/anchorer.ts';
import { SqliteAnchorRepository } from '../src/anchor/anchorRepository.ts';
import { startAnvil } from '../src/anchor/anvilProcess.ts';
import { ChainClient } from '../src/anchor/chainClient.ts';
import { AnchorerConfigSchema } from '../src/anchor/config.ts';
import { merkleAnchorArtifact } from '../src/anchor/contractArtifact.ts';
import { startDevChain } from '../src/anchor/devChain.ts';
import { DEV_OPERATOR_KEY } from '../src/anchor/devKeys.ts';
import { percentiles, writePerfSection } from './report.ts';

const ZERO = '0x0000000000000000000000000000000000000000';
const root = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'anchor-bench-'));
  const anvil = await startAnvil({ slotsInAnEpoch: 1 });
  try {
    const deployer = new ChainClient({
      rpcUrl: anvil.rpcUrl,
      privateKey: DEV_OPERATOR_KEY,
      contract: ZERO,
      pollingIntervalMs: 5,
    });
    const { txHash: deployTx, contract } = await deployer.deploy(merkleAnchorArtifact().bytecode);
    const deployGas = (await deployer.receipt(deployTx))!.gasUsed;
    deployer.close();
    const client = new ChainClient({
      rpcUrl: anvil.rpcUrl,
      privateKey: DEV_OPERATOR_KEY,
      contract,
      pollingIntervalMs: 5,
    });

    const anchorGas = async (logId: string, size: number) => {
      const tx = await client.prepareAnchor(logId, size, root(size));
      await client.broadcast(tx.rawTx);
      return (await client.waitForReceipt(tx.txHash, 10_000)).gasUsed;
    };
    const firstGas: bigint[] = [];
    const nextGas: bigint[] = [];
    for (let log = 1; log <= 5; log++) {
      const logId = root(0xabc000 + log);
      firstGas.push(await anchorGas(logId, 1000));
      for (let i = 1; i <= 10; i++) nextGas.push(await anchorGas(logId, 1000 + i * 10_000));
    }
    const first = Number(percentiles(firstGas.map(Number)).median);
    const next = Number(percentiles(nextGas.map(Number)).median);

    // Events per anchor under the default batching, simulated time (fake clock), real chain.
    const defaults = AnchorerConfigSchema.parse({ logId: root(1) });
    const rates = [1, 20, 1000];
    const batching: { rate: number; anchors: number; events: number }[] = [];
    for (const rate of rates) {
      let clock = 0;
      let size = 0;
      const repo = new SqliteAnchorRepository(join(dir, `batch-${rate}.db`));
      const anchorer = new Anchorer({
        source: {
          latest: () =>
            size ? { treeSize: size, rootHash: new Uint8Array(32).fill(rate % 256) } : undefined,
        },
        chain: client,
        repo,
        now: () => clock,
        config: { logId: root(0xbeef00 + rate) },
      });
      const simulatedMs = 120_000;
      const stepMs = 100;
      for (clock = stepMs; clock <= simulatedMs; clock += stepMs) {
        size = Math.floor((clock / 1000) * rate);
        await anchorer.tick();
      }
      const recs = await anchorer.records();
      batching.push({ rate, anchors: recs.length, events: recs.at(-1)?.treeSize ?? 0 });
      repo.close();
    }
    client.close();

    // Dev chain start: first start (spawn + deploy) and restart (spawn + load state).
    const starts: number[] = [];
    const restarts: number[] = [];
    for (let i = 0; i < 5; i++) {
      const dataDir = join(dir, `dev-${i}`);
      let t = performance.now();
      let chain = await startDevChain({ dataDir });
      starts.push(performance.now() - t);
      await chain.stop();
      t = performance.now();
      chain = await startDevChain({ dataDir });
      restarts.push(performance.now() - t);
      await chain.stop();
    }

    const fmt = (n: number) => n.toLocaleString('en-US');
    const table = batching
      .map(
        (b) =>
          `| ${b.rate} | ${b.anchors} | ${(b.events / Math.max(1, b.anchors)).toFixed(1)} | ${(next / Math.max(1, b.events / Math.max(1, b.anchors))).toFixed(0)} |`,
      )
      .join('\n');
    writePerfSection(
      'anchor',
      'Anchoring (MerkleAnchor on anvil)',
      `
Contract compiled by solc ${merkleAnchorArtifact().compiler.version}, evmVersion ${merkleAnchorArtifact().settings.evmVersion}, optimizer 200 runs.

| Measure | Gas |
|---|---|
| Deployment | ${fmt(Number(deployGas))} |
| First anchor of a log (zero → non-zero storage) | ${fmt(first)} (median of ${firstGas.length}) |
| Subsequent anchor | ${fmt(next)} (median of ${nextGas.length}) |
| Per event at 10,000 events per anchor | ${(next / 10_000).toFixed(2)} |

Gas per anchor does not depend on the number of events: one transaction carries (treeSize, root).

Events per anchor at the default batching (every ${defaults.everyEvents} events or ${defaults.everySeconds} s, whichever first),
${120} s of simulated time at a steady event rate, real anvil with instant mining:

| Events/s | Anchors | Events per anchor | Gas per event |
|---|---|---|---|
${table}

Cost: gas × gas price. At 10 gwei on Ethereum L1 a subsequent anchor costs ${((next * 10) / 1e9).toFixed(6)} ETH; on an L2
the L2 execution gas is the same and the L1 data fee for ~100 bytes of calldata is added; on a FISCO BCOS consortium chain
the gas price is 0 and gas only limits block size.

Embedded dev chain start (anvil spawn, RPC answering, contract deployed or found): first start median
${percentiles(starts).median.toFixed(0)} ms, restart with persisted state median ${percentiles(restarts).median.toFixed(0)} ms (${starts.length} runs each).
`,
    );
    console.log(
      `anchor gas: first ${first}, next ${next}; batching ${JSON.stringify(batching)}; dev start ${percentiles(starts).median.toFixed(0)} ms`,
    );
  } finally {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
