import type { PositionedEvent } from '../src/events/envelope.ts';
import type { ReadModelDb } from './readModelDb.ts';

/**
 * A projection: a read model built by applying the store's events in their total order. `apply` is
 * called inside the runner's batch transaction and must only write through `db` (no I/O, no clock):
 * the same events always give the same rows, which is what makes a rebuild equal to the live model.
 */
export interface View {
  /** Stable name: the checkpoint key and the `loan-ledger rebuild <name>` argument. */
  readonly name: string;
  /** Bump when the schema or the meaning of a row changes: the runner then rebuilds the view from zero. */
  readonly version: number;
  /** Its tables, all prefixed `rm_<name>_`; dropped and recreated by a rebuild. */
  readonly tables: readonly string[];
  /** CREATE TABLE / CREATE INDEX statements (IF NOT EXISTS) the view needs while applying events. */
  readonly schema: string;
  /**
   * CREATE INDEX IF NOT EXISTS statements only the queries need. A rebuild creates them once it has
   * caught up (one sort instead of a million out-of-order index inserts); otherwise they are created
   * with the schema.
   */
  readonly queryIndexes?: string;
  /** Event types it reacts to; other events only advance its checkpoint. */
  readonly handles: ReadonlySet<string>;
  apply(db: ReadModelDb, event: PositionedEvent): void;
  /**
   * Optional batched form of `apply`, used by the runner when present: events are applied in order,
   * then `end()` writes what the view buffered — all inside the batch's transaction, before its
   * checkpoint. The batch object is dropped afterwards (and when the transaction fails).
   */
  batch?(db: ReadModelDb): ViewBatch;
}

export interface ViewBatch {
  /**
   * Optional: read up front, in a few statements, the rows `apply` will need for these events (the
   * batch's events this view handles). The runner calls it on PostgreSQL only, where every read is a
   * network round trip; it must not change the rows the batch writes.
   */
  prefetch?(events: readonly PositionedEvent[]): void;
  apply(event: PositionedEvent): void;
  /**
   * Optional, for a rebuild: the runner then keeps this batch open over many pages (a span) and calls
   * `endPage` at the end of each page's transaction. It writes the rows the view appends (they only
   * grow, and the page's memory must not outlive it) and keeps the rows it holds by key for `end()`,
   * so a rebuild reads and writes each of those once per span rather than once per page. A view
   * without it is ended and opened again every page.
   */
  endPage?(): void;
  end(): void;
}

/** `apply` for a view that has a batched form: one event as a batch of one. */
export const applyAsBatch =
  (batch: (db: ReadModelDb) => ViewBatch) =>
  (db: ReadModelDb, event: PositionedEvent): void => {
    const b = batch(db);
    b.apply(event);
    b.end();
  };

/** The runner's way in: the view's batched form, or its `apply` one event at a time. */
export const openBatch = (view: View, db: ReadModelDb): ViewBatch =>
  view.batch
    ? view.batch(db)
    : {
        apply: (e) => view.apply(db, e),
        endPage: () => undefined, // writes straight through: nothing held
        end: () => undefined,
      };
