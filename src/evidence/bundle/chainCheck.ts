import { z } from 'zod';
import { BlockSchema, ReceiptSchema, anchorInterface } from '../../anchor/chainClient.ts';
import type { Hash } from '../../ledger/merkle.ts';
import type { Anchor } from './format.ts';
import type { CheckResult, CheckStatus } from './verify.ts';

/**
 * The on-chain half of `loan-ledger verify --rpc URL`: asks any EVM JSON-RPC node whether the anchor the
 * bundle names is really there. Read-only: it needs no key, so it does not use the anchorer's
 * ChainClient (which signs); it reuses that client's zod schemas and the contract ABI, and every node
 * answer is parsed before use.
 */

export interface ChainCheckOptions {
  rpcUrl: string;
  /** Confirmations that count as final when the node has no `finalized` block tag. Default 12. */
  confirmations?: number;
  timeoutMs?: number;
}

const quantity = z
  .string()
  .regex(/^0x[0-9a-fA-F]+$/)
  .transform((s) => Number(BigInt(s)))
  .refine(Number.isSafeInteger, 'quantity too large');
const RpcReply = z.union([
  z.object({ result: z.unknown() }),
  z.object({ error: z.object({ code: z.number(), message: z.string() }) }),
]);

class RpcError extends Error {}
/** The node answered with a JSON-RPC error (as opposed to not answering). */
class NodeRefused extends Error {}

