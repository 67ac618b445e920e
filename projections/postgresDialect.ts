/**
 * The one place where the read models' SQL (written for SQLite, `?` parameters) becomes PostgreSQL.
 * Views and queries keep a single SQL text; `toPostgres` rewrites it once per distinct statement:
 *
 * - `?` → `$1, $2, …` (outside string literals); `? IS NULL` gets a text cast, since PostgreSQL cannot
 *   infer the type of a parameter that is only tested for NULL;
 * - `INSERT OR IGNORE` → `… ON CONFLICT DO NOTHING`;
 * - `INSERT OR REPLACE` → `… ON CONFLICT (<primary key>) DO UPDATE SET` every other column: the listed
 *   ones from `excluded`, the unlisted ones back to their DEFAULT (SQLite's REPLACE deletes the old row,
 *   so unlisted columns take their defaults there too);
 * - DDL: `INTEGER` → `BIGINT` (fen amounts exceed 2³¹), `TEXT` columns `COLLATE "C"` (byte order, as
 *   SQLite compares, so ORDER BY gives the same rows on both engines), `STRICT` / `WITHOUT ROWID` dropped.
 *
 * The SQL the views use is otherwise portable (ON CONFLICT … excluded, coalesce, count(DISTINCT …),
 * CASE, integer division of integers). Scalar two-argument `max(a, b)` / `min(a, b)` are not used by any
 * view (they compute in TypeScript); `toPostgres` refuses them rather than silently mistranslate.
 */

/** The columns of a table and which of them form its primary key (asked of the database once per table). */
export interface TableShape {
  columns: readonly string[];
  primaryKey: readonly string[];
}

/**
 * Splits SQL into code and single-quoted literal segments, so rewrites never touch a literal; `--`
 * comments are dropped (an apostrophe in one would otherwise open a literal).
 */
function mapCode(sql: string, f: (code: string) => string): string {
  let out = '';
  let at = 0;
  while (at < sql.length) {
    const q = sql.indexOf("'", at);
    const c = sql.indexOf('--', at);
    if (c >= 0 && (q < 0 || c < q)) {
      out += f(sql.slice(at, c));
      const eol = sql.indexOf('\n', c);
      at = eol < 0 ? sql.length : eol;
      continue;
    }
    if (q < 0) {
      out += f(sql.slice(at));
      break;
    }
    out += f(sql.slice(at, q));
    // A literal ends at a quote not followed by another ('' is an escaped quote).
    let end = q + 1;
    for (;;) {
      const next = sql.indexOf("'", end);
      if (next < 0) throw new Error(`unterminated string literal in SQL: ${sql}`);
      if (sql[next + 1] === "'") end = next + 2;
      else {
        end = next + 1;
        break;
      }
    }
    out += sql.slice(q, end);
    at = end;
  }
  return out;
}

const numberParameters = (sql: string): string => {
  let n = 0;
  return mapCode(sql, (code) =>
    code.replace(/\?(\s+IS\s+(?:NOT\s+)?NULL\b)?/gi, (_m, isNull: string | undefined) => {
      n += 1;
      return isNull ? `CAST($${n} AS TEXT)${isNull}` : `$${n}`;
    }),
  );
};

const translateDdl = (sql: string): string =>
  mapCode(sql, (code) => code)
    .split(';')
    .map((statement) =>
      /^\s*CREATE\s+TABLE/i.test(statement)
        ? mapCode(statement, (code) =>
            code
              .replace(/\)\s*STRICT\s*(,\s*WITHOUT\s+ROWID\s*)?$/i, ')')
              .replace(/\)\s*WITHOUT\s+ROWID\s*(,\s*STRICT\s*)?$/i, ')')
              .replace(/\bINTEGER\b/gi, 'BIGINT')
              .replace(/\bTEXT\b/gi, 'TEXT COLLATE "C"'),
          )
        : statement,
    )
    .join(';');

const INSERT_OR = /^\s*INSERT\s+OR\s+(IGNORE|REPLACE)\s+INTO\s+(\w+)\s*\(([^)]*)\)/i;

/**
 * Rewrites one SQLite statement (or a `;`-separated DDL script) for PostgreSQL. `shapeOf` is only
 * called for `INSERT OR REPLACE` (it needs the target's primary key and columns).
 */
export function toPostgres(sql: string, shapeOf: (table: string) => TableShape): string {
  if (mapCode(sql, (c) => (/\b(max|min)\s*\([^()]*,/i.test(c) ? '\u0000' : '')).includes('\u0000'))
    throw new Error(`scalar max(a, b)/min(a, b) has no PostgreSQL equivalent by that name: ${sql}`);
  let out = translateDdl(sql);
  const m = INSERT_OR.exec(out);
  if (m) {
    const [head, mode, table, list] = m as unknown as [string, string, string, string];
    out = `INSERT INTO ${table} (${list})${out.slice(head.length)}`.trimEnd().replace(/;$/, '');
    if (mode.toUpperCase() === 'IGNORE') out += ' ON CONFLICT DO NOTHING';
    else {
      const shape = shapeOf(table);
      if (shape.primaryKey.length === 0)
        throw new Error(`INSERT OR REPLACE into ${table}: it has no primary key`);
      const listed = new Set(list.split(',').map((c) => c.trim()));
      const set = shape.columns
        .filter((c) => !shape.primaryKey.includes(c))
        .map((c) => (listed.has(c) ? `${c} = excluded.${c}` : `${c} = DEFAULT`));
      out +=
        set.length === 0
          ? ` ON CONFLICT (${shape.primaryKey.join(', ')}) DO NOTHING`
          : ` ON CONFLICT (${shape.primaryKey.join(', ')}) DO UPDATE SET ${set.join(', ')}`;
    }
  }
  return numberParameters(out);
}

/**
 * PostgreSQL returns int8 (count(*), BIGINT columns) and numeric (sum of BIGINT) as text. Read models
 * hold integers (fen, counts, positions): they come back as exact JavaScript numbers, and a value
 * beyond 2⁵³ is an error rather than a silently rounded amount. A numeric with a fraction (an avg)
 * is returned as a float: no read model stores one.
 */
export function parsePgInteger(text: string): number {
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (!Number.isSafeInteger(n)) throw new Error(`read-model integer ${text} is beyond 2^53`);
    return n;
  }
  return Number(text);
}
