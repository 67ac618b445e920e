import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DocumentStore } from '../../documents/documentStore.ts';
import { LedgerError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { PathId, problemResponses } from '../schemas.ts';

/**
 * GET /v1/loans/:loanId/contract.pdf: the exact bytes of the contract the ledger drafted, for the
 * loan's parties and the court, arbitrator or notary assigned to it (access row `loan.contract.read`).
 * The bytes are served only if their SHA-256 is the ContractDrafted hash (else 500
 * LL_DOCUMENT_INTEGRITY); a contract drafted elsewhere is 404 LL_CONTRACT_NOT_HELD (only its hash is here).
 */
export function contractRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  deps: { documents: DocumentStore | undefined },
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/v1/loans/:loanId/contract.pdf',
    {
      config: {
        access: 'loan.contract.read',
        resource: (r) => `loan-${(r.params as { loanId: string }).loanId}`,
      },
      schema: {
        summary:
          'The loan contract PDF (借款合同) the ledger drafted; its SHA-256 is the ContractDrafted hash',
        tags: ['loans'],
        security: [{ apiKey: [] }],
        params: z.object({ loanId: PathId }),
        response: { 200: z.any().describe('application/pdf: the drafted contract'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { loanId } = request.params;
      const events = await ctx.store.readStream(`loan-${loanId}`);
      const drafted = events.filter((e) => e.type === 'ContractDrafted').at(-1)?.data.documentSha256;
      if (typeof drafted !== 'string')
        throw new LedgerError('LL_NOT_FOUND', `loan ${loanId} has no drafted contract`);
      const bytes = deps.documents ? await deps.documents.get(drafted) : undefined;
      if (bytes === undefined) {
        throw new LedgerError(
          'LL_CONTRACT_NOT_HELD',
          `the contract of loan ${loanId} was drafted outside the ledger: the ledger records only its SHA-256`,
          { documentSha256: drafted },
        );
      }
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `attachment; filename="contract-${loanId}.pdf"`);
      // RFC 9530: the client can check the body against the ledger's hash without parsing the PDF.
      reply.header('repr-digest', `sha-256=:${Buffer.from(drafted, 'hex').toString('base64')}:`);
      reply.header('etag', `"${drafted}"`);
      return reply.send(Buffer.from(bytes));
    },
  );
}
