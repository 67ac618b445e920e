import { canonicalBodyOf } from '../events/canonicalBodies.ts';
import { canonicalJson } from '../events/canonicalJson.ts';
import { toHashedForm, type RecordedEvent } from '../events/envelope.ts';
import { leafHashOfText, type Hash } from './merkle.ts';

/**
 * What a log leaf is. Changing anything here (the set of hashed fields, the canonicalization, the
 * encoding) changes every leaf hash, so it must bump LEAF_FORMAT; the version is written into the
 * checkpoint origin line (see checkpoint.ts and docs/hashing.md), so old and new logs never mix.
 */
export const LEAF_FORMAT = 'loan-ledger/leaf/v1';

/**
 * Under the test suite every leaf built from a stored body is also built the long way and compared, so
 * the whole suite's events check `leafTextFromBody` (as FREEZE_SHARED_EVENTS does for shared events).
 */
const CHECK_LEAVES_FROM_BODIES = process.env.NODE_ENV === 'test';

const encoder = new TextEncoder();

/**
 * The leaf's canonical JSON from the event's stored body. That body is the RFC 8785 form of
 * {data, id, meta, schemaVersion, type} (the only members EventToAppend allows, in that sorted order);
 * the leaf's is the same object plus `revision` (sorted between meta and schemaVersion) and `stream`
 * (between schemaVersion and type). RFC 8785 writes every member's value on its own, so adding the two
 * members in their places gives exactly the bytes of canonicalizing the whole. The last `,"type":"` is
 * the top-level member: it comes last, and its value (a PascalCase name) holds no quote; between it and
 * the nearest `,"schemaVersion":` before it there is only that member's integer. 7.8 µs → 1.9 µs a leaf
 * with the hash (a repayment, plain node loop). Anything else gives undefined: the long way then.
 */
export function leafTextFromBody(body: string, stream: string, revision: number): string | undefined {
  const type = body.lastIndexOf(',"type":"');
  if (type < 0) return undefined;
  const schemaVersion = body.lastIndexOf(',"schemaVersion":', type);
  if (schemaVersion < 0) return undefined;
  return `${body.slice(0, schemaVersion)},"revision":${canonicalJson(revision)}${body.slice(schemaVersion, type)},"stream":${canonicalJson(stream)}${body.slice(type)}`;
}

/** The leaf's text: RFC 8785 canonical JSON of the recorded event's hashed form. */
export function leafText(event: RecordedEvent): string {
  const body = canonicalBodyOf(event);
  const fromBody = body === undefined ? undefined : leafTextFromBody(body, event.stream, event.revision);
  if (fromBody === undefined) return canonicalJson(toHashedForm(event));
  if (CHECK_LEAVES_FROM_BODIES) {
    const expected = canonicalJson(toHashedForm(event));
    if (fromBody !== expected)
      throw new Error(`leaf from the stored body differs: ${fromBody} instead of ${expected}`);
  }
  return fromBody;
}

/** Leaf bytes: UTF-8 of the RFC 8785 canonical JSON of the recorded event's hashed form. */
export const leafBytes = (event: RecordedEvent): Uint8Array => encoder.encode(leafText(event));

/** RFC 9162 leaf hash of a recorded event. */
export const eventLeafHash = (event: RecordedEvent): Hash => leafHashOfText(leafText(event));
