import type { ReadModelDb } from '../../projections/readModelDb.ts';
import type { View } from '../../projections/view.ts';

/** Every row of every table of the views, as sorted JSON lines per table: equal dumps, equal read models. */
export function dumpViews(db: ReadModelDb, views: readonly View[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of views)
    for (const t of v.tables)
      out[t] = db
        .all(`SELECT * FROM ${t}`)
        .map((r) => JSON.stringify(r))
        .sort();
  return out;
}
