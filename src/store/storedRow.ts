import type { EventToAppend, PositionedEvent } from '../events/envelope.ts';
import { LedgerError } from '../errors.ts';

/**
 * The row shape both SQL stores keep (SQLite and PostgreSQL): the store's position, stream and revision
 * in columns, the rest of the event as its RFC 8785 canonical JSON body.
 */
export type StoredRow = [position: number, stream: string, revision: number, body: string];

/**
 * Every read of a SQL store turns rows into events here. A body that is not a JSON object (a torn or
 * edited row) is LL_LOG_INTEGRITY naming the row's position and stream, never a bare SyntaxError; the
 * body itself stays out of the error (it may hold personal data).
 */
export const eventFromRow = (row: StoredRow): PositionedEvent => {
  let e: EventToAppend;
  try {
    e = JSON.parse(row[3]) as EventToAppend;
  } catch {
    // No `cause`: JSON.parse's message quotes the body around the fault.
    throw corruptRow(row, 'is not valid JSON');
  }
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw corruptRow(row, 'is not a JSON object');
  return {
    id: e.id,
    stream: row[1],
    revision: row[2],
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: e.data,
    meta: e.meta,
    position: row[0],
  };
};

const corruptRow = (row: StoredRow, what: string): LedgerError =>
  new LedgerError(
    'LL_LOG_INTEGRITY',
    `event at position ${row[0]} (stream ${row[1]}, revision ${row[2]}): the stored body ${what}`,
    { position: row[0], stream: row[1], revision: row[2] },
  );
