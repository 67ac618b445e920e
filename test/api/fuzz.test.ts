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

/** A fixture event making the fuzz callers parties of a resource (deciders ignore the unknown type). */
const fixture = (stream: string, org: string, data: Record<string, string>) =>
  t.store.appendToStream(stream, [
    {
      id: newEventId(),
      type: 'FuzzFixture',
      schemaVersion: 1,
      data,
      meta: {
        actor: { org, role: org === ENT ? 'enterprise' : org === 'bank-f' ? 'bank' : 'operator' },
        recordedAt: '2026-11-27T00:00:00.000Z',
        correlationId: 'f',
        causationId: 'f',
      },
    },
  ]);

beforeAll(async () => {
  t = await startTestServer({ bodyLimit: 16 * 1024 });
  callers.push(
    t.operatorKey,
    await t.org('bank-f', 'bank'),
    await t.org(ENT, 'enterprise'),
    await t.org('guar-f', 'guarantor'),
    await t.org('reg-f', 'reguarantor'),
    await t.org('fund-f', 'government_fund'),
    await t.org('arb-f', 'arbitrator'),
    await t.org('not-f', 'notary'),
  );
  // Every caller a party where its role needs one: the loan's lender, borrower, guarantor and sharers,
  // the dispute's tribunal, the notarization's notary, the product's bank, the grant's enterprise.
  await fixture('loan-L1', 'platform-operator', {
    borrowerUscc: ENT,
    bank: 'bank-f',
    guarantor: 'guar-f',
    reguarantor: 'reg-f',
    fund: 'fund-f',
  });
  await fixture('dispute-D1', 'bank-f', { loanId: 'L1', arbitrator: 'arb-f' });
  await fixture('notarization-N1', 'bank-f', { loanId: 'L1', notary: 'not-f' });
  await fixture('product-P1', 'bank-f', { bank: 'bank-f' });
  await fixture('authorization-A1', ENT, { uscc: ENT, grantee: 'bank-f' });
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
/** The fields that name a route's resource in the body, right, so a caller gets past authorization. */
const resourceFields = { loanId: 'L1', uscc: ENT, borrowerUscc: ENT, disputeId: 'D1' };
const body = fc.oneof(
  fc
    .dictionary(fc.constantFrom('amountFen', 'name', 'purpose', 'termMonths', '__proto__', 'x'), weird)
    .map((o) => JSON.stringify({ ...resourceFields, ...o })),
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
    const params: Record<string, string> = {
      loanId: 'L1',
      uscc: ENT,
      orgId: 'bank-f',
      disputeId: 'D1',
      notarizationId: 'N1',
      productId: 'P1',
      grantId: 'A1',
    };
    /** Routes where some fuzzed call got past authentication and authorization (to validation or beyond). */
    const reached = new Set<string>();
    for (const route of posts) {
      const url = route.url.replace(/:([A-Za-z]+)/g, (_, n: string) => params[n] ?? 'x');
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
          if (res.statusCode !== 401 && res.statusCode !== 403) reached.add(route.url);
        }),
        { numRuns: 24 },
      );
    }
    // A route only ever answered 403 would test nothing of its validation.
    expect(posts.map((r) => r.url).filter((u) => !reached.has(u))).toEqual([]);
    expect(await t.store.headPosition()).toBe(head);
  });
});
