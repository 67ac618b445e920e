import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from 'better-sqlite3';
import { LedgerError, isLedgerError } from '../errors.ts';
import { describeSqliteFailure } from '../store/sqlite/failure.ts';

/**
 * Start-up guards for the SQLite files in the data directory. A file that cannot be opened, or whose
 * pages are damaged (a torn or truncated last page after a disk fault), must stop the start with a
 * message naming the file: SQLite opens a truncated file without complaint and answers some queries
 * from the damaged pages (rows with NULL bodies, a wrong max(position)), so nothing may be served from it.
 */

/** Why a directory cannot take writes, in words, or undefined if it can. */
function directoryProblem(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return 'the data directory is on a read-only filesystem';
    if (code === 'EACCES' || code === 'EPERM') return 'the data directory is not writable by this process';
    if (code === 'ENOENT') return 'the data directory does not exist';
    return `the data directory cannot be written (${code})`;
  }
}

/** Runs `open` and turns any failure into LL_STORE_UNAVAILABLE naming the file and the reason. */
export async function openingSqlite<T>(file: string, open: () => T | Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    if (isLedgerError(e)) throw e;
    const dir = directoryProblem(dirname(file));
    throw new LedgerError(
      'LL_STORE_UNAVAILABLE',
      `cannot open ${file}: ${dir ? `${dir}; ` : ''}${describeSqliteFailure(e)}`,
      {
        file,
        ...(typeof (e as { code?: unknown }).code === 'string'
          ? { reason: (e as { code: string }).code }
          : {}),
      },
      { cause: e },
    );
  }
}

/**
 * `PRAGMA quick_check` (every page's b-tree structure, O(file size), no index cross-check): throws
 * LL_STORE_UNAVAILABLE naming the file and SQLite's first findings when the file is damaged.
 */
export function checkSqliteFile(db: Database, file: string): void {
  let findings: string[];
  try {
    findings = (db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check);
  } catch (e) {
    findings = [describeSqliteFailure(e)];
  }
  if (findings.length === 1 && findings[0] === 'ok') return;
  throw new LedgerError(
    'LL_STORE_UNAVAILABLE',
    `${file} is damaged; nothing is served from it. Restore it from a backup (or, for the embedded store, ` +
      `from a replica); SQLite reports: ${findings.slice(0, 3).join('; ').slice(0, 500)}`,
    { file, corrupt: true },
  );
}
