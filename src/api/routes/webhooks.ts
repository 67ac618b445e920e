import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { WebhookEndpointRegistry } from '../../../projections/webhookEndpoints.ts';
import { LedgerError } from '../../errors.ts';
import { organizationStream } from '../auth/organization.ts';
import { checkIdempotencyKey } from '../idempotency.ts';
import { IdempotencyHeaders, PathId, problemResponses } from '../schemas.ts';

/**
 * An organization registers, lists and removes the endpoint its risk-warning notices are pushed to
 * (projections/webhooks.ts: JSON bodies signed with HMAC-SHA256 of the secret). The secret is in the
 * registration's response only. Access: the organization itself (and the operator), like its keys.
 */
const OrgParams = z.object({ orgId: PathId });
const EndpointParams = z.object({ orgId: PathId, endpointId: PathId });
const WebhookUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, 'an http(s) URL without credentials');
const Endpoint = z.object({ endpointId: z.string(), url: z.string(), createdAt: z.string() });

export function webhookRoutes(app: FastifyInstance, deps: { registry: WebhookEndpointRegistry }): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { registry } = deps;
  const resource = (r: { params: unknown }) => organizationStream((r.params as { orgId: string }).orgId);

  typed.post(
    '/v1/organizations/:orgId/webhooks',
    {
      config: { access: 'organization.webhook.register', resource },
      schema: {
        summary: 'Register (or replace) the endpoint risk notices are pushed to; the secret is shown once',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: OrgParams,
        headers: IdempotencyHeaders.pick({ 'idempotency-key': true }),
        body: z.strictObject({ url: WebhookUrl }),
        response: {
          201: Endpoint.extend({
            secret: z.string().describe('HMAC-SHA256 signing secret: shown in this response only'),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const rawKey = request.headers['idempotency-key'];
      const idempotencyKey = typeof rawKey === 'string' ? checkIdempotencyKey(rawKey) : undefined;
      const {
        org: _org,
        replayed,
        ...endpoint
      } = registry.register(request.params.orgId, request.body.url, {
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('cache-control', 'no-store').send(endpoint);
    },
  );

  typed.get(
    '/v1/organizations/:orgId/webhooks',
    {
      config: { access: 'organization.webhook.read', resource },
      schema: {
        summary: "The organization's webhook endpoint (without its secret)",
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: OrgParams,
        response: { 200: z.object({ endpoints: z.array(Endpoint) }), ...problemResponses },
      },
    },
    async (request) => ({
      endpoints: registry.list(request.params.orgId).map(({ org: _org, ...e }) => e),
    }),
  );

  typed.delete(
    '/v1/organizations/:orgId/webhooks/:endpointId',
    {
      config: { access: 'organization.webhook.remove', resource },
      schema: {
        summary: 'Remove the endpoint (and its secret); notices are then recorded as no_endpoint',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: EndpointParams,
        response: { 204: z.null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, endpointId } = request.params;
      if (!registry.remove(orgId, endpointId))
        throw new LedgerError('LL_NOT_FOUND', `no webhook endpoint ${endpointId} for ${orgId}`);
      return reply.code(204).send(null);
    },
  );
}
