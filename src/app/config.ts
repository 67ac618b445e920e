import { z } from 'zod';
import { LedgerError } from '../errors.ts';

/**
 * Every setting of the ledger, read from environment variables and parsed with zod. This table is the
 * source of docs/operations.md's settings table (`settingsTable()` renders it) so the two never drift.
 */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const settings = {
  PORT: { schema: int(0, 65535).default(8080), doc: 'HTTP port (0 picks a free one).' },
  DATA_DIR: {
    schema: z.string().min(1).default('./data'),
    doc: 'Where the embedded store, the Merkle tree, the dev chain, keys and demo keys live.',
  },
  HOST: {
    schema: z.string().default('127.0.0.1'),
    doc: 'Interface to listen on (0.0.0.0 to serve beyond this machine).',
  },
  DATABASE_URL: {
    schema: z.string().url().optional(),
    doc: 'PostgreSQL connection string: use PostgreSQL instead of the embedded SQLite store.',
  },
  ESDB_URL: {
    schema: z.string().optional(),
    doc: 'EventStoreDB/KurrentDB connection string (esdb://…): use it as the event store.',
  },
  LOG_ORIGIN: {
    schema: z.string().min(1).max(200).default('loan-ledger.local/log'),
    doc: 'Checkpoint origin line (C2SP tlog-checkpoint); names this log everywhere.',
  },
  ANCHOR_RPC_URL: {
    schema: z.string().url().optional(),
    doc: 'EVM JSON-RPC endpoint to anchor on. Unset: the embedded anvil dev chain.',
  },
  ANCHOR_PRIVATE_KEY: {
    schema: z
      .string()
      .regex(/^0x[0-9a-fA-F]{64}$/)
      .optional(),
    doc: 'Operator key for anchoring (hex). Required with ANCHOR_RPC_URL.',
  },
  ANCHOR_CONTRACT: {
    schema: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .optional(),
    doc: 'MerkleAnchor contract address. Required with ANCHOR_RPC_URL.',
  },
  ANCHOR_CHAIN_ID: {
    schema: int(1, 2 ** 53 - 1).optional(),
    doc: 'Refuse to anchor when the node reports another chain id (recommended with ANCHOR_RPC_URL).',
  },
  ANCHOR_GAS_PRICE_WEI: {
    schema: z.string().regex(/^\d+$/).optional(),
    doc: 'Fixed legacy gas price in wei; `0` on FISCO BCOS and most consortium chains. Unset: the node suggests.',
  },
  ANCHOR_EVERY_EVENTS: {
    schema: int(1, 10_000_000).default(10_000),
    doc: 'Anchor after this many new events…',
  },
  ANCHOR_EVERY_SECONDS: {
    schema: int(1, 86_400).default(10),
    doc: '…or after this many seconds with new events, whichever first.',
  },
  ANCHOR_CONFIRMATIONS: {
    schema: int(0, 1000).default(2),
    doc: "Confirmations counted as final when the chain has no 'finalized' block tag.",
  },
  DEMO: {
    schema: z.enum(['on', 'off']).default('on'),
    doc: 'Create the demo organizations and keys on first start.',
  },
  RATE_LIMIT_PER_SECOND: {
    schema: int(0, 1_000_000).default(1000),
    doc: 'Sustained requests per second per API key (token bucket; beyond it 429 `LL_RATE_LIMITED` with `Retry-After`). `0`: no limit.',
  },
  RATE_LIMIT_BURST: {
    schema: int(1, 10_000_000).default(2000),
    doc: 'Requests an idle API key may send at once (the bucket size).',
  },
  IDEMPOTENCY_INDEX_ENTRIES: {
    schema: int(1_000, 100_000_000).default(100_000),
    doc: 'Keyed commands the in-memory Idempotency-Key index remembers (about 0.5 KiB each); older keys are still answered from their stream, only a reuse on another route goes unnoticed.',
  },
  STATS_MIN_ENTERPRISES: {
    schema: int(1, 1_000_000).default(3),
    doc: 'Small-cell threshold of the regulator statistics (`/v1/stats`, `/v1/stats/dashboard`): a cell whose figures come from fewer distinct enterprises is suppressed.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'pino log level.',
  },
} as const;

type Settings = typeof settings;
export type Config = { [K in keyof Settings]: z.output<Settings[K]['schema']> };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const shape = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, v.schema]));
  const input = Object.fromEntries(Object.keys(settings).map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new LedgerError(
      'LL_VALIDATION_FAILED',
      `bad setting: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      { errors },
    );
  }
  const config = parsed.data as Config;
  if (config.ANCHOR_RPC_URL && (!config.ANCHOR_PRIVATE_KEY || !config.ANCHOR_CONTRACT)) {
    throw new LedgerError(
      'LL_VALIDATION_FAILED',
      'ANCHOR_RPC_URL needs ANCHOR_PRIVATE_KEY and ANCHOR_CONTRACT',
      {
        errors: [{ path: 'ANCHOR_RPC_URL', message: 'needs ANCHOR_PRIVATE_KEY and ANCHOR_CONTRACT' }],
      },
    );
  }
  return config;
}

export function settingsTable(): string {
  const rows = Object.entries(settings).map(([name, s]) => {
    const def = s.schema.safeParse(undefined);
    const shown = def.success && def.data !== undefined ? `\`${String(def.data)}\`` : '—';
    return `| \`${name}\` | ${shown} | ${s.doc} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
