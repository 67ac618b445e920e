import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiContext } from '../../../src/api/context.ts';
import { normalizeError, sendProblem } from '../../../src/api/problem.ts';
import { evidenceRoutes } from '../../../src/api/routes/evidence.ts';
import { verifyBundleOffline } from '../../../src/evidence/bundle/verify.ts';
import { fakeAnchor, makeEvent, openLedger, seedLoanStory, type Ledger } from './fixture.ts';

/**
 * The evidence routes on their own (auth is the API's hooks, tested by its access matrix once the lead
 * mounts these routes): the bundle served verifies; not-yet-anchored and unknown ids are problems.
 */
let l: Ledger;
let app: FastifyInstance;

beforeAll(async () => {
  l = await openLedger();
  await seedLoanStory(l);
  l.anchors.push(fakeAnchor(l, l.tree.size));
  app = Fastify() as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, normalizeError(error, request)));
  evidenceRoutes(app, { store: l.store } as unknown as ApiContext, l.sources());
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await l?.close();
});

describe('GET /v1/loans/:id/evidence, /v1/disputes/:id/evidence', () => {
  it('serves bundles that verify', async () => {
    for (const url of ['/v1/loans/L1/evidence', '/v1/disputes/D1/evidence']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-disposition']).toContain('attachment');
      expect(verifyBundleOffline(res.json()).ok).toBe(true);
    }
  });

  it('404 for an unknown loan, 409 LL_EVIDENCE_NOT_ANCHORED when the newest event is not anchored', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/loans/NOPE/evidence' })).statusCode).toBe(404);
    await l.append('loan-L1', [makeEvent('LoanRepaid', { loanId: 'L1', amountFen: 1 })]);
    const res = await app.inject({ method: 'GET', url: '/v1/loans/L1/evidence' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'LL_EVIDENCE_NOT_ANCHORED' });
  });
});
