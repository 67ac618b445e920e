import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { startLedger } from '../../src/app/ledger.ts';
import { ENTERPRISES } from '../../src/cli/demo/parties.ts';
import { SqlitePiiVault } from '../../src/vault/sqliteVault.ts';

/** The subject key and salts the vault holds for these refs, read by a connection of its own. */
function vaultSecrets(refs: string[]): Buffer[] {
  const db = new Database(join(dir, 'vault.db'), { readonly: true });
  try {
    const rows = db
      .prepare(
        `SELECT k.key FROM pii_subject_keys k JOIN pii_values v ON v.subject_id = k.subject_id
         WHERE v.vault_ref = ? LIMIT 1`,
      )
      .all(refs[0]) as { key: Buffer }[];
    const salts = refs.map(
      (r) =>
        (db.prepare('SELECT salt FROM pii_values WHERE vault_ref = ?').get(r) as { salt: string | null })
          .salt,
    );
    return [...rows.map((r) => r.key), ...salts.filter((s) => s !== null).map((s) => Buffer.from(s))];
  } finally {
    db.close();
  }
}

const readOrEmpty = (file: string) => {
  try {
    return readFileSync(file);
  } catch {
    return Buffer.alloc(0);
  }
};

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(ok()).toBe(true);
}

/** Crypto-shredding end to end: register through HTTP, erase through HTTP, the value is gone, the log still verifies. */
const dir = mkdtempSync(join(tmpdir(), 'll-erasure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('erasure of a legal representative', () => {
  it('keeps personal data out of the event store, and shreds it in the vault on request', async () => {
    const config = loadConfig({
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      ANCHOR_EVERY_SECONDS: '3600',
    });
    const ledger = await startLedger(config);
    const e = ENTERPRISES[0];
    const key = Object.values(ledger.demoKeys!).find((k) => k.orgId === e.uscc)!.apiKey;
    const post = (path: string, body: unknown) =>
      fetch(`${ledger.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    let refs: string[] = [];
    try {
      const reg = await post('/v1/enterprises', { ...e });
      expect(reg.status).toBe(201);
      const [registered] = await ledger.store.readStream(`enterprise-${e.uscc}`);
      const lr = (
        registered!.data as {
          legalRepresentative: { name: { vaultRef: string }; idNumber: { vaultRef: string } };
        }
      ).legalRepresentative;
      refs = [lr.name.vaultRef, lr.idNumber.vaultRef];
      // What would open the values again: the subject's key and the salts of its commitments.
      const secrets = vaultSecrets(refs);
      expect(secrets.length).toBe(3);

      const erase = await post(`/v1/enterprises/${e.uscc}/erasure`, {
        reason: '数据主体请求删除 (PIPL Art. 47)',
      });
      expect(erase.status).toBe(201);
      const again = await post(`/v1/enterprises/${e.uscc}/erasure`, { reason: 'again' });
      expect(again.status).toBe(422); // nothing left to erase
      expect((await ledger.store.readStream(`enterprise-${e.uscc}`)).map((x) => x.type)).toContain(
        'PersonalDataErased',
      );
      // the log still verifies against the store after the erasure
      await expect(ledger.verifiableLog.log.verifyAgainstStore()).resolves.toBeUndefined();
      // Shredded in the files while the server still runs (the WAL too), not only once it closes.
      await waitFor(() => vaultSecrets(refs).length === 0);
      for (const file of ['vault.db', 'vault.db-wal']) {
        const bytes = readOrEmpty(join(dir, file));
        for (const secret of secrets) expect(bytes.includes(secret), file).toBe(false);
      }
    } finally {
      await ledger.close();
    }

    const db = new Database(join(dir, 'vault.db'));
    try {
      const vault = new SqlitePiiVault(db);
      for (const ref of refs) expect(await vault.get(ref)).toBeUndefined();
    } finally {
      db.close();
    }
    for (const file of ['ledger.db', 'ledger.db-wal', 'readmodels.db', 'readmodels.db-wal', 'vault.db']) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, file));
      } catch {
        continue; // the WAL may have been checkpointed away
      }
      expect(bytes.includes(Buffer.from(e.legalRepresentative.idNumber)), file).toBe(false);
      expect(bytes.includes(Buffer.from(e.legalRepresentative.name)), file).toBe(false);
    }
  });
});
