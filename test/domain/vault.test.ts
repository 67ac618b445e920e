import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitmentOf, vaultLegalRepresentative } from '../../src/domain/pii.ts';
import { SqlitePiiVault } from '../../src/vault/sqliteVault.ts';
import { isLedgerError } from '../../src/errors.ts';

const dirs: string[] = [];
const openVault = () => {
  const dir = mkdtempSync(join(tmpdir(), 'vault-'));
  dirs.push(dir);
  const db = new Database(join(dir, 'vault.db'));
  return { db, vault: new SqlitePiiVault(db) };
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SQLite PII vault', () => {
  it('stores ciphertext only, opens commitments, and crypto-shreds on erase', async () => {
    const { db, vault } = openVault();
    const ref = await vaultLegalRepresentative(vault, 'subject-1', {
      name: '张三',
      idNumber: '11010519491231002X',
    });
    expect(vault.get(ref.idNumber.vaultRef)).toBe('11010519491231002X');
    const salt = vault.saltOf(ref.idNumber.vaultRef) as string;
    expect(commitmentOf(salt, '11010519491231002X')).toBe(ref.idNumber.commitment);
    expect(commitmentOf(salt, '110105194912310021')).not.toBe(ref.idNumber.commitment);
    // The clear value is nowhere in the database file's rows.
    const rows = db.prepare('SELECT ciphertext FROM pii_values').all() as { ciphertext: Buffer }[];
    expect(rows.every((r) => !r.ciphertext.toString('utf8').includes('11010519491231002X'))).toBe(true);

    expect(vault.erase('subject-1')).toBe(2);
    expect(vault.get(ref.idNumber.vaultRef)).toBeUndefined();
    expect(vault.get(ref.name.vaultRef)).toBeUndefined();
    expect(vault.saltOf(ref.name.vaultRef)).toBeUndefined();
    expect((db.prepare('SELECT count(*) AS n FROM pii_subject_keys').get() as { n: number }).n).toBe(0);
    db.close();
  });

  it('keeps subjects apart: erasing one leaves the other readable', async () => {
    const { db, vault } = openVault();
    const a = vault.put('a', 'alice');
    const b = vault.put('b', 'bob');
    vault.erase('a');
    expect(vault.get(a.vaultRef)).toBeUndefined();
    expect(vault.get(b.vaultRef)).toBe('bob');
    db.close();
  });

  it('detects a swapped ciphertext (GCM tag + vault ref as associated data)', () => {
    const { db, vault } = openVault();
    const a = vault.put('s', 'one');
    const b = vault.put('s', 'two');
    const rowB = db
      .prepare('SELECT nonce, ciphertext, tag FROM pii_values WHERE vault_ref = ?')
      .get(b.vaultRef) as Record<string, Buffer>;
    db.prepare('UPDATE pii_values SET nonce = ?, ciphertext = ?, tag = ? WHERE vault_ref = ?').run(
      rowB.nonce,
      rowB.ciphertext,
      rowB.tag,
      a.vaultRef,
    );
    expect(() => vault.get(a.vaultRef)).toThrow();
    db.close();
  });

  it('refuses an ID number that fails GB 11643 before vaulting anything', async () => {
    const { db, vault } = openVault();
    const err = await vaultLegalRepresentative(vault, 's', {
      name: 'x',
      idNumber: '110105194912310021',
    }).catch((e: unknown) => e);
    expect(isLedgerError(err) && err.details.rule).toBe('enterprise.register.invalid_id_number');
    expect((db.prepare('SELECT count(*) AS n FROM pii_values').get() as { n: number }).n).toBe(0);
    db.close();
  });
});
