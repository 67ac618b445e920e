import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey, hashApiKey } from '../../src/api/auth/keys.ts';
import { loadConfig } from '../../src/app/config.ts';
import { readDemoKeys } from '../../src/app/demoOrganizations.ts';
import { startLedger } from '../../src/app/ledger.ts';
import { isLedgerError } from '../../src/errors.ts';
import { sqliteFile } from '../../src/store/openEventStore.ts';

/**
 * An insider with access to the data directory: reads the database files looking for API keys, and
 * rewrites history in the events table while the ledger is down. The whole ledger (`npm start`'s
 * startLedger: embedded SQLite store, embedded dev chain, demo organizations) over a real data dir.
 */
const dir = mkdtempSync(join(tmpdir(), 'll-sec-'));
const config = loadConfig({ DATA_DIR: dir, PORT: '0', LOG_LEVEL: 'silent', ANCHOR_EVERY_SECONDS: '3600' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every SQLite file (and WAL / journal) in the data dir, as bytes. */
const databaseBytes = (): Buffer[] =>
  readdirSync(dir)
    .filter((f) => /\.db(-wal|-journal|-shm)?$/.test(f))
    .map((f) => readFileSync(join(dir, f)));

describe('an insider with the data directory', () => {
  let bankKey = '';
  let bankOrg = '';
  let attackerKey = '';
  let original = { position: -1, body: '' };

  it('finds no API key in any database file, only its SHA-256', async () => {
    const ledger = await startLedger(config);
    try {
      const keys = readDemoKeys(dir)!;
      const bank = Object.values(keys).find((k) => k.role === 'bank')!;
      bankKey = bank.apiKey;
      bankOrg = bank.orgId;
      // the key works (on an authenticated route), so it is live in this very database
      const res = await fetch(`${ledger.url}/v1/organizations/${bankOrg}`, {
        headers: { authorization: `Bearer ${bankKey}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await ledger.close();
    }
    const files = databaseBytes();
    expect(files.length).toBeGreaterThan(0);
    for (const { apiKey } of Object.values(readDemoKeys(dir)!)) {
      const hash = hashApiKey(apiKey);
      expect(files.some((b) => b.includes(hash))).toBe(true); // the scan can see text in these files
      for (const b of files) {
        expect(b.includes(apiKey)).toBe(false);
        // nor the key's random part alone, nor its bytes as UTF-16
        expect(b.includes(apiKey.slice(3))).toBe(false);
        expect(b.includes(Buffer.from(apiKey, 'utf16le'))).toBe(false);
      }
    }
    // (demo-keys.json holds the demo keys in clear, 0600, by design of the demo; see docs/security.md)
    expect(existsSync(join(dir, 'demo-keys.json'))).toBe(true);
  });

  it('who swaps a bank key hash for their own in the events table is caught at the next start', async () => {
    const raw = new Database(sqliteFile(dir));
    const row = raw
      .prepare(
        'SELECT position, stream, body FROM events WHERE body LIKE \'%"type":"ApiKeyIssued"%\' AND body LIKE ?',
      )
      .get(`%${hashApiKey(bankKey)}%`) as { position: number; stream: string; body: string };
    expect(row).toBeDefined();
    original = { position: row.position, body: row.body };
    attackerKey = generateApiKey();
    const changed = raw
      .prepare('UPDATE events SET body = ? WHERE position = ?')
      .run(row.body.replace(hashApiKey(bankKey), hashApiKey(attackerKey)), row.position);
    expect(changed.changes).toBe(1);
    raw.close();

    const err = await startLedger(config).catch((e: unknown) => e);
    expect(isLedgerError(err) && err.code).toBe('LL_LOG_INTEGRITY');
    expect((err as { details: unknown }).details).toMatchObject({
      leafIndex: row.position,
      stream: row.stream,
    });
    expect((err as Error).message).toContain(`leaf ${row.position}`);
  });

  it('putting the row back lets the ledger start again: the real key works, the attacker’s does not', async () => {
    // Shows the refusal above was about that one row, and that the failed start left nothing half-done.
    const raw = new Database(sqliteFile(dir));
    raw.prepare('UPDATE events SET body = ? WHERE position = ?').run(original.body, original.position);
    raw.close();
    const ledger = await startLedger(config);
    try {
      const as = (key: string) =>
        fetch(`${ledger.url}/v1/organizations/${bankOrg}`, { headers: { authorization: `Bearer ${key}` } });
      expect((await as(bankKey)).status).toBe(200);
      expect((await as(attackerKey)).status).toBe(401);
    } finally {
      await ledger.close();
    }
  });
});
