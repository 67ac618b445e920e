import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { startAnvil, type AnvilProcess } from './anvilProcess.ts';
import { ChainClient } from './chainClient.ts';
import { merkleAnchorArtifact } from './contractArtifact.ts';
import { DEV_CHAIN_ID, DEV_OPERATOR_KEY } from './devKeys.ts';

/**
 * The embedded dev chain: with no ANCHOR_RPC_URL the ledger runs its own anvil under the data
 * directory, so anchoring works out of the box and the chain survives restarts:
 *   <dataDir>/anvil-state.json  anvil's state and blocks (`--state`: loaded on start, dumped on exit
 *                               and every `stateIntervalSeconds`)
 *   <dataDir>/chain.json        { rpcUrl, chainId, contract } for outside tools (`verify --rpc`)
 * The contract is deployed on first start by anvil's dev key #0, which is also the operator.
 */

export const ChainFileSchema = z.object({
  rpcUrl: z.string().url(),
  chainId: z.number().int().positive(),
  contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
});
export type ChainFile = z.infer<typeof ChainFileSchema>;

export interface DevChainOptions {
  dataDir: string;
  /**
   * Empty blocks every this many seconds (anvil mixed mining: transactions are still mined at once).
   * They move anvil's `finalized` block along when nothing else happens. Each empty block adds
   * ~1.8 KB to the dumped state, hence not every second.
   */
  blockTimeSeconds?: number;
  /** anvil's finalized = latest − 2 × slotsInAnEpoch. */
  slotsInAnEpoch?: number;
  stateIntervalSeconds?: number;
}

export interface DevChain extends ChainFile {
  readonly operatorKey: string;
  readonly anvil: AnvilProcess;
  /** true when this start deployed the contract (first start, or a state file that was lost). */
  readonly deployed: boolean;
  stop(): Promise<void>;
}

export const DEV_CHAIN_DEFAULTS = {
  blockTimeSeconds: 5,
  slotsInAnEpoch: 1,
  stateIntervalSeconds: 5,
} as const;

export async function startDevChain(opts: DevChainOptions): Promise<DevChain> {
  mkdirSync(opts.dataDir, { recursive: true });
  const chainPath = join(opts.dataDir, 'chain.json');
  const anvil = await startAnvil({
    statePath: join(opts.dataDir, 'anvil-state.json'),
    stateIntervalSeconds: opts.stateIntervalSeconds ?? DEV_CHAIN_DEFAULTS.stateIntervalSeconds,
    chainId: DEV_CHAIN_ID,
    blockTimeSeconds: opts.blockTimeSeconds ?? DEV_CHAIN_DEFAULTS.blockTimeSeconds,
    mixedMining: true,
    slotsInAnEpoch: opts.slotsInAnEpoch ?? DEV_CHAIN_DEFAULTS.slotsInAnEpoch,
  });
  try {
    const previous = existsSync(chainPath)
      ? ChainFileSchema.safeParse(JSON.parse(readFileSync(chainPath, 'utf8')))
      : undefined;
    let contract = previous?.success ? previous.data.contract : undefined;
    const client = new ChainClient({
      rpcUrl: anvil.rpcUrl,
      privateKey: DEV_OPERATOR_KEY,
      contract: contract ?? '0x0000000000000000000000000000000000000000',
      expectedChainId: DEV_CHAIN_ID,
      pollingIntervalMs: 20,
    });
    let deployed = false;
    try {
      // The recorded address counts only if the chain still has our code there (state file intact).
      const code = contract ? await client.code(contract) : '0x';
      if (code !== merkleAnchorArtifact().deployedBytecode) {
        contract = (await client.deploy(merkleAnchorArtifact().bytecode)).contract;
        deployed = true;
      }
    } finally {
      client.close();
    }
    const file: ChainFile = { rpcUrl: anvil.rpcUrl, chainId: DEV_CHAIN_ID, contract: contract as string };
    // write-then-rename: a reader never sees half a file
    writeFileSync(`${chainPath}.tmp`, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(`${chainPath}.tmp`, chainPath);
    return { ...file, operatorKey: DEV_OPERATOR_KEY, anvil, deployed, stop: () => anvil.stop() };
  } catch (e) {
    await anvil.stop();
    throw e;
  }
}

export function readChainFile(dataDir: string): ChainFile {
  return ChainFileSchema.parse(JSON.parse(readFileSync(join(dataDir, 'chain.json'), 'utf8')));
}
