import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileDocumentStore } from '../../../src/documents/documentStore.ts';
import { isLedgerError } from '../../../src/errors.ts';

let dir: string;
let store: FileDocumentStore;
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytes = new TextEncoder().encode('%PDF-1.7 a contract');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-docs-'));
  store = new FileDocumentStore(join(dir, 'documents'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('FileDocumentStore (content-addressed, on a real directory)', () => {
  it('stores bytes under their SHA-256 and returns exactly them; storing them again is a no-op', async () => {
    const hash = await store.put(bytes);
    expect(hash).toBe(sha256(bytes));
    const file = join(dir, 'documents', 'sha256', hash.slice(0, 2), hash);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const mtime = statSync(file).mtimeMs;
    expect(await store.put(bytes)).toBe(hash);
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(Buffer.from((await store.get(hash))!).equals(Buffer.from(bytes))).toBe(true);
    // No temporary files left beside it.
    expect(readdirSync(join(dir, 'documents', 'sha256', hash.slice(0, 2)))).toEqual([hash]);
  });

  it('an unknown hash is undefined; a malformed one is a validation error', async () => {
    expect(await store.get('a'.repeat(64))).toBeUndefined();
    const e = await store.get('../../etc/passwd').catch((x: unknown) => x);
    expect(isLedgerError(e) && e.code).toBe('LL_VALIDATION_FAILED');
  });

  it('a file edited on disk is LL_DOCUMENT_INTEGRITY, never returned; putting the true bytes repairs it', async () => {
    const other = new TextEncoder().encode('%PDF-1.7 another contract');
    const hash = await store.put(other);
    const file = join(dir, 'documents', 'sha256', hash.slice(0, 2), hash);
    writeFileSync(file, new TextEncoder().encode('%PDF-1.7 another contracT'));
    const e = await store.get(hash).catch((x: unknown) => x);
    expect(isLedgerError(e) && e.code).toBe('LL_DOCUMENT_INTEGRITY');
    expect(isLedgerError(e) && e.details.documentSha256).toBe(hash);
    await store.put(other);
    expect(sha256((await store.get(hash))!)).toBe(hash);
  });
});
