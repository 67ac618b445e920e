import type { ReadModelDb } from '../../projections/readModelDb.ts';
import type { View } from '../../projections/view.ts';
import { reportRecords } from '../../projections/views/bankPortfolio.ts';

/**
 * Tables whose rows group records in blocks that start where the writing run's pages did: compared
 * record by record, the part a rebuild and a live runner must agree on.
 */
const byRecord: Record<string, (db: ReadModelDb) => string[]> = {
  rm_bank_reports: (db) => reportRecords(db),
};

/** Every row of every table of the views, as sorted JSON lines per table: equal dumps, equal read models. */
export function dumpViews(db: ReadModelDb, views: readonly View[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of views)
    for (const t of v.tables)
      out[t] =
        byRecord[t]?.(db) ??
        db
          .all(`SELECT * FROM ${t}`)
          .map((r) => JSON.stringify(r))
          .sort();
  return out;
}
