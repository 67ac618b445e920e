import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/api/auth/keys.ts';
import { loadConfig, type Config } from '../../src/app/config.ts';
import { readDemoKeys } from '../../src/app/demoOrganizations.ts';
import { startLedger } from '../../src/app/ledger.ts';
import { isLedgerError } from '../../src/errors.ts';
import { createDatabase } from '../support/postgresServer.ts';

/**
 * The insider of insider.test.ts, on PostgreSQL: the ledger runs with DATABASE_URL (the Merkle tree in
 * the data dir's ledger-local.db), the insider edits ll_events with plain SQL while it is down.
 */
const dir = mkdtempSync(join(tmpdir(), 'll-sec-pg-'));
let config: Config;
let url: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  url = await createDatabase(inject('postgresUrl'), `ll_security_${process.pid}`);
  config = loadConfig({
    DATA_DIR: dir,
    DATABASE_URL: url,
    PORT: '0',
    LOG_LEVEL: 'silent',
    ANCHOR_EVERY_SECONDS: '3600',
  });
});

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe('an insider with PostgreSQL access', () => {
  it('who swaps a bank key hash in ll_events is caught at the next start, naming leaf and stream', async () => {
    const ledger = await startLedger(config);
    await ledger.close();
    const bank = Object.values(readDemoKeys(dir)!).find((k) => k.role === 'bank')!;
    const [row] = await sql<{ position: string; stream: string; body: string }>(
      'SELECT position, stream, body FROM ll_events WHERE body LIKE $1',
      [`%${hashApiKey(bank.apiKey)}%`],
    );
    expect(row).toBeDefined();
    const changed = row!.body.replace(hashApiKey(bank.apiKey), hashApiKey(generateApiKey()));
    await sql('UPDATE ll_events SET body = $1 WHERE position = $2', [changed, row!.position]);

    const err = await startLedger(config).catch((e: unknown) => e);
    expect(isLedgerError(err) && err.code).toBe('LL_LOG_INTEGRITY');
    expect((err as { details: unknown }).details).toMatchObject({
      leafIndex: Number(row!.position),
      stream: row!.stream,
    });
  });
});
