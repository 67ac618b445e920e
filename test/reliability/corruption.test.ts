import Database from 'better-sqlite3';
import {
  copyFileSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLedger } from '../../src/app/ledger.ts';
import { isLedgerError, type LedgerError } from '../../src/errors.ts';
import { newEventId } from '../../src/events/ids.ts';
import { sqliteFile } from '../../src/store/openEventStore.ts';
import { startChainFixture, type ChainFixture } from '../anchor/chainFixture.ts';
import { demoKey, publishProduct, reliabilityConfig } from './support.ts';

/**
 * Damage in the data directory while the ledger is down — a tree node edited, the last page of the
 * SQLite file torn (garbage) or cut short (truncated) — is found at start-up and named; the ledger
 * refuses to start rather than serve from it. Putting the original bytes back lets it start with the
 * same history, which shows each refusal was about that damage alone.
 */
const dir = mkdtempSync(join(tmpdir(), 'll-corrupt-'));
const file = sqliteFile(dir);
const pristine = join(dir, 'pristine.db');
let chain: ChainFixture;
let config: ReturnType<typeof reliabilityConfig>;
let root = '';
let size = 0;

beforeAll(async () => {
  chain = await startChainFixture();
  config = reliabilityConfig(dir, { rpcUrl: chain.anvil.rpcUrl, contract: chain.contract });
  const ledger = await startLedger(config);
  const bank = demoKey(dir, 'bank').apiKey;
  for (let i = 0; i < 40; i++) expect((await publishProduct(ledger, bank, newEventId())).status).toBe(201);
  const log = ledger.verifiableLog.log;
  size = await log.catchUp();
  root = Buffer.from(log.root()).toString('hex');
  await ledger.close(); // the last connection closes: the WAL is checkpointed into the file and removed
  copyFileSync(file, pristine);
});
afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const refusal = async (): Promise<LedgerError> => {
  const e = await startLedger(config).then(
    async (l) => {
      await l.close();
      return new Error('the ledger started on damaged data');
    },
    (err: unknown) => err,
  );
  if (!isLedgerError(e)) throw e;
  return e;
};

async function startsWithSameHistory() {
  copyFileSync(pristine, file);
  const ledger = await startLedger(config);
  try {
    expect(Buffer.from(ledger.verifiableLog.log.root(size)).toString('hex')).toBe(root);
  } finally {
    await ledger.close();
  }
}

const withDb = <T>(fn: (db: Database.Database) => T): T => {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
};

describe('damage found at start-up', () => {
  it('an interior tree node changed in its row: LL_LOG_INTEGRITY naming the node and the leaves under it', async () => {
    withDb((db) =>
      db.prepare('UPDATE ledger_tree_nodes SET hash = randomblob(32) WHERE level = 2 AND idx = 3').run(),
    );
    const e = await refusal();
    expect(e.code).toBe('LL_LOG_INTEGRITY');
    expect(e.details).toMatchObject({ level: 2, nodeIndex: 3, leafStart: 12, leafEnd: 16 });
    expect(e.message).toContain('leaves [12, 16)');
    await startsWithSameHistory();
  });

  it('a tree node row deleted: LL_LOG_INTEGRITY, not a crash', async () => {
    withDb((db) => db.prepare('DELETE FROM ledger_tree_nodes WHERE level = 1 AND idx = 5').run());
    const e = await refusal();
    expect(e.code).toBe('LL_LOG_INTEGRITY');
    expect(e.details).toMatchObject({ level: 1, nodeIndex: 5, leafStart: 10, leafEnd: 12 });
    await startsWithSameHistory();
  });

  it('a leaf hash changed: LL_LOG_INTEGRITY naming the log index and the stream of its event', async () => {
    const stream = withDb((db) => {
      db.prepare('UPDATE ledger_tree_nodes SET hash = randomblob(32) WHERE level = 0 AND idx = 30').run();
      return (db.prepare('SELECT stream FROM events WHERE position = 30').get() as { stream: string }).stream;
    });
    const e = await refusal();
    expect(e.code).toBe('LL_LOG_INTEGRITY');
    expect(e.details).toMatchObject({ leafIndex: 30, stream });
    await startsWithSameHistory();
  });

  it('an event row whose body is not JSON (torn): LL_LOG_INTEGRITY naming its position and stream', async () => {
    // Torn in the file itself, as a partial write would leave it: an UPDATE cannot store this row (the
    // idempotency-key index evaluates json_extract over the body), and the page structure stays valid.
    const row = withDb(
      (db) =>
        db.prepare('SELECT stream, body FROM events WHERE position = 20').get() as {
          stream: string;
          body: string;
        },
    );
    const bytes = readFileSync(file);
    const body = Buffer.from(row.body, 'utf8');
    const at = bytes.indexOf(body);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(body, at + 1)).toBe(-1);
    const half = Math.floor(body.length / 2);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(body.length - half, 0), 0, body.length - half, at + half);
    closeSync(fd);
    const e = await refusal(); // a bare SyntaxError (no position, no stream) is rethrown here and fails
    expect(e.code).toBe('LL_LOG_INTEGRITY');
    expect(e.details).toMatchObject({ position: 20, stream: row.stream });
    expect(e.message).toContain('position 20');
    expect(e.message).toContain(row.stream);
    await startsWithSameHistory();
  });

  it('the last page of the SQLite file overwritten with garbage: LL_STORE_UNAVAILABLE naming the file', async () => {
    const bytes = statSync(file).size;
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, bytes - 4096);
    closeSync(fd);
    const e = await refusal();
    expect(e.code).toBe('LL_STORE_UNAVAILABLE');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/corrupt|damaged/);
    await startsWithSameHistory();
  });

  it('the SQLite file cut short inside its last page: LL_STORE_UNAVAILABLE naming the file', async () => {
    // SQLite itself opens this file and answers some queries from the missing page as if it were
    // empty rows: the start-up check must refuse before anything reads it.
    truncateSync(file, statSync(file).size - 2048);
    const e = await refusal();
    expect(e.code).toBe('LL_STORE_UNAVAILABLE');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/corrupt|damaged/);
    await startsWithSameHistory();
  });
});
