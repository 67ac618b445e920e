import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

/**
 * `POST /v1/log/anchors`: the operator asks for an anchor of the latest checkpoint now, rather than at
 * the next ANCHOR_EVERY_* tick (before a court hearing, say). Answers once the transaction is sent;
 * the anchor then moves to included and final like any other (GET /v1/log/anchors).
 */
export interface AnchorNow {
  anchorNow(opts: {
    waitFor: 'created';
  }): Promise<{ treeSize: number; status: string; txHash: string | null } | undefined>;
}

export function anchorNowRoute(app: FastifyInstance, anchorer: AnchorNow): void {
  app.post(
    '/v1/log/anchors',
    {
      config: { access: 'log.anchor' },
      schema: {
        summary: 'Anchor the latest signed checkpoint now (operator)',
        tags: ['log'],
        security: [{ apiKey: [] }],
        body: z.strictObject({}).optional(),
      },
    },
    async (_request, reply) => {
      const record = await anchorer.anchorNow({ waitFor: 'created' });
      return reply.code(202).send({
        anchor: record ? { treeSize: record.treeSize, status: record.status, txHash: record.txHash } : null,
      });
    },
  );
}
