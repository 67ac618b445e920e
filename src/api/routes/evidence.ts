import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BundleSources } from '../../evidence/bundle/build.ts';
import { EvidenceBundle } from '../../evidence/bundle/format.ts';
import { subjectBundle } from '../../evidence/bundle/subjects.ts';
import type { ApiContext } from '../context.ts';
import { PathId, problemResponses } from '../schemas.ts';

/**
 * GET /v1/loans/:loanId/evidence and GET /v1/disputes/:disputeId/evidence: the evidence bundle
 * (docs/evidence-format.md), for the parties and the assigned tribunal or notary (access rows
 * `evidence.loan`, `evidence.dispute` in auth/policy.ts). 409 LL_EVIDENCE_NOT_ANCHORED while the
 * newest events are not anchored yet. `sources` comes from `ledgerBundleSources` in the composition root.
 */
export function evidenceRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  sources: BundleSources | undefined,
): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const response = {
    200: EvidenceBundle.describe('loan-ledger/evidence/v1 bundle (docs/evidence-format.md)'),
    ...problemResponses,
  };

  typed.get(
    '/v1/loans/:loanId/evidence',
    {
      config: { access: 'evidence.loan', resource: (r) => `loan-${(r.params as { loanId: string }).loanId}` },
      schema: {
        summary:
          'Evidence bundle of a loan: its events with inclusion proofs, checkpoints and the chain anchor',
        tags: ['evidence'],
        security: [{ apiKey: [] }],
        params: z.object({ loanId: PathId }),
        response,
      },
    },
    async (request, reply) => {
      const { loanId } = request.params;
      const bundle = await subjectBundle(ctx.store, { kind: 'loan', id: loanId }, sources);
      reply.header('content-disposition', `attachment; filename="evidence-loan-${loanId}.json"`);
      return bundle;
    },
  );

  typed.get(
    '/v1/disputes/:disputeId/evidence',
    {
      config: {
        access: 'evidence.dispute',
        resource: (r) => `dispute-${(r.params as { disputeId: string }).disputeId}`,
      },
      schema: {
        summary: 'Evidence bundle of a dispute and the loan it is about',
        tags: ['evidence'],
        security: [{ apiKey: [] }],
        params: z.object({ disputeId: PathId }),
        response,
      },
    },
    async (request, reply) => {
      const { disputeId } = request.params;
      const bundle = await subjectBundle(ctx.store, { kind: 'dispute', id: disputeId }, sources);
      reply.header('content-disposition', `attachment; filename="evidence-dispute-${disputeId}.json"`);
      return bundle;
    },
  );
}