async function rpc<S extends z.ZodType>(
  opts: ChainCheckOptions,
  method: string,
  params: unknown[],
  schema: S,
): Promise<z.output<S>> {
  let body: unknown;
  try {
    const res = await fetch(opts.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    body = await res.json();
  } catch (e) {
    throw new RpcError(
      `the node at ${opts.rpcUrl} did not answer ${method}: ${e instanceof Error ? e.message : e}`,
    );
  }
  const reply = RpcReply.safeParse(body);
  if (!reply.success) throw new RpcError(`the node gave a malformed answer to ${method}`);
  if ('error' in reply.data) throw new NodeRefused(`${method}: ${reply.data.error.message}`);
  const parsed = schema.safeParse(reply.data.result);
  if (!parsed.success) throw new RpcError(`unexpected ${method} answer: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

const hexOf = (h: Hash) => `0x${Buffer.from(h).toString('hex')}`;
const tag = (n: number) => `0x${n.toString(16)}`;

/** Runs the chain checks; never throws (an unreachable node is a failed `chain.rpc` check). */
export async function verifyAnchorOnChain(
  anchor: Anchor,
  checkpoint: { treeSize: number; root: Hash },
  opts: ChainCheckOptions,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const add = (check: string, status: CheckStatus, detail: string) => out.push({ check, status, detail });
  const skipRest = (after: string, ids: string[]) =>
    ids.forEach((id) => add(id, 'skip', `not checked: ${after} failed`));
  try {
    const chainId = await rpc(opts, 'eth_chainId', [], quantity);
    if (chainId !== anchor.chainId) {
      add('chain.id', 'fail', `the node is chain ${chainId}, the anchor is on chain ${anchor.chainId}`);
      skipRest('chain.id', [
        'chain.transaction',
        'chain.contract',
        'chain.event',
        'chain.block',
        'chain.finality',
      ]);
      return out;
    }
    add('chain.id', 'pass', `the node serves chain ${chainId}`);

    const receipt = await rpc(opts, 'eth_getTransactionReceipt', [anchor.txHash], ReceiptSchema.nullable());
    if (!receipt) {
      add(
        'chain.transaction',
        'fail',
        `anchor transaction ${anchor.txHash} not found on chain ${chainId}: dropped by a re-org, not mined, or never sent`,
      );
      skipRest('chain.transaction', ['chain.contract', 'chain.event', 'chain.block', 'chain.finality']);
      return out;
    }
    if (receipt.status !== 'success') {
      add('chain.transaction', 'fail', `anchor transaction ${anchor.txHash} reverted: nothing was anchored`);
      skipRest('chain.transaction', ['chain.contract', 'chain.event', 'chain.block', 'chain.finality']);
      return out;
    }
    add(
      'chain.transaction',
      'pass',
      `transaction ${anchor.txHash} succeeded in block ${receipt.blockNumber}`,
    );

    const calledContract = receipt.to?.toLowerCase() === anchor.contract.toLowerCase();
    add(
      'chain.contract',
      calledContract ? 'pass' : 'fail',
      calledContract
        ? `it called the contract ${anchor.contract}`
        : `it called ${receipt.to ?? '(a contract creation)'}, not the contract ${anchor.contract} the bundle names`,
    );

    const iface = anchorInterface();
    const topic = iface.getEvent('Anchored')!.topicHash.toLowerCase();
    const anchored = receipt.logs
      .filter((l) => l.address.toLowerCase() === anchor.contract.toLowerCase() && l.topics[0] === topic)
      .map((l) => {
        const p = iface.parseLog({ topics: l.topics, data: l.data })!;
        return {
          logId: String(p.args[0]).toLowerCase(),
          treeSize: Number(p.args[1]),
          root: String(p.args[2]).toLowerCase(),
        };
      });
    const root = hexOf(checkpoint.root);
    const match = anchored.find(
      (a) => a.logId === anchor.logId && a.treeSize === checkpoint.treeSize && a.root === root,
    );
    if (match) {
      add(
        'chain.event',
        'pass',
        `Anchored(log ${anchor.logId}, size ${match.treeSize}, root ${root}) emitted`,
      );
    } else if (anchored.length === 0) {
      add('chain.event', 'fail', `the transaction emitted no Anchored event from ${anchor.contract}`);
    } else {
      const a = anchored[0]!;
      const why =
        a.logId !== anchor.logId
          ? `log id ${a.logId}, not ${anchor.logId}`
          : a.treeSize !== checkpoint.treeSize
            ? `tree size ${a.treeSize}, not the checkpoint's ${checkpoint.treeSize}`
            : `root ${a.root}, not the checkpoint's ${root}`;
      add('chain.event', 'fail', `the Anchored event carries ${why}`);
    }

    const canonical = await rpc(
      opts,
      'eth_getBlockByNumber',
      [tag(anchor.blockNumber), false],
      BlockSchema.nullable(),
    );
    if (receipt.blockHash !== anchor.blockHash || receipt.blockNumber !== anchor.blockNumber) {
      add(
        'chain.block',
        'fail',
        `block hash mismatch: the transaction is in block ${receipt.blockNumber} ${receipt.blockHash}, the bundle says block ${anchor.blockNumber} ${anchor.blockHash} (a re-org moved it)`,
      );
    } else if (canonical?.hash !== anchor.blockHash) {
      add(
        'chain.block',
        'fail',
        `block hash mismatch: block ${anchor.blockNumber} of the chain is ${canonical?.hash ?? 'missing'}`,
      );
    } else {
      add('chain.block', 'pass', `block ${anchor.blockNumber} has hash ${anchor.blockHash}`);
    }

    let finalized: number | undefined;
    try {
      finalized = (await rpc(opts, 'eth_getBlockByNumber', ['finalized', false], BlockSchema.nullable()))
        ?.number;
    } catch (e) {
      if (!(e instanceof NodeRefused)) throw e;
    }
    const latest = await rpc(opts, 'eth_blockNumber', [], quantity);
    const need = opts.confirmations ?? 12;
    const confirmations = latest - receipt.blockNumber + 1;
    if (finalized !== undefined) {
      const ok = finalized >= receipt.blockNumber;
      add(
        'chain.finality',
        ok ? 'pass' : 'fail',
        ok
          ? `final: the chain's finalized block is ${finalized}`
          : `not final yet: the finalized block is ${finalized}, the anchor is in block ${receipt.blockNumber}`,
      );
    } else {
      const ok = confirmations >= need;
      add(
        'chain.finality',
        ok ? 'pass' : 'fail',
        `${confirmations} confirmation(s) (the node has no finalized tag; ${need} count as final)`,
      );
    }
  } catch (e) {
    add('chain.rpc', 'fail', e instanceof Error ? e.message : String(e));
  }
  return out;
}
