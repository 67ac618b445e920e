import { canonicalBytes } from '../events/canonicalJson.ts';
import { toHashedForm, type RecordedEvent } from '../events/envelope.ts';
import { leafHash, type Hash } from './merkle.ts';

/**
 * What a log leaf is. Changing anything here (the set of hashed fields, the canonicalization, the
 * encoding) changes every leaf hash, so it must bump LEAF_FORMAT; the version is written into the
 * checkpoint origin line (see checkpoint.ts and docs/hashing.md), so old and new logs never mix.
 */
export const LEAF_FORMAT = 'loan-ledger/leaf/v1';

/** Leaf bytes: UTF-8 of the RFC 8785 canonical JSON of the recorded event's hashed form. */
export const leafBytes = (event: RecordedEvent): Uint8Array => canonicalBytes(toHashedForm(event));

/** RFC 9162 leaf hash of a recorded event. */
export const eventLeafHash = (event: RecordedEvent): Hash => leafHash(leafBytes(event));
