import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LedgerError } from '../../errors.ts';
import type { EvidenceBundle } from '../../evidence/bundle/format.ts';
import type { BundleSources } from '../../evidence/bundle/build.ts';
import { subjectBundle } from '../../evidence/bundle/subjects.ts';
import {
  certificateFromBundle,
  decodeBundleEvents,
  type Registration,
} from '../../evidence/certificateFromBundle.ts';
import { pdfRenderers } from '../../evidence/pdf/load.ts';
import type { EventStore } from '../../store/eventStore.ts';
import type { ApiContext } from '../context.ts';
import { PathId, problemResponses } from '../schemas.ts';

export interface CertificateDeps {
  sources: BundleSources | undefined;
  /** Unix seconds of a block on the anchor chain, undefined if the node does not know it. */
  blockTime(blockNumber: number): Promise<number | undefined>;
  /** 出具方 printed on the certificate. */
  issuer?: string;
}

const DEFAULT_ISSUER = '贷款账本电子数据存证平台';

/** Names of the acting organizations, read from their registration events (never a person's data). */
async function registrations(
  store: Pick<EventStore, 'readStream'>,
  bundle: EvidenceBundle,
): Promise<(org: string, role: string) => Registration | undefined> {
  const found = new Map<string, Registration>();
  const actors = new Map<string, string>();
  for (const { event } of decodeBundleEvents(bundle))
    actors.set(`${event.meta.actor.role}:${event.meta.actor.org}`, event.meta.actor.org);
  await Promise.all(
    [...actors].map(async ([key, org]) => {
      const enterprise = key.startsWith('enterprise:');
      const stream = enterprise ? `enterprise-${org}` : `organization-${org}`;
      const first = (await store.readStream(stream)).find((e) =>
        enterprise ? e.type === 'EnterpriseRegistered' : e.type === 'OrganizationRegistered',
      );
      const name = first?.data.name;
      const uscc = first?.data.uscc;
      if (typeof name === 'string') found.set(key, { name, ...(typeof uscc === 'string' ? { uscc } : {}) });
    }),
  );
  return (org, role) => found.get(`${role}:${org}`);
}

/**
 * GET /v1/loans/:loanId/evidence/certificate.pdf and GET /v1/disputes/:disputeId/evidence/certificate.pdf:
 * the 存证证书 of the same bundle the JSON routes give (built the same way, same access rows), whose
 * SHA-256 it prints. Registered beside evidenceRoutes by the composition root.
 */
export function certificateRoutes(app: FastifyInstance, ctx: ApiContext, deps: CertificateDeps): void {
  const { sources } = deps;
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const response = {
    200: z.any().describe('application/pdf: 电子数据存证证书 (docs/certificates.md)'),
    ...problemResponses,
  };

  const render = async (bundle: EvidenceBundle): Promise<Buffer> => {
    const seconds = await deps.blockTime(bundle.anchor.blockNumber);
    if (seconds === undefined)
      throw new LedgerError('LL_EVIDENCE_NOT_ANCHORED', `block ${bundle.anchor.blockNumber} is not known`);
    const input = certificateFromBundle(bundle, {
      registrationOf: await registrations(ctx.store, bundle),
      blockTime: new Date(seconds * 1000).toISOString(),
      issuedAt: new Date().toISOString(),
      issuer: deps.issuer ?? DEFAULT_ISSUER,
    });
    const { renderEvidenceCertificate } = await pdfRenderers();
    return Buffer.from(await renderEvidenceCertificate(input));
  };

  typed.get(
    '/v1/loans/:loanId/evidence/certificate.pdf',
    {
      config: { access: 'evidence.loan', resource: (r) => `loan-${(r.params as { loanId: string }).loanId}` },
      schema: {
        summary: 'Evidence certificate (存证证书, PDF in Chinese) of the loan’s evidence bundle',
        tags: ['evidence'],
        security: [{ apiKey: [] }],
        params: z.object({ loanId: PathId }),
        response,
      },
    },
    async (request, reply) => {
      const { loanId } = request.params;
      const bundle = await subjectBundle(ctx.store, { kind: 'loan', id: loanId }, sources);
      const pdf = await render(bundle);
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `attachment; filename="certificate-loan-${loanId}.pdf"`);
      return reply.send(pdf);
    },
  );

  typed.get(
    '/v1/disputes/:disputeId/evidence/certificate.pdf',
    {
      config: {
        access: 'evidence.dispute',
        resource: (r) => `dispute-${(r.params as { disputeId: string }).disputeId}`,
      },
      schema: {
        summary: 'Evidence certificate (存证证书, PDF in Chinese) of the dispute’s evidence bundle',
        tags: ['evidence'],
        security: [{ apiKey: [] }],
        params: z.object({ disputeId: PathId }),
        response,
      },
    },
    async (request, reply) => {
      const { disputeId } = request.params;
      const bundle = await subjectBundle(ctx.store, { kind: 'dispute', id: disputeId }, sources);
      const pdf = await render(bundle);
      reply.header('content-type', 'application/pdf');
      reply.header('content-disposition', `attachment; filename="certificate-dispute-${disputeId}.pdf"`);
      return reply.send(pdf);
    },
  );
}
