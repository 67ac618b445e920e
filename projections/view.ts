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
  /** CREATE TABLE / CREATE INDEX statements (IF NOT EXISTS). */
  readonly schema: string;
  /** Event types it reacts to; other events only advance its checkpoint. */
  readonly handles: ReadonlySet<string>;
  apply(db: ReadModelDb, event: PositionedEvent): void;
}
