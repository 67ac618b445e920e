import type { ReadModelDb, SqlValue } from './readModelDb.ts';

/**
 * Write-behind buffers for one batch of the runner. A view that touches the same rows many times per
 * batch (a loan's repayments) or appends one row per event (report-back records, the case timeline)
 * keeps them here and writes them once, with multi-row statements, when the batch ends — still inside
 * the batch's transaction, before the checkpoint is written, so the exactly-once argument is unchanged.
 * A buffer lives for one batch only: if the transaction fails it is simply dropped with the batch.
 */

/** Rows per multi-row statement: few statements, and far under SQLite's 32,766 bound parameters. */
const CHUNK = 64;

/** Keys per prefetch statement, and the lengths its IN-list is padded to. */
const PREFETCH_SIZES = [8, 64, 512] as const;
const PREFETCH_MAX = 512;

const placeholders = (width: number, rows: number) => {
  const row = `(${Array.from({ length: width }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => row).join(', ');
};

/** Writes `values` (rows of `width` values, flattened) with `head VALUES (...), (...) tail`, CHUNK rows at a time. */
function writeRows(db: ReadModelDb, head: string, tail: string, width: number, values: SqlValue[]): void {
  const rows = values.length / width;
  for (let at = 0; at < rows; at += CHUNK) {
    const n = Math.min(CHUNK, rows - at);
    db.run(`${head} VALUES ${placeholders(width, n)}${tail}`, ...values.slice(at * width, (at + n) * width));
  }
}

/** Rows appended during a batch (in event order), inserted together when it ends. */
export class RowAppender {
  private rows: SqlValue[][] = [];
  private readonly width: number;

  /** `insert` is `INSERT [OR IGNORE] INTO table (col, …)`; each `push` gives one value per column. */
  constructor(
    private readonly db: ReadModelDb,
    private readonly insert: string,
    columns: number,
  ) {
    this.width = columns;
  }

  push(...row: SqlValue[]): void {
    if (row.length !== this.width) throw new Error(`${this.insert}: ${row.length} values for ${this.width}`);
    this.rows.push(row);
  }

  flush(): void {
    writeRows(this.db, this.insert, '', this.width, this.rows.flat());
    this.rows = [];
  }
}

/**
 * A table's rows by primary key, read at most once per batch, changed in memory, and written back
 * (all columns, upsert) once when the batch ends. Reads and writes of this table during the batch must
 * all go through it.
 */
export class KeyedRows<R extends Record<string, SqlValue>> {
  private readonly rows = new Map<string, R | null>();
  private readonly dirty = new Set<string>();
  private readonly select: string;
  private readonly selectIn: string;
  private readonly head: string;
  private readonly tail: string;

  constructor(
    private readonly db: ReadModelDb,
    table: string,
    private readonly key: keyof R & string,
    private readonly columns: readonly (keyof R & string)[],
  ) {
    this.select = `SELECT ${columns.join(', ')} FROM ${table} WHERE ${key} = ?`;
    this.selectIn = `SELECT ${columns.join(', ')} FROM ${table} WHERE ${key} IN`;
    this.head = `INSERT INTO ${table} (${columns.join(', ')})`;
    const set = columns.filter((c) => c !== key).map((c) => `${c} = excluded.${c}`);
    this.tail = ` ON CONFLICT (${key}) DO UPDATE SET ${set.join(', ')}`;
  }

  /**
   * Reads, in a few statements, the rows of these keys not read yet in this batch (absent ones are
   * remembered as absent). For PostgreSQL, where each `get` would be a network round trip; the rows
   * are the same either way. IN-lists are padded to a few fixed lengths so the statements repeat.
   */
  prefetch(ids: Iterable<string | undefined>): void {
    const wanted = [...new Set(ids)].filter((id): id is string => id !== undefined && !this.rows.has(id));
    for (let at = 0; at < wanted.length; at += PREFETCH_MAX) {
      const chunk = wanted.slice(at, at + PREFETCH_MAX);
      for (const id of chunk) this.rows.set(id, null);
      const size = PREFETCH_SIZES.find((n) => n >= chunk.length)!;
      const keys = [...chunk, ...Array.from({ length: size - chunk.length }, () => chunk[0]!)];
      for (const row of this.db.all<R>(`${this.selectIn} (${keys.map(() => '?').join(', ')})`, ...keys))
        this.rows.set(row[this.key] as string, row);
    }
  }

  /** The row as of this point in the batch, or undefined. Change it, then call `changed(row)`. */
  get(id: string): R | undefined {
    let row = this.rows.get(id);
    if (row === undefined) {
      row = this.db.get<R>(this.select, id) ?? null;
      this.rows.set(id, row);
    }
    return row ?? undefined;
  }

  /** Inserts or replaces a whole row. */
  put(row: R): void {
    const id = row[this.key] as string;
    this.rows.set(id, row);
    this.dirty.add(id);
  }

  changed(row: R): void {
    this.dirty.add(row[this.key] as string);
  }

  flush(): void {
    const values: SqlValue[] = [];
    for (const id of this.dirty) {
      const row = this.rows.get(id)!;
      for (const c of this.columns) values.push(row[c] ?? null);
    }
    writeRows(this.db, this.head, this.tail, this.columns.length, values);
    this.rows.clear();
    this.dirty.clear();
  }
}
