import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LedgerError } from '../errors.ts';

/**
 * Content-addressed store for documents the ledger records only by hash (the loan contract PDF): a
 * file's name is the SHA-256 of its bytes. `put` returns after the bytes and the directory entry are
 * on disk (fsync), so a caller that appends the event naming the hash afterwards never acknowledges a
 * hash whose file could be lost; a file whose event never got appended (a crash in between) is an
 * orphan, harmless and rewritten identically by a retry.
 */
export interface DocumentStore {
  /** Stores the bytes durably; returns their SHA-256 (lowercase hex). Storing the same bytes twice is a no-op. */
  put(bytes: Uint8Array): Promise<string>;
  /**
   * The bytes stored under `sha256`, or undefined when none are. Throws LL_DOCUMENT_INTEGRITY when the
   * stored bytes do not hash to `sha256` (edited or corrupted on disk): such bytes are never returned.
   */
  get(sha256: string): Promise<Uint8Array | undefined>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** `<dir>/sha256/<first two hex digits>/<64 hex digits>`: a directory layout, not a database. */
export class FileDocumentStore implements DocumentStore {
  constructor(readonly dir: string) {}

  private pathOf(sha256: string): { folder: string; file: string } {
    if (!SHA256_HEX.test(sha256))
      throw new LedgerError('LL_VALIDATION_FAILED', 'a document hash is 64 lowercase hex digits');
    const folder = join(this.dir, 'sha256', sha256.slice(0, 2));
    return { folder, file: join(folder, sha256) };
  }

  async put(bytes: Uint8Array): Promise<string> {
    const sha256 = sha256Hex(bytes);
    const { folder, file } = this.pathOf(sha256);
    const existing = this.read(file);
    if (existing && sha256Hex(existing) === sha256) return sha256;
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    // Write aside, fsync, then rename over: a reader never sees a half-written file under the hash.
    const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(temp, 'w', 0o600);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temp, file);
    } catch (e) {
      rmSync(temp, { force: true });
      throw e;
    }
    // The rename is durable only once the directories holding the entries are synced too.
    for (const d of [folder, join(this.dir, 'sha256'), this.dir]) syncDirectory(d);
    return sha256;
  }

  async get(sha256: string): Promise<Uint8Array | undefined> {
    const bytes = this.read(this.pathOf(sha256).file);
    if (bytes === undefined) return undefined;
    const actual = sha256Hex(bytes);
    if (actual !== sha256) {
      throw new LedgerError(
        'LL_DOCUMENT_INTEGRITY',
        `the stored document ${sha256} no longer hashes to its name (it hashes to ${actual}); it is not served`,
        { documentSha256: sha256 },
      );
    }
    return bytes;
  }

  private read(file: string): Uint8Array | undefined {
    try {
      return readFileSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }
}

function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
