import { FetchRequest, Interface, JsonRpcProvider, Network, Transaction, Wallet, getAddress } from 'ethers';
import { z } from 'zod';
import { LedgerError } from '../errors.ts';
import { merkleAnchorArtifact } from './contractArtifact.ts';

/**
 * The one place that talks to an EVM JSON-RPC node (ethers v6). Every response we rely on is parsed
 * with zod: a chain node is a boundary like an HTTP client, and FISCO BCOS, L2s and anvil differ in
 * the details. Reads go through `provider.send` with raw JSON-RPC so the schemas see what the node
 * said, not what ethers made of it; transactions are signed locally so the tx hash is known (and
 * recorded) before anything is broadcast.
 */

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/);
const quantity = hex.transform((s) => (s === '0x' ? 0n : BigInt(s)));
const smallQuantity = quantity.transform((n) => {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('quantity too large');
  return Number(n);
});
const hash32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());
const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((s) => getAddress(s));

export const BlockSchema = z.object({
  number: smallQuantity,
  hash: hash32,
  parentHash: hash32,
  timestamp: smallQuantity,
  baseFeePerGas: quantity.optional(),
});
export type ChainBlock = z.infer<typeof BlockSchema>;

export const LogSchema = z.object({
  address: address,
  topics: z.array(hash32),
  data: hex,
  blockNumber: smallQuantity,
  blockHash: hash32,
  transactionHash: hash32,
  logIndex: smallQuantity,
  removed: z.boolean().optional(),
});
export type ChainLog = z.infer<typeof LogSchema>;

export const ReceiptSchema = z.object({
  transactionHash: hash32,
  blockNumber: smallQuantity,
  blockHash: hash32,
  from: address,
  to: address.nullable(),
  status: z
    .enum(['0x0', '0x1'])
    .transform((s) => (s === '0x1' ? ('success' as const) : ('reverted' as const))),
  gasUsed: quantity,
  effectiveGasPrice: quantity.optional(),
  logs: z.array(LogSchema),
});
export type ChainReceipt = z.infer<typeof ReceiptSchema>;

const TransactionSchema = z.object({ hash: hash32, blockNumber: smallQuantity.nullable().optional() });

/** What the contract says about one anchor, decoded from an `Anchored` log. */
export interface AnchoredEvent {
  logId: string;
  treeSize: number;
  root: string; // 0x + 64 hex, lower case
  txHash: string;
  blockNumber: number;
  blockHash: string;
  logIndex: number;
}

export interface PreparedAnchor {
  txHash: string;
  rawTx: string;
  nonce: number;
}

export interface ChainClientOptions {
  rpcUrl: string;
  /** 0x-prefixed secp256k1 key of the contract's operator. */
  privateKey: string;
  contract: string;
  /** Refuse to work against another chain (a misconfigured URL must not anchor elsewhere). */
  expectedChainId?: number;
  pollingIntervalMs?: number;
  requestTimeoutMs?: number;
  /** Fixed legacy gas price in wei (0 on FISCO BCOS and most consortium chains); default: ask the node. */
  gasPriceWei?: bigint;
}

/** Thrown when the contract would refuse (or did refuse) an anchor because the size does not grow. */
export class AnchorRefused extends Error {
  override readonly name = 'AnchorRefused';
  constructor(
    readonly reason: 'TreeSizeNotGrowing' | 'NotOperator' | 'other',
    readonly detail: string,
  ) {
    super(`anchor refused by the contract: ${reason} ${detail}`);
  }
}

export const anchorInterface = (): Interface => new Interface(merkleAnchorArtifact().abi as never);

export class ChainClient {
  readonly contract: string;
  readonly operator: string;
  readonly #opts: ChainClientOptions;
  readonly #wallet: Wallet;
  readonly #iface = anchorInterface();
  #provider: JsonRpcProvider | undefined;
  #chainId: number | undefined;
  #finalizedTag: 'unknown' | 'supported' | 'unsupported' = 'unknown';

  constructor(opts: ChainClientOptions) {
    this.#opts = opts;
    this.#wallet = new Wallet(opts.privateKey);
    this.operator = this.#wallet.address;
    this.contract = getAddress(opts.contract);
  }

