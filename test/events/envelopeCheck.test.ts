import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/events/canonicalJson.ts';
import { EventToAppend, roles } from '../../src/events/envelope.ts';
import { isPlainEventToAppend } from '../../src/events/envelopeCheck.ts';
import { newEventId } from '../../src/events/ids.ts';

/**
 * The store trusts isPlainEventToAppend instead of the zod parse when it says yes: it must never accept
 * what zod refuses, and what it accepts must canonicalize to the same bytes as zod's output.
 */
const agree = (raw: unknown): void => {
  if (!isPlainEventToAppend(raw)) return;
  const parsed = EventToAppend.safeParse(raw);
  expect(parsed.success).toBe(true);
  expect(canonicalJson(raw)).toBe(canonicalJson(parsed.data));
};

const metaArb = fc.record(
  {
    actor: fc.record({
      org: fc.string({ minLength: 0, maxLength: 102 }),
      role: fc.constantFrom(...roles, 'x'),
    }),
    recordedAt: fc.constantFrom('2026-01-31T08:00:00.000Z', '2026-01-31T08:00:00Z', ''),
    correlationId: fc.string({ maxLength: 101 }),
    causationId: fc.string({ maxLength: 101 }),
    idempotencyKey: fc.oneof(fc.string({ maxLength: 201 }), fc.constant(undefined)),
    requestDigest: fc.oneof(fc.string({ maxLength: 101 }), fc.constant(undefined)),
  },
  { requiredKeys: ['actor', 'recordedAt', 'correlationId', 'causationId'] },
);

const eventArb = fc.record(
  {
    id: fc.oneof(
      fc.constant(null).map(() => newEventId()),
      fc.uuid(),
      fc.string(),
    ),
    type: fc.oneof(fc.constantFrom('LoanRepaid', 'loanRepaid', '', 'A'.repeat(101)), fc.string()),
    schemaVersion: fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.double(), fc.constant('1')),
    data: fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue()),
      fc.dictionary(
        fc.string(),
        fc.anything({ withBoxedValues: true, withMap: true, withSparseArray: true }),
      ),
      fc.anything(),
    ),
    meta: fc.oneof(metaArb, fc.anything()),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

const validEvent = () => ({
  id: newEventId(),
  type: 'LoanRepaymentRecorded',
  schemaVersion: 1,
  data: { loanId: 'b1', amountFen: 100, allocation: [{ period: 1, principalFen: 90 }], note: null, ok: true },
  meta: {
    actor: { org: 'bank-1', role: 'bank' },
    recordedAt: '2026-03-05T00:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
    idempotencyKey: 'k',
    requestDigest: 'd',
  },
});

describe('isPlainEventToAppend', () => {
  it('never accepts what the zod envelope refuses, and accepts with the same canonical bytes', () => {
    fc.assert(fc.property(eventArb, agree), { numRuns: 3000 });
  });

  /** Whether an own key "__proto__" occurs anywhere in a JSON value (fast-check's jsonValue makes them). */
  const hasProtoKey = (v: unknown): boolean =>
    Array.isArray(v)
      ? v.some(hasProtoKey)
      : typeof v === 'object' && v !== null
        ? Object.keys(v).includes('__proto__') || Object.values(v).some(hasProtoKey)
        : false;

  it('takes the usual command events (the fast path is used)', () => {
    expect(isPlainEventToAppend(validEvent())).toBe(true);
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (data) => {
        const e = { ...validEvent(), data };
        // jsonValue may produce -0, which zod and JSON both take; a key "__proto__" at any depth is left to zod.
        expect(isPlainEventToAppend(e)).toBe(!hasProtoKey(data));
        agree(e);
      }),
      { numRuns: 500 },
    );
  });

  it('leaves edge cases to zod', () => {
    const sparse: unknown[] = [1];
    sparse[3] = 2;
    const withGetter = validEvent();
    Object.defineProperty(withGetter.data, 'amountFen', { get: () => 100, enumerable: true });
    const cases: [string, unknown][] = [
      ['NaN in data', { ...validEvent(), data: { x: Number.NaN } }],
      ['undefined value in data', { ...validEvent(), data: { x: undefined } }],
      ['sparse array', { ...validEvent(), data: { x: sparse } }],
      ['a Date', { ...validEvent(), data: { x: new Date(0) } }],
      ['an accessor', withGetter],
      ['an unknown meta key', { ...validEvent(), meta: { ...validEvent().meta, who: 'x' } }],
      ['an unknown envelope key', { ...validEvent(), stream: 'loan-1' }],
      [
        'meta key present as undefined',
        { ...validEvent(), meta: { ...validEvent().meta, requestDigest: undefined } },
      ],
      ['schemaVersion 1.5', { ...validEvent(), schemaVersion: 1.5 }],
      ['uppercase id', { ...validEvent(), id: newEventId().toUpperCase() }],
      ['own __proto__ key', { ...validEvent(), data: JSON.parse('{"__proto__":{"a":1}}') }],
    ];
    for (const [name, value] of cases) {
      expect(isPlainEventToAppend(value), name).toBe(false);
      agree(value);
    }
  });
});
