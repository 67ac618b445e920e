/**
 * The RFC 8785 body an event was stored with, remembered for events this process parsed from a body it
 * canonicalized itself (the SQLite store's memory of its last commits). The Merkle log builds such an
 * event's leaf from that body (src/ledger/leaf.ts: two members added in their sorted places) instead of
 * canonicalizing the parsed event once more. A body read back from disk is never remembered: it may have
 * been edited there and need not be canonical, and a leaf must be what a verifier computes from the event.
 *
 * The body rides on the event as a non-enumerable symbol property: invisible to Object.keys, spread,
 * JSON and structured clone, so no reader or response ever sees it. (A WeakMap cost ~0.5 µs an event,
 * ~0.8 % of the request thread under load; this ~0.2 µs.)
 */
const CANONICAL_BODY = Symbol('canonicalBody');

export const rememberCanonicalBody = (event: object, body: string): void => {
  Object.defineProperty(event, CANONICAL_BODY, { value: body });
};

export const canonicalBodyOf = (event: object): string | undefined =>
  (event as { [CANONICAL_BODY]?: string })[CANONICAL_BODY];
