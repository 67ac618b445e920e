import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalBodyOf } from '../../src/events/canonicalBodies.ts';
import { canonicalBytes, canonicalJson } from '../../src/events/canonicalJson.ts';
import { toHashedForm, type EventToAppend, type Json } from '../../src/events/envelope.ts';
import { eventLeafHash, leafText, leafTextFromBody } from '../../src/ledger/leaf.ts';
import { leafHash } from '../../src/ledger/merkle.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { validateAppend } from '../../src/store/validateAppend.ts';
import { makeEvent, streamName } from '../store/contract.ts';

/** Well-formed Unicode, heavy on what JSON escapes and on the envelope's own member names. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\u0000', '\u2028', 'é', '😀', ',', ':', '{', '}', 'type') }),
  fc.constantFrom(
    'type',
    'schemaVersion',
    'revision',
    'stream',
    'data',
    'meta',
    ',"type":"X',
    ',"schemaVersion":1',
  ),
);
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    text,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

const event = fc.record({
  data: fc.dictionary(text, json, { maxKeys: 6 }),
  type: fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,20}$/),
  schemaVersion: fc.integer({ min: 1, max: 1000 }),
  org: text.filter((s) => s.length >= 1 && s.length <= 100),
  key: fc.option(
    text.filter((s) => s.length >= 1 && s.length <= 200),
    { nil: undefined },
  ),
});

describe('a leaf built from the stored body', () => {
  it('is byte for byte the canonical JSON of the recorded event, for any event the store accepts', () => {
    fc.assert(
      fc.property(
        event,
        fc.nat(),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,8}-[A-Za-z0-9_.:-]{1,20}$/),
        (e, revision, stream) => {
          const base = makeEvent(e.data, e.type);
          const appended: EventToAppend = {
            ...base,
            schemaVersion: e.schemaVersion,
            meta: {
              ...base.meta,
              actor: { org: e.org, role: 'bank' },
              ...(e.key ? { idempotencyKey: e.key } : {}),
            },
          };
          // The oracle is the event as the store accepted it (zod's copy when the input needed one: a
          // `__proto__` member does not survive it), which is what the body holds and the log hashes.
          const accepted = validateAppend(stream, [appended]);
          const body = accepted.bodies[0];
          const recorded = { ...accepted.events[0]!, stream, revision };
          expect(leafTextFromBody(body!, stream, revision)).toBe(canonicalJson(toHashedForm(recorded)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('is used for the events the store just committed, and hashes as RFC 9162 says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'll-leaf-'));
    const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    try {
      const stream = streamName();
      await store.appendToStream(stream, [
        makeEvent({ nested: { type: 'x', schemaVersion: 2 }, '"quoted"': ',"type":"Fake' }),
        makeEvent({ n: 2 }, 'LoanDisbursed'),
      ]);
      const recent = (await store.readAll({ recent: true })).events;
      const fromTable = (await store.readAll({})).events;
      expect(recent.map((e) => canonicalBodyOf(e) !== undefined)).toEqual([true, true]);
      // Invisible to every reader: keys, spread, JSON, equality with the same event read from the table.
      expect(Object.keys(recent[0]!)).toEqual(Object.keys(fromTable[0]!));
      expect(canonicalBodyOf({ ...recent[0]! })).toBeUndefined();
      expect(JSON.stringify(recent)).toBe(JSON.stringify(fromTable));
      expect(recent).toEqual(fromTable);
      // Rows read back from the table are never taken as canonical: the leaf is built from the event.
      expect(fromTable.map((e) => canonicalBodyOf(e))).toEqual([undefined, undefined]);
      for (let i = 0; i < recent.length; i++) {
        const expected = canonicalBytes(toHashedForm(fromTable[i]!));
        expect(leafText(recent[i]!)).toBe(Buffer.from(expected).toString('utf8'));
        expect(Buffer.from(eventLeafHash(recent[i]!))).toEqual(Buffer.from(leafHash(expected)));
        expect(Buffer.from(eventLeafHash(fromTable[i]!))).toEqual(Buffer.from(leafHash(expected)));
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused (the long way then) for a body without the top-level members', () => {
    expect(leafTextFromBody('{}', 'loan-1', 0)).toBeUndefined();
    expect(leafTextFromBody('{"data":{},"type":"X"}', 'loan-1', 0)).toBeUndefined();
  });
});
