import canonicalizeJson from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON. These are the bytes the Merkle log hashes, so every third-party
 * verifier must get the same bytes: we use the reference implementation's package rather than our own.
 * Values must be plain JSON (no undefined, no NaN/Infinity, no bigint); callers validate with zod first.
 */
export const canonicalJson = (value: unknown): string => {
  const text = canonicalizeJson(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
};

const encoder = new TextEncoder();

export const canonicalBytes = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));
