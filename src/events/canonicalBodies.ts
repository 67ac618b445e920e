/**
 * The RFC 8785 body an event was stored with, remembered for events this process parsed from a body it
 * canonicalized itself (the SQLite store's memory of its last commits). The Merkle log builds such an
 * event's leaf from that body (src/ledger/leaf.ts: two members added in their sorted places) instead of
 * canonicalizing the parsed event once more. A body read back from disk is never remembered: it may have
 * been edited there and need not be canonical, and a leaf must be what a verifier computes from the event.
 */
const bodies = new WeakMap<object, string>();

export const rememberCanonicalBody = (event: object, body: string): void => {
  bodies.set(event, body);
};

export const canonicalBodyOf = (event: object): string | undefined => bodies.get(event);
