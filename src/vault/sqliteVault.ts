import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { commitmentOf, newSalt, type PiiVault, type VaultPut } from '../domain/pii.ts';

/**
 * PII vault on SQLite: each data subject has its own random AES-256 key; each value is sealed with
 * AES-256-GCM under it (random 96-bit nonce, the vault ref as associated data so ciphertexts cannot be
 * swapped between rows). Erasure deletes the subject's key row and the salts: the ciphertexts stay but
 * are noise (crypto-shredding), and the commitments in the event log can no longer be opened.
 *
 * Keys are stored in the same database here; a deployment that wants separation passes a Database
 * on another file or wraps keys with a KMS (out of scope for the embedded default).
 */
export class SqlitePiiVault implements PiiVault {
  constructor(private readonly db: Database) {
    db.exec(`
      CREATE TABLE IF NOT EXISTS pii_subject_keys (subject_id TEXT PRIMARY KEY, key BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS pii_values (
        vault_ref TEXT PRIMARY KEY, subject_id TEXT NOT NULL, nonce BLOB NOT NULL,
        ciphertext BLOB NOT NULL, tag BLOB NOT NULL, salt TEXT);
      CREATE INDEX IF NOT EXISTS pii_values_subject ON pii_values(subject_id);
    `);
  }

  private keyOf(subjectId: string): Buffer | undefined {
    const row = this.db.prepare('SELECT key FROM pii_subject_keys WHERE subject_id = ?').get(subjectId) as
      { key: Buffer } | undefined;
    return row?.key;
  }

  put(subjectId: string, value: string): VaultPut {
    return this.db.transaction((): VaultPut => {
      let key = this.keyOf(subjectId);
      if (!key) {
        key = randomBytes(32);
        this.db.prepare('INSERT INTO pii_subject_keys (subject_id, key) VALUES (?, ?)').run(subjectId, key);
      }
      const vaultRef = `pii:${randomUUID()}`;
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(vaultRef, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      const salt = newSalt();
      this.db
        .prepare(
          'INSERT INTO pii_values (vault_ref, subject_id, nonce, ciphertext, tag, salt) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(vaultRef, subjectId, nonce, ciphertext, cipher.getAuthTag(), salt);
      return { vaultRef, commitment: commitmentOf(salt, value), salt };
    })();
  }

  get(vaultRef: string): string | undefined {
    const row = this.db
      .prepare(
        `SELECT v.nonce, v.ciphertext, v.tag, k.key FROM pii_values v
         JOIN pii_subject_keys k ON k.subject_id = v.subject_id WHERE v.vault_ref = ?`,
      )
      .get(vaultRef) as { nonce: Buffer; ciphertext: Buffer; tag: Buffer; key: Buffer } | undefined;
    if (!row) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', row.key, row.nonce);
    decipher.setAAD(Buffer.from(vaultRef, 'utf8'));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  }

  saltOf(vaultRef: string): string | undefined {
    const row = this.db.prepare('SELECT salt FROM pii_values WHERE vault_ref = ?').get(vaultRef) as
      { salt: string | null } | undefined;
    return row?.salt ?? undefined;
  }

  erase(subjectId: string): number {
    const changes = this.db.transaction(() => {
      this.db.prepare('DELETE FROM pii_subject_keys WHERE subject_id = ?').run(subjectId);
      return this.db.prepare('UPDATE pii_values SET salt = NULL WHERE subject_id = ?').run(subjectId).changes;
    })();
    this.flushWal();
    return changes;
  }

  /**
   * secure_delete zeroes the freed bytes in the pages the erasure writes, but in WAL mode the frames
   * written before (the key's INSERT, earlier versions of the page) stay in the -wal file, readable,
   * until a checkpoint copies the zeroed pages into the database and the WAL is reset — which otherwise
   * happens at the next close or whenever the WAL reaches its size. So the erasure checkpoints at once
   * and truncates the WAL. A checkpoint another connection's reader blocks throws: the erasure is then
   * retried (vault.erase is idempotent), because "erased" must mean gone from the files.
   */
  private flushWal(): void {
    if (String(this.db.pragma('journal_mode', { simple: true })) !== 'wal') return;
    const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    if (result && result.busy !== 0)
      throw new Error('vault: the erased key is still in the WAL (checkpoint blocked by a reader); retrying');
  }
}
