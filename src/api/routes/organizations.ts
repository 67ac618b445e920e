import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LedgerError } from '../../errors.ts';
import { handleCommand } from '../commands/handleCommand.ts';
import { newKeyId, organizationModule } from '../auth/admin.ts';
import { generateApiKey, hashApiKey } from '../auth/keys.ts';
import { organizationCommands, organizationStream } from '../auth/organization.ts';
import { principalOf, type ApiContext } from '../context.ts';
import { checkIdempotencyKey, requestDigest } from '../idempotency.ts';
import { CommandResponseSchema, IdempotencyHeaders, PathId, etag, problemResponses } from '../schemas.ts';

/**
 * Onboarding and key lifecycle. A new key is in the response once and nowhere else: a replayed
 * (Idempotency-Key) issuance returns the same events and keyId but no `apiKey` — retry-safe without
 * ever storing a key.
 */
const OrgParams = z.object({ orgId: PathId });
const KeyParams = z.object({ orgId: PathId, keyId: PathId });
const IssuedKeyResponse = CommandResponseSchema.extend({
  keyId: z.string(),
  apiKey: z.string().optional().describe('The key: shown in this response only, never again'),
});

export function organizationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  const command = async (
    request: { id: string; headers: Record<string, unknown> },
    orgId: string,
    type: string,
    data: Record<string, unknown>,
    digestOf: unknown,
  ) => {
    const principal = (request as never as Parameters<typeof principalOf>[0]).principal!;
    const rawKey = request.headers['idempotency-key'];
    const key = typeof rawKey === 'string' ? checkIdempotencyKey(rawKey) : undefined;
    const run = () =>
      handleCommand(
        {
          store: ctx.store,
          clock: ctx.clock,
          idempotency: ctx.idempotency,
          stateCache: ctx.stateCache,
          onCommitted: (events) => events.forEach((e) => (ctx.directory.apply(e), ctx.parties.apply(e))),
        },
        {
          aggregate: organizationModule,
          stream: organizationStream(orgId),
          type,
          data,
          actor: { org: principal.orgId, role: principal.role },
          correlationId: request.id,
          ...(key
            ? {
                idempotency: {
                  key,
                  digest: requestDigest(ctx.secret, { type, orgId, digestOf, org: principal.orgId }),
                },
              }
            : {}),
        },
      );
    return key ? ctx.idempotency.withLock(principal.orgId, key, run) : run();
  };

  typed.post(
    '/v1/organizations',
    {
      config: { access: 'organization.register' },
      schema: {
        summary: 'Register an organization (operator only)',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        headers: IdempotencyHeaders,
        body: organizationCommands.RegisterOrganization,
        response: { 201: CommandResponseSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const outcome = await command(
        request,
        request.body.orgId,
        'RegisterOrganization',
        request.body,
        request.body,
      );
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('etag', etag(outcome.response.streamRevision)).send(outcome.response);
    },
  );

  const issue = async (
    request: Parameters<typeof command>[0],
    orgId: string,
    replaces: string | undefined,
  ): Promise<{ status: number; body: z.infer<typeof IssuedKeyResponse>; replayed: boolean }> => {
    const apiKey = generateApiKey();
    const keyId = newKeyId();
    const outcome = await command(
      request,
      orgId,
      replaces ? 'RotateApiKey' : 'IssueApiKey',
      { keyId, keyHash: hashApiKey(apiKey), ...(replaces ? { replaces } : {}) },
      { replaces },
    );
    const issuedEvent = outcome.response.events.find((e) => e.type === 'ApiKeyIssued');
    const stored = issuedEvent
      ? (await ctx.store.readStream(outcome.response.stream, { from: issuedEvent.revision, max: 1 }))[0]
      : undefined;
    const storedKeyId = (stored?.data as { keyId?: string } | undefined)?.keyId ?? keyId;
    return {
      status: 201,
      body: { ...outcome.response, keyId: storedKeyId, ...(outcome.replayed ? {} : { apiKey }) },
      replayed: outcome.replayed,
    };
  };

  typed.post(
    '/v1/organizations/:orgId/keys',
    {
      config: {
        access: 'organization.key.issue',
        resource: (r) => organizationStream((r.params as { orgId: string }).orgId),
      },
      schema: {
        summary: 'Issue a new API key for the organization (shown once)',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: OrgParams,
        headers: IdempotencyHeaders,
        response: { 201: IssuedKeyResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const r = await issue(request, request.params.orgId, undefined);
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('cache-control', 'no-store').send(r.body);
    },
  );

  typed.post(
    '/v1/organizations/:orgId/keys/:keyId/rotation',
    {
      config: {
        access: 'organization.key.issue',
        resource: (r) => organizationStream((r.params as { orgId: string }).orgId),
      },
      schema: {
        summary: 'Rotate a key: a new key is issued and this one revoked, atomically',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: KeyParams,
        headers: IdempotencyHeaders,
        response: { 201: IssuedKeyResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const r = await issue(request, request.params.orgId, request.params.keyId);
      if (r.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('cache-control', 'no-store').send(r.body);
    },
  );

  typed.post(
    '/v1/organizations/:orgId/keys/:keyId/revocations',
    {
      config: {
        access: 'organization.key.revoke',
        resource: (r) => organizationStream((r.params as { orgId: string }).orgId),
      },
      schema: {
        summary: 'Revoke a key',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: KeyParams,
        headers: IdempotencyHeaders,
        body: organizationCommands.RevokeApiKey,
        response: { 201: CommandResponseSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { orgId, keyId } = request.params;
      const outcome = await command(request, orgId, 'RevokeApiKey', { keyId, ...request.body }, request.body);
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).header('etag', etag(outcome.response.streamRevision)).send(outcome.response);
    },
  );

  typed.get(
    '/v1/organizations/:orgId',
    {
      config: {
        access: 'organization.read',
        resource: (r) => organizationStream((r.params as { orgId: string }).orgId),
      },
      schema: {
        summary: 'An organization and the ids of its live keys',
        tags: ['organizations'],
        security: [{ apiKey: [] }],
        params: OrgParams,
        response: {
          200: z.object({
            orgId: z.string(),
            name: z.string(),
            role: z.string(),
            liveKeyIds: z.array(z.string()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const org = ctx.directory.organization(request.params.orgId);
      if (!org) throw new LedgerError('LL_NOT_FOUND', `no organization ${request.params.orgId}`);
      return {
        orgId: org.orgId,
        name: org.name,
        role: org.role,
        liveKeyIds: ctx.directory.liveKeyIds(org.orgId),
      };
    },
  );
}
