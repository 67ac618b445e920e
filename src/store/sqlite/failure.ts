/**
 * What a SQLite failure means for an operator, in words: better-sqlite3's messages ("disk I/O error",
 * "unable to open database file") do not say that the disk is full or read-only. Keyed on SQLite's
 * result code (extended codes start with the primary one, e.g. SQLITE_IOERR_WRITE).
 */
const MEANINGS: [prefix: string, meaning: string][] = [
  ['SQLITE_FULL', 'the disk holding the database is full'],
  ['SQLITE_IOERR', 'the disk refused a write or a read (read-only, failing or full filesystem)'],
  ['SQLITE_READONLY', 'the database is read-only'],
  [
    'SQLITE_CANTOPEN',
    'the database file cannot be opened (missing, no permission, or a read-only directory)',
  ],
  ['SQLITE_CORRUPT', 'the database file is corrupt'],
  ['SQLITE_NOTADB', 'the file is not a SQLite database (corrupt header)'],
  ['SQLITE_BUSY', 'the database is locked by another process'],
  ['SQLITE_LOCKED', 'the database is locked'],
];

/** `"<meaning> (<code>: <driver message>)"`, or the driver message alone for other errors. */
export function describeSqliteFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code !== 'string') return message;
  const meaning = MEANINGS.find(([prefix]) => code.startsWith(prefix))?.[1];
  return meaning ? `${meaning} (${code}: ${message})` : `${message} (${code})`;
}

/**
 * Whether a failure means "this database cannot take writes right now" (full, read-only or failing
 * disk) — a condition that passes, unlike corruption or a bug. Reads may still be served meanwhile.
 */
export function isWriteUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'LL_STORE_UNAVAILABLE') return true;
  return (
    typeof code === 'string' &&
    ['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_READONLY'].some((prefix) => code.startsWith(prefix))
  );
}