  /**
   * The chain id, asked once with a plain request: ethers without a static network retries network
   * detection forever in the background while the node is down, and queues every call behind it.
   */
  async chainId(): Promise<number> {
    await this.#ready();
    return this.#chainId as number;
  }

  async #ready(): Promise<JsonRpcProvider> {
    if (this.#provider) return this.#provider;
    const timeout = this.#opts.requestTimeoutMs ?? 10_000;
    let body: unknown;
    try {
      const res = await fetch(this.#opts.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(timeout),
      });
      body = await res.json();
    } catch (e) {
      throw unavailable('eth_chainId', e);
    }
    const chainId = z.object({ result: smallQuantity }).parse(body).result;
    if (this.#opts.expectedChainId !== undefined && chainId !== this.#opts.expectedChainId) {
      throw new LedgerError(
        'LL_CHAIN_UNAVAILABLE',
        `chain id ${chainId} is not the configured ${this.#opts.expectedChainId}`,
      );
    }
    const req = new FetchRequest(this.#opts.rpcUrl);
    req.timeout = timeout;
    const network = Network.from(chainId);
    const provider = new JsonRpcProvider(req, network, {
      staticNetwork: network,
      pollingInterval: this.#opts.pollingIntervalMs ?? 250,
      batchMaxCount: 1, // some nodes (and proxies in front of consortium chains) reject JSON-RPC batches
    });
    this.#chainId = chainId;
    this.#provider = provider;
    return provider;
  }

