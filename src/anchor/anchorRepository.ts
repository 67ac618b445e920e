import Database from 'better-sqlite3';
import { z } from 'zod';

/**
 * Durable anchor records. An anchor's life: pending (created; tx signed and maybe broadcast) →
 * included (a receipt in a canonical block) → final (at or below the finalized block, or N
 * confirmations deep). A re-org sends an included anchor back to pending. Two ends besides final:
 * superseded (the contract already holds a larger size, so this one can no longer land; the larger
 * anchor covers it through a consistency proof) and failed (the chain holds another root for this
 * size: a fork of the log, which needs a human).
 */
export const ANCHOR_STATES = ['pending', 'included', 'final', 'superseded', 'failed'] as const;
export type AnchorState = (typeof ANCHOR_STATES)[number];

export interface AnchorRecord {
  logId: string; // 0x + 64 hex
  treeSize: number;
  root: string; // 0x + 64 hex
  chainId: number;
  contract: string;
  txHash: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  status: AnchorState;
  attempts: number;
  lastError: string | null;
  /** When the current tx was handed to the node; null when the broadcast is not known to have worked. */
  sentAt: number | null;
  createdAt: number;
  updatedAt: number;
}

export interface AnchorFilter {
  logId?: string;
  chainId?: number;
  contract?: string;
  statuses?: readonly AnchorState[];
  /** Only records of at least this tree size. */
  minTreeSize?: number;
  /** Only records of at most this tree size. */
  maxTreeSize?: number;
  /** Largest tree size first (default: ascending), and at most `limit` records. */
  newestFirst?: boolean;
  limit?: number;
}

/** Port: the SQLite adapter below; a PostgreSQL one can follow the same shape. */
export interface AnchorRepository {
  /** Insert or replace by (chainId, contract, logId, treeSize). */
  save(record: AnchorRecord): Promise<void>;
  remove(record: Pick<AnchorRecord, 'chainId' | 'contract' | 'logId' | 'treeSize'>): Promise<void>;
  /** Ordered by tree size, ascending unless `newestFirst`. */
  list(filter?: AnchorFilter): Promise<AnchorRecord[]>;
}

const Row = z.object({
  log_id: z.string(),
  tree_size: z.number().int(),
  root: z.string(),
  chain_id: z.number().int(),
  contract: z.string(),
  tx_hash: z.string().nullable(),
  block_number: z.number().int().nullable(),
  block_hash: z.string().nullable(),
  status: z.enum(ANCHOR_STATES),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  sent_at: z.number().int().nullable(),
  created_at: z.number().int(),
  updated_at: z.number().int(),
});

const fromRow = (r: unknown): AnchorRecord => {
  const row = Row.parse(r);
  return {
    logId: row.log_id,
    treeSize: row.tree_size,
    root: row.root,
    chainId: row.chain_id,
    contract: row.contract,
    txHash: row.tx_hash,
    blockNumber: row.block_number,
    blockHash: row.block_hash,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    sentAt: row.sent_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
};

/**
 * SQLite adapter. Pass the event store's Database to keep anchors in the same file (one backup, one
 * fsync policy), or a path for a file of its own.
 */
export class SqliteAnchorRepository implements AnchorRepository {
  readonly #db: Database.Database;
  readonly #owned: boolean;

  constructor(dbOrPath: Database.Database | string) {
    this.#owned = typeof dbOrPath === 'string';
    this.#db = typeof dbOrPath === 'string' ? new Database(dbOrPath) : dbOrPath;
    if (this.#owned) {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
    }
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS anchors (
        chain_id     INTEGER NOT NULL,
        contract     TEXT    NOT NULL,
        log_id       TEXT    NOT NULL,
        tree_size    INTEGER NOT NULL,
        root         TEXT    NOT NULL,
        tx_hash      TEXT,
        block_number INTEGER,
        block_hash   TEXT,
        status       TEXT    NOT NULL CHECK (status IN ('pending','included','final','superseded','failed')),
        attempts     INTEGER NOT NULL,
        last_error   TEXT,
        sent_at      INTEGER,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (chain_id, contract, log_id, tree_size)
      );
      -- The anchorer reads its unsettled anchors on every pass; the table keeps every anchor ever made.
      CREATE INDEX IF NOT EXISTS anchors_by_status ON anchors (status, tree_size);`);
  }

  /**
   * Statements by SQL text, prepared once: the anchorer lists its records several times a second, and
   * preparing them each time showed in the API bench's profile of the request thread (~0.3 %).
   */
  readonly #statements = new Map<string, Database.Statement>();

  #statement(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  async save(r: AnchorRecord): Promise<void> {
    this.#statement(
      `INSERT OR REPLACE INTO anchors (chain_id, contract, log_id, tree_size, root, tx_hash, block_number,
           block_hash, status, attempts, last_error, sent_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      r.chainId,
      r.contract,
      r.logId,
      r.treeSize,
      r.root,
      r.txHash,
      r.blockNumber,
      r.blockHash,
      r.status,
      r.attempts,
      r.lastError,
      r.sentAt,
      r.createdAt,
      r.updatedAt,
    );
  }

  async remove(r: Pick<AnchorRecord, 'chainId' | 'contract' | 'logId' | 'treeSize'>): Promise<void> {
    this.#statement(
      'DELETE FROM anchors WHERE chain_id = ? AND contract = ? AND log_id = ? AND tree_size = ?',
    ).run(r.chainId, r.contract, r.logId, r.treeSize);
  }

  async list(filter: AnchorFilter = {}): Promise<AnchorRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const eq = (column: string, value: unknown) => {
      if (value === undefined) return;
      where.push(`${column} = ?`);
      args.push(value);
    };
    eq('log_id', filter.logId);
    eq('chain_id', filter.chainId);
    eq('contract', filter.contract);
    if (filter.statuses) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(',') || "''"})`);
      args.push(...filter.statuses);
    }
    if (filter.minTreeSize !== undefined) {
      where.push('tree_size >= ?');
      args.push(filter.minTreeSize);
    }
    if (filter.maxTreeSize !== undefined) {
      where.push('tree_size <= ?');
      args.push(filter.maxTreeSize);
    }
    const order = filter.newestFirst ? 'tree_size DESC, chain_id DESC' : 'tree_size, chain_id';
    // The limit is a parameter, so the SQL texts (and cached statements) are one per shape of filter.
    if (filter.limit !== undefined) args.push(Math.max(0, Math.floor(filter.limit)));
    const limit = filter.limit !== undefined ? ' LIMIT ?' : '';
    const sql = `SELECT * FROM anchors ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}${limit}`;
    return this.#statement(sql)
      .all(...args)
      .map(fromRow);
  }

  close(): void {
    if (this.#owned) this.#db.close();
  }
}
