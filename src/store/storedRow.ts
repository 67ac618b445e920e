import type { EventToAppend, PositionedEvent } from '../events/envelope.ts';

/**
 * The row shape both SQL stores keep (SQLite and PostgreSQL): the store's position, stream and revision
 * in columns, the rest of the event as its RFC 8785 canonical JSON body.
 */
export type StoredRow = [position: number, stream: string, revision: number, body: string];

export const eventFromRow = (row: StoredRow): PositionedEvent => {
  const e = JSON.parse(row[3]) as EventToAppend;
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
