import { LedgerError } from '../errors.ts';
import type { AppendResult, ExpectedRevision } from './eventStore.ts';

/**
 * The two decisions every dense adapter (SQLite, PostgreSQL) takes inside its append transaction, in
 * this order: is this a retry of an append already stored (then return its original result), and does
 * the stream stand at the expected revision.
 */

/** `actual` is the stream's current revision, or "no_stream". */
export type ActualRevision = number | 'no_stream';

export const wrongExpectedRevision = (stream: string, expected: ExpectedRevision, actual: ActualRevision) =>
  new LedgerError(
    'LL_WRONG_EXPECTED_REVISION',
    `stream ${stream} is at revision ${actual}, expected ${expected}`,
    { stream, expected, actual },
  );

/** Throws LL_WRONG_EXPECTED_REVISION unless the stream (current revision, undefined = no stream) matches. */
export function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  current: number | undefined,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    (typeof expected === 'number' && current === expected);
  if (!ok) throw wrongExpectedRevision(stream, expected, current ?? 'no_stream');
}

/** A stored event found by id. */
export interface StoredById {
  stream: string;
  revision: number;
  position: number;
  body: string;
}

/**
 * `found[i]` is the stored event with the id of the i-th event to append, if any. Returns undefined
 * when no id is stored (a fresh append); the original result when the whole append is already stored
 * in this stream at consecutive revisions with identical content and where `expected` would have put
 * it; otherwise throws LL_EVENT_ID_CONFLICT (an id is never overwritten or reused).
 */
export function matchRetry(
  stream: string,
  expected: ExpectedRevision,
  ids: string[],
  bodies: string[],
  found: (StoredById | undefined)[],
): AppendResult | undefined {
  if (found.every((f) => f === undefined)) return undefined;
  const first = found[0];
  const conflict = (i: number, why: string) =>
    new LedgerError('LL_EVENT_ID_CONFLICT', `event id ${ids[i]} is already stored ${why}`, {
      id: ids[i],
      stream,
      storedStream: found[i]?.stream,
      storedRevision: found[i]?.revision,
    });
  for (let i = 0; i < ids.length; i++) {
    const f = found[i];
    if (f === undefined) throw conflict(i, 'for only part of this append (another event id of it is stored)');
    if (f.body !== bodies[i]) throw conflict(i, 'with different content');
    if (f.stream !== stream) throw conflict(i, `in another stream`);
    if (first !== undefined && f.revision !== first.revision + i) throw conflict(i, 'at another revision');
  }
  const firstRevision = first!.revision;
  const placedAsExpected =
    expected === 'any' ||
    (expected === 'no_stream' && firstRevision === 0) ||
    (expected === 'stream_exists' && firstRevision > 0) ||
    (typeof expected === 'number' && firstRevision === expected + 1);
  if (!placedAsExpected)
    throw conflict(0, `at revision ${firstRevision}, not where expectedRevision ${expected} puts it`);
  return {
    nextExpectedRevision: firstRevision + ids.length - 1,
    positions: found.map((f) => f!.position),
  };
}
