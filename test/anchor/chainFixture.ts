import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAnvil, type AnvilOptions, type AnvilProcess } from '../../src/anchor/anvilProcess.ts';
import { ChainClient } from '../../src/anchor/chainClient.ts';
import { merkleAnchorArtifact } from '../../src/anchor/contractArtifact.ts';
import { DEV_OPERATOR_KEY } from '../../src/anchor/devKeys.ts';

/** A real anvil with MerkleAnchor deployed by dev key #0. Always `await fixture.stop()` (afterEach). */
export interface ChainFixture {
  anvil: AnvilProcess;
  dir: string;
  contract: string;
  client: ChainClient;
  clientFor(privateKey: string): ChainClient;
  /** Raw JSON-RPC for anvil's test methods (evm_mine, evm_snapshot, evm_revert). */
  call(method: string, params?: unknown[]): Promise<unknown>;
  mine(blocks?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function rawRpc(rpcUrl: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

export async function startChainFixture(
  opts: AnvilOptions & { deploy?: boolean } = {},
): Promise<ChainFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'anchor-test-'));
  const anvil = await startAnvil({ slotsInAnEpoch: 1, ...opts });
  const clients: ChainClient[] = [];
  const clientFor = (privateKey: string, contract: string) => {
    const c = new ChainClient({ rpcUrl: anvil.rpcUrl, privateKey, contract, pollingIntervalMs: 20 });
    clients.push(c);
    return c;
  };
  let contract = '0x0000000000000000000000000000000000000000';
  if (opts.deploy !== false) {
    contract = (await clientFor(DEV_OPERATOR_KEY, contract).deploy(merkleAnchorArtifact().bytecode)).contract;
  }
  const call = (method: string, params: unknown[] = []) => rawRpc(anvil.rpcUrl, method, params);
  return {
    anvil,
    dir,
    contract,
    client: clientFor(DEV_OPERATOR_KEY, contract),
    clientFor: (k) => clientFor(k, contract),
    call,
    mine: async (blocks = 1) => {
      await call('anvil_mine', [`0x${blocks.toString(16)}`]);
    },
    stop: async () => {
      for (const c of clients) c.close();
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
