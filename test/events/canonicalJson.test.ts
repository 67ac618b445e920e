import reference from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/events/canonicalJson.ts';

/** The reference implementation of RFC 8785 (by its author) is the oracle: the same bytes, or both refuse. */
const agrees = (value: unknown): void => {
  let expected: string | undefined;
  let refused = false;
  try {
    expected = reference(value);
  } catch {
    refused = true;
  }
  if (refused) expect(() => canonicalJson(value)).toThrow();
  else expect(canonicalJson(value)).toBe(expected);
};

/** Strings of any code points, lone surrogates included (what a hostile body can carry). */
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }), // any code point, half surrogates included
  fc.string({
    unit: fc.constantFrom('\ud800', '\udfff', '\u2028', '\u0000', '"', '\\', 'é', '😀', '\ud83d'),
  }),
);

describe('canonicalJson (RFC 8785)', () => {
  it('gives the reference implementation’s bytes for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => agrees(v)),
      { numRuns: 2000 },
    );
  });

  it('agrees on Unicode-heavy member names and strings, lone surrogates refused by both', () => {
    const value = fc.dictionary(anyText, fc.oneof(anyText, fc.array(anyText, { maxLength: 3 })), {
      maxKeys: 6,
    });
    fc.assert(
      fc.property(value, (v) => agrees(v)),
      { numRuns: 2000 },
    );
    // Objects past the small-object sort (32 keys) too, and integer-like names (kept first by Object.keys).
    const wide = fc.dictionary(fc.oneof(anyText, fc.nat().map(String)), fc.nat(), {
      minKeys: 20,
      maxKeys: 48,
    });
    fc.assert(
      fc.property(wide, (v) => agrees(v)),
      { numRuns: 300 },
    );
    expect(() => canonicalJson({ a: 'x\ud800y' })).toThrow();
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow();
  });

  it('orders members by UTF-16 code units and writes numbers in ECMAScript form (RFC 8785 examples)', () => {
    // RFC 8785 §3.2.3's sorting example and §3.2.2.3's number forms.
    const sorted = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(sorted)).toBe(reference(sorted));
    const text = canonicalJson(sorted);
    const at = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) =>
      text.indexOf(`${JSON.stringify(k)}:`),
    );
    expect(at.every((x, i) => x > (at[i - 1] ?? -1))).toBe(true);
    for (const n of [0, -0, 1e21, 1e-7, 5e-324, 333333333.3333333, Number.MAX_SAFE_INTEGER, -1.5])
      expect(canonicalJson({ n })).toBe(reference({ n }));
    expect(canonicalJson({ n: -0 })).toBe('{"n":0}');
    expect(canonicalJson({ b: [1, undefined, 'x'], a: undefined })).toBe('{"b":[1,null,"x"]}');
  });

  it('refuses what has no JSON form', () => {
    for (const bad of [
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      { n: Number.NEGATIVE_INFINITY },
      10n,
      () => 1,
    ])
      expect(() => canonicalJson(bad)).toThrow(TypeError);
  });
});
