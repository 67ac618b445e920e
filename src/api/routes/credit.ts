import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CreditCategory } from '../../domain/credit/records.ts';
import { newEventId } from '../../events/ids.ts';
import { LedgerError } from '../../errors.ts';
import { handleCommand } from '../commands/handleCommand.ts';
import { principalOf, type ApiContext } from '../context.ts';
import { PathId, problemResponses } from '../schemas.ts';

/**
 * Reading an enterprise's credit data (经企业授权): a bank or guarantor needs a live grant for the
 * category (checked by the access table), and the read is itself recorded — RecordCreditDataAccess on
 * the grant's stream — before any data leaves. If recording fails, nothing is returned.
 */
export function creditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get(
    '/v1/enterprises/:uscc/credit-data',
    {
      config: {
        access: 'enterprise.credit.read',
        resource: (r) => `enterprise-${(r.params as { uscc: string }).uscc}`,
        category: (r) => (r.query as { category?: string }).category,
      },
      schema: {
        summary:
          "An enterprise's credit records of one category (needs its live authorization; each read is recorded)",
        tags: ['enterprises'],
        security: [{ apiKey: [] }],
        params: z.object({ uscc: PathId }),
        querystring: z.object({ category: CreditCategory }),
        response: {
          200: z.object({
            uscc: z.string(),
            category: z.string(),
            accessId: z
              .string()
              .optional()
              .describe('the recorded access (absent when the enterprise reads its own)'),
            records: z.array(z.record(z.string(), z.unknown())),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { uscc } = request.params;
      const { category } = request.query;
      let accessId: string | undefined;
      if (principal.role !== 'enterprise') {
        const grant = ctx.parties.liveGrant(uscc, principal.orgId, category, ctx.clock().toISOString());
        const module = ctx.registry.authorization;
        if (!grant || !module)
          throw new LedgerError('LL_AUTHORIZATION_REQUIRED', 'no live authorization for this category');
        accessId = newEventId();
        await handleCommand(
          { store: ctx.store, clock: ctx.clock, idempotency: ctx.idempotency, stateCache: ctx.stateCache },
          {
            aggregate: module,
            stream: `authorization-${grant.authorizationId}`,
            type: 'RecordCreditDataAccess',
            data: { accessId, category, purpose: 'financing_support' },
            actor: { org: principal.orgId, role: principal.role },
            correlationId: request.id,
          },
        );
      }
      const events = await ctx.store.readStream(`credit-${uscc}`);
      const records = events
        .filter((e) => e.type === 'CreditInfoSubmitted')
        .map((e) => e.data as { record?: { category?: string } })
        .filter((d) => d.record?.category === category);
      return { uscc, category, ...(accessId ? { accessId } : {}), records };
    },
  );
}