  /** One JSON-RPC call, its result parsed by `schema`. Transport failures become LL_CHAIN_UNAVAILABLE. */
  async rpc<S extends z.ZodType>(method: string, params: unknown[], schema: S): Promise<z.output<S>> {
    const provider = await this.#ready();
    let raw: unknown;
    try {
      raw = await provider.send(method, params);
    } catch (e) {
      if (isRpcErrorResponse(e)) throw e;
      throw unavailable(method, e);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      throw new LedgerError('LL_CHAIN_UNAVAILABLE', `unexpected ${method} response from the chain node`, {
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`),
      });
    }
    return parsed.data;
  }

  blockNumber(): Promise<number> {
    return this.rpc('eth_blockNumber', [], smallQuantity);
  }

  block(tag: number | 'latest' | 'finalized'): Promise<ChainBlock | null> {
    const t = typeof tag === 'number' ? `0x${tag.toString(16)}` : tag;
    return this.rpc('eth_getBlockByNumber', [t, false], BlockSchema.nullable());
  }

  /**
   * The chain's finalized block number, or undefined when the node has no `finalized` tag (then the
   * caller counts confirmations). Only an error answer from the node means "no tag"; a node that is
   * down throws.
   */
  async finalizedBlockNumber(): Promise<number | undefined> {
    if (this.#finalizedTag === 'unsupported') return undefined;
    try {
      const b = await this.block('finalized');
      if (!b) return undefined;
      this.#finalizedTag = 'supported';
      return b.number;
    } catch (e) {
      if (isRpcErrorResponse(e) && this.#finalizedTag === 'unknown') {
        this.#finalizedTag = 'unsupported';
        return undefined;
      }
      throw e;
    }
  }

  receipt(txHash: string): Promise<ChainReceipt | null> {
    return this.rpc('eth_getTransactionReceipt', [txHash], ReceiptSchema.nullable());
  }

  /** Whether the node knows the transaction at all (mined or in its mempool). */
  async knowsTransaction(txHash: string): Promise<boolean> {
    return (await this.rpc('eth_getTransactionByHash', [txHash], TransactionSchema.nullable())) !== null;
  }

  /**
   * Whether the transaction waits in the node's mempool (known, no block). After a re-org some nodes
   * (anvil after evm_revert, for one) still return a dropped transaction with the block it was in:
   * that is not "waiting", it is lost, and the caller sends it again.
   */
  async inMempool(txHash: string): Promise<boolean> {
    const tx = await this.rpc('eth_getTransactionByHash', [txHash], TransactionSchema.nullable());
    return tx !== null && (tx.blockNumber === null || tx.blockNumber === undefined);
  }

  async code(at: string): Promise<string> {
    return this.rpc('eth_getCode', [at, 'latest'], hex);
  }

  /** `latest(logId)` of the contract: the newest anchored (treeSize, root) of that log. */
  async latestAnchor(logId: string): Promise<{ treeSize: number; root: string }> {
    const data = this.#iface.encodeFunctionData('latest', [logId]);
    const out = await this.rpc('eth_call', [{ to: this.contract, data }, 'latest'], hex);
    const [size, root] = this.#iface.decodeFunctionResult('latest', out) as unknown as [bigint, string];
    return { treeSize: Number(size), root: root.toLowerCase() };
  }

  /** `Anchored` events of one log in a block range (inclusive). */
  async anchoredEvents(
    logId: string,
    fromBlock: number,
    toBlock: number | 'latest' = 'latest',
  ): Promise<AnchoredEvent[]> {
    const topic = this.#iface.getEvent('Anchored')?.topicHash;
    const logs = await this.rpc(
      'eth_getLogs',
      [
        {
          address: this.contract,
          topics: [topic, logId],
          fromBlock: `0x${fromBlock.toString(16)}`,
          toBlock: typeof toBlock === 'number' ? `0x${toBlock.toString(16)}` : toBlock,
        },
      ],
      z.array(LogSchema),
    );
    return logs.filter((l) => !l.removed).map((l) => this.decodeAnchored(l));
  }

  /** The `Anchored` events a receipt carries from our contract. */
  anchoredInReceipt(receipt: ChainReceipt): AnchoredEvent[] {
    const topic = this.#iface.getEvent('Anchored')?.topicHash;
    return receipt.logs
      .filter((l) => l.address === this.contract && l.topics[0] === topic)
      .map((l) => this.decodeAnchored(l));
  }

  decodeAnchored(l: ChainLog): AnchoredEvent {
    const parsed = this.#iface.parseLog({ topics: l.topics, data: l.data });
    if (!parsed || parsed.name !== 'Anchored') throw new Error('not an Anchored log');
    return {
      logId: String(parsed.args[0]).toLowerCase(),
      treeSize: Number(parsed.args[1] as bigint),
      root: String(parsed.args[2]).toLowerCase(),
      txHash: l.transactionHash,
      blockNumber: l.blockNumber,
      blockHash: l.blockHash,
      logIndex: l.logIndex,
    };
  }

  /**
   * Builds and signs `anchor(logId, treeSize, root)` without sending it. Gas is estimated, so a call the
   * contract would refuse throws AnchorRefused here and costs nothing.
   */
  async prepareAnchor(logId: string, treeSize: number, root: string): Promise<PreparedAnchor> {
    const data = this.#iface.encodeFunctionData('anchor', [logId, treeSize, root]);
    const chainId = await this.chainId();
    const nonce = await this.rpc('eth_getTransactionCount', [this.operator, 'pending'], smallQuantity);
    let gas: bigint;
    try {
      gas = await this.rpc('eth_estimateGas', [{ from: this.operator, to: this.contract, data }], quantity);
    } catch (e) {
      throw this.#refusal(e) ?? e;
    }
    const tx = Transaction.from({
      chainId,
      nonce,
      to: this.contract,
      data,
      gasLimit: (gas * 12n) / 10n + 1000n, // storage costs can shift between estimate and inclusion
      ...(await this.#fees()),
    });
    const rawTx = await this.#wallet.signTransaction(tx);
    return { txHash: Transaction.from(rawTx).hash!.toLowerCase(), rawTx, nonce };
  }

  /** Broadcasts a signed transaction. A node that already has it is not an error. */
  async broadcast(rawTx: string): Promise<void> {
    try {
      await this.rpc('eth_sendRawTransaction', [rawTx], hash32);
    } catch (e) {
      if (isRpcErrorResponse(e) && /already known|known transaction|already imported/i.test(rpcMessage(e)))
        return;
      throw e;
    }
  }

  /** Sends a contract deployment from the operator key and returns the receipt's contract address. */
  async deploy(bytecode: string): Promise<{ txHash: string; contract: string }> {
    const chainId = await this.chainId();
    const nonce = await this.rpc('eth_getTransactionCount', [this.operator, 'pending'], smallQuantity);
    const gas = await this.rpc('eth_estimateGas', [{ from: this.operator, data: bytecode }], quantity);
    const raw = await this.#wallet.signTransaction(
      Transaction.from({
        chainId,
        nonce,
        data: bytecode,
        gasLimit: (gas * 12n) / 10n,
        ...(await this.#fees()),
      }),
    );
    const txHash = await this.rpc('eth_sendRawTransaction', [raw], hash32);
    const receipt = await this.waitForReceipt(txHash, 30_000);
    const addr = await this.rpc(
      'eth_getTransactionReceipt',
      [txHash],
      z.object({ contractAddress: address }).transform((r) => r.contractAddress),
    );
    if (receipt.status !== 'success') throw new Error(`deployment ${txHash} reverted`);
    return { txHash, contract: addr };
  }

  async waitForReceipt(txHash: string, timeoutMs: number): Promise<ChainReceipt> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.receipt(txHash);
      if (r) return r;
      if (Date.now() > deadline) throw new LedgerError('LL_CHAIN_UNAVAILABLE', `no receipt for ${txHash}`);
      await new Promise((res) => setTimeout(res, this.#opts.pollingIntervalMs ?? 250));
    }
  }

  /** Decodes the contract's custom error from a failed estimate/call, if that is what it was. */
  #refusal(e: unknown): AnchorRefused | undefined {
    const data = revertData(e);
    if (!data) return undefined;
    try {
      const err = this.#iface.parseError(data);
      if (err?.name === 'TreeSizeNotGrowing') {
        return new AnchorRefused('TreeSizeNotGrowing', `latest ${err.args[1]}, given ${err.args[2]}`);
      }
      if (err?.name === 'NotOperator') return new AnchorRefused('NotOperator', `sender ${err.args[0]}`);
      return new AnchorRefused('other', err?.name ?? data);
    } catch {
      return new AnchorRefused('other', data);
    }
  }

  async #fees(): Promise<Record<string, bigint | number>> {
    if (this.#opts.gasPriceWei !== undefined) return { type: 0, gasPrice: this.#opts.gasPriceWei };
    const latest = await this.block('latest');
    if (latest?.baseFeePerGas !== undefined) {
      let tip: bigint;
      try {
        tip = await this.rpc('eth_maxPriorityFeePerGas', [], quantity);
      } catch (e) {
        if (!isRpcErrorResponse(e)) throw e;
        tip = 1_000_000_000n;
      }
      return { type: 2, maxPriorityFeePerGas: tip, maxFeePerGas: latest.baseFeePerGas * 2n + tip };
    }
    return { type: 0, gasPrice: await this.rpc('eth_gasPrice', [], quantity) };
  }

  close(): void {
    this.#provider?.destroy();
    this.#provider = undefined;
  }
}

/** The node answered with a JSON-RPC error object (as opposed to not answering at all). */
export function isRpcErrorResponse(e: unknown): boolean {
  const o = e as { info?: { error?: { code?: unknown } }; error?: { code?: unknown } } | null;
  return typeof o?.info?.error?.code === 'number' || typeof o?.error?.code === 'number';
}

function rpcMessage(e: unknown): string {
  const o = e as { info?: { error?: { message?: string } }; error?: { message?: string } };
  return o.info?.error?.message ?? o.error?.message ?? String(e);
}

function revertData(e: unknown): string | undefined {
  const o = e as { data?: unknown; info?: { error?: { data?: unknown } } };
  const candidates = [
    o?.data,
    o?.info?.error?.data,
    (o?.info?.error?.data as { data?: unknown } | undefined)?.data,
  ];
  return candidates.find((d): d is string => typeof d === 'string' && /^0x[0-9a-fA-F]{8,}$/.test(d));
}

function unavailable(method: string, cause: unknown): LedgerError {
  const o = cause as { code?: unknown; operation?: unknown; shortMessage?: unknown } | null;
  const msg =
    typeof o?.shortMessage === 'string'
      ? o.shortMessage
      : cause instanceof Error
        ? cause.message.split('\n')[0]
        : String(cause);
  // An answer that is not JSON-RPC at all (an HTML error page, cut-off JSON) is not "no answer".
  const garbled =
    o?.code === 'BAD_DATA' || (o?.code === 'UNSUPPORTED_OPERATION' && o?.operation === 'bodyJson');
  return new LedgerError(
    'LL_CHAIN_UNAVAILABLE',
    garbled
      ? `unexpected ${method} response from the chain node: ${msg}`
      : `chain node did not answer ${method}: ${msg}`,
    {},
    { cause },
  );
}
