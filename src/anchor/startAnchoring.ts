import { Anchorer, type CheckpointSource } from './anchorer.ts';
import type { AnchorRepository } from './anchorRepository.ts';
import { ChainClient } from './chainClient.ts';
import { ChainConfigSchema, type AnchorerConfigInput, type ChainConfig } from './config.ts';
import { startDevChain, type DevChain } from './devChain.ts';
import { DEV_CHAIN_ID } from './devKeys.ts';

/**
 * Composition helper for `serve`: the dev chain (no rpcUrl) or the configured chain, a client, and
 * the running anchorer. `stop()` stops the anchorer, then the dev chain.
 */
export interface Anchoring {
  anchorer: Anchorer;
  client: ChainClient;
  devChain: DevChain | undefined;
  stop(): Promise<void>;
}

export async function startAnchoring(opts: {
  chain: ChainConfig;
  source: CheckpointSource;
  repo: AnchorRepository;
  config: AnchorerConfigInput;
  onError?: (e: unknown) => void;
}): Promise<Anchoring> {
  const chain = ChainConfigSchema.parse(opts.chain);
  let devChain: DevChain | undefined;
  let client: ChainClient;
  if (chain.kind === 'dev') {
    devChain = await startDevChain({ dataDir: chain.dataDir });
    client = new ChainClient({
      rpcUrl: devChain.rpcUrl,
      privateKey: devChain.operatorKey,
      contract: devChain.contract,
      expectedChainId: DEV_CHAIN_ID,
    });
  } else {
    client = new ChainClient({
      rpcUrl: chain.rpcUrl,
      privateKey: chain.privateKey,
      contract: chain.contract,
      expectedChainId: chain.chainId,
      gasPriceWei: chain.gasPriceWei,
    });
  }
  const anchorer = new Anchorer({
    source: opts.source,
    chain: client,
    repo: opts.repo,
    config: opts.config,
    onError: opts.onError,
  });
  anchorer.start();
  return {
    anchorer,
    client,
    devChain,
    stop: async () => {
      await anchorer.stop();
      client.close();
      await devChain?.stop();
    },
  };
}
