import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEventId } from '../../src/events/ids.ts';
import { bearer, startTestServer, uscc, type TestServer } from './support.ts';

/**
 * Malformed, oversized, wrongly typed and unicode-heavy bodies at every POST route, by callers allowed
 * to reach validation: never a 5xx, never an event written.
 */
let t: TestServer & { operatorKey: string };
const callers: string[] = [];
const ENT = uscc(9);

beforeAll(async () => {
  t = await startTestServer({ bodyLimit: 16 * 1024 });
  callers.push(
    t.operatorKey,
    await t.org('bank-f', 'bank'),
    await t.org(ENT, 'enterprise'),
    await t.org('guar-f', 'guarantor'),
  );
  await t.store.appendToStream('loan-L1', [
    {
      id: newEventId(),
      type: 'FuzzFixture',
      schemaVersion: 1,
      data: { borrowerUscc: ENT, bank: 'bank-f', guarantor: 'guar-f' },
      meta: {
        actor: { org: 'platform-operator', role: 'operator' },
        recordedAt: '2026-11-27T00:00:00.000Z',
        correlationId: 'f',
        causationId: 'f',
      },
    },
  ]);
  await t.app.ledger.follower.catchUp();
});
afterAll(async () => t.close());

const weird = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.constant(2 ** 53),
  fc.constant(-1),
  fc.constant(null),
  fc.boolean(),
  fc.constant('x'.repeat(20_000)),
  fc.array(fc.string(), { maxLength: 5 }),
);
const body = fc.oneof(
  fc
    .dictionary(
      fc.constantFrom(
        'loanId',
        'uscc',
        'borrowerUscc',
        'amountFen',
        'productId',
        'name',
        '__proto__',
        'constructor',
        'x',
      ),
      weird,
    )
    .map((o) => JSON.stringify(o)),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '',
    '{',
    '[]',
    'null',
    '{"a":1,}',
    '{"__proto__":{"x":1}}',
    `{"amountFen": ${'9'.repeat(400)}}`,
  ),
);

describe('fuzz: every POST route', () => {
  it('never answers 5xx and never writes an event', async () => {
    const head = await t.store.headPosition();
    // Key issuance and rotation take no body (any body is ignored), so a fuzzed call legitimately issues a key.
    const posts = t.app.ledger.routes.filter(
      (r) => r.method === 'POST' && !/\/keys(\/:keyId\/rotation)?$/.test(r.url),
    );
    expect(posts.length).toBeGreaterThan(20);
    for (const route of posts) {
      const url = route.url.replace(
        /:([A-Za-z]+)/g,
        (_, n: string) => ({ loanId: 'L1', uscc: ENT, orgId: 'bank-f' })[n] ?? 'x',
      );
      await fc.assert(
        fc.asyncProperty(body, fc.constantFrom(...callers), async (payload, key) => {
          const res = await t.app.inject({
            method: 'POST',
            url,
            headers: { ...bearer(key), 'content-type': 'application/json' },
            payload,
          });
          if (res.statusCode >= 500) throw new Error(`${route.url}: ${res.statusCode} ${res.body}`);
          if (res.statusCode < 400 && res.statusCode !== 201)
            throw new Error(`${route.url}: unexpected ${res.statusCode}`);
        }),
        { numRuns: 12 },
      );
    }
    expect(await t.store.headPosition()).toBe(head);
  });
});
