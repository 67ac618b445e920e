import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Anchoring settings, zod-parsed. The composition root maps environment variables onto this
 * (ANCHOR_RPC_URL, ANCHOR_PRIVATE_KEY, ANCHOR_CONTRACT, ANCHOR_EVERY_EVENTS, …; see src/app/config.ts).
 * No rpcUrl → the embedded dev chain under the data directory.
 */
const bytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/)
  .transform((s) => s.toLowerCase());

export const ChainConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dev'), dataDir: z.string().min(1) }),
  z.object({
    kind: z.literal('rpc'),
    rpcUrl: z.string().url(),
    privateKey: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
    contract: z.string().regex(/^0x[0-9a-fA-F]{40}$/),
    /** Refuse to anchor if the node reports another chain id. */
    chainId: z.number().int().positive().optional(),
    /** Fixed legacy gas price in wei; "0" on FISCO BCOS and most consortium chains. */
    gasPriceWei: z.coerce.bigint().nonnegative().optional(),
  }),
]);
export type ChainConfig = z.infer<typeof ChainConfigSchema>;

export const AnchorerConfigSchema = z.object({
  /** bytes32 naming the log on the contract; `logIdForOrigin(LOG_ORIGIN)` by default. */
  logId: bytes32,
  /** Anchor when this many events are not yet anchored… */
  everyEvents: z.number().int().min(1).default(10_000),
  /** …or when this many seconds passed since the last anchor and there is anything new. */
  everySeconds: z.number().positive().default(10),
  /** How often open anchors are checked (receipts, re-orgs, finality) when all is well. */
  pollIntervalMs: z.number().int().min(5).default(1000),
  /**
   * A pass woken by appends starts at least this long after the previous one started: under load every
   * commit wakes the anchorer, and back-to-back passes (each a few RPCs and reads) only cost CPU.
   */
  minPassIntervalMs: z.number().int().min(0).default(100),
  finality: z
    .object({
      /** auto: the node's `finalized` block if it has the tag, else confirmations. */
      mode: z.enum(['auto', 'confirmations']).default('auto'),
      /** Blocks including the anchor's own: 1 = final once included (BFT chains such as FISCO BCOS). */
      confirmations: z.number().int().min(0).default(2),
    })
    .prefault({}),
  /** A sent tx the node no longer knows (dropped, or lost with a re-org) is re-sent after this long. */
  resendAfterMs: z.number().int().min(0).default(60_000),
  /** How far back eth_getLogs looks for an anchor that landed through another tx (public RPCs cap ranges). */
  logSearchBlocks: z.number().int().min(1).default(10_000),
  backoff: z
    .object({
      initialMs: z.number().int().min(1).default(500),
      maxMs: z.number().int().min(1).default(30_000),
    })
    .prefault({}),
});
export type AnchorerConfig = z.output<typeof AnchorerConfigSchema>;
export type AnchorerConfigInput = z.input<typeof AnchorerConfigSchema>;

/** The default log id: SHA-256 of the checkpoint origin line, so anyone holding a checkpoint can find its anchors. */
export const logIdForOrigin = (origin: string): string =>
  `0x${createHash('sha256').update(origin, 'utf8').digest('hex')}`;

/** From environment-style settings (names as in src/app/config.ts). */
export function chainConfigFromEnv(env: {
  DATA_DIR: string;
  ANCHOR_RPC_URL?: string | undefined;
  ANCHOR_PRIVATE_KEY?: string | undefined;
  ANCHOR_CONTRACT?: string | undefined;
  ANCHOR_CHAIN_ID?: string | number | undefined;
  ANCHOR_GAS_PRICE_WEI?: string | undefined;
}): ChainConfig {
  if (!env.ANCHOR_RPC_URL) return ChainConfigSchema.parse({ kind: 'dev', dataDir: env.DATA_DIR });
  return ChainConfigSchema.parse({
    kind: 'rpc',
    rpcUrl: env.ANCHOR_RPC_URL,
    privateKey: env.ANCHOR_PRIVATE_KEY,
    contract: env.ANCHOR_CONTRACT,
    chainId: env.ANCHOR_CHAIN_ID === undefined ? undefined : Number(env.ANCHOR_CHAIN_ID),
    gasPriceWei: env.ANCHOR_GAS_PRICE_WEI,
  });
}
