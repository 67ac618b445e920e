import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { openEventStore } from '../../src/store/openEventStore.ts';

it('opens SQLite in <dataDir>/ledger.db by default and PostgreSQL given databaseUrl', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loan-ledger-open-'));
  try {
    const sqlite = await openEventStore({ dataDir: join(dir, 'data') });
    expect(sqlite.kind).toBe('sqlite');
    expect(existsSync(join(dir, 'data', 'ledger.db'))).toBe(true);
    await sqlite.close();
    const pg = await openEventStore({ dataDir: dir, databaseUrl: inject('postgresUrl') });
    expect(pg.kind).toBe('postgres');
    await pg.close();
    await expect(
      openEventStore({ dataDir: dir, databaseUrl: 'postgres://x', esdbUrl: 'esdb://y' }),
    ).rejects.toThrow(/one event store/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
