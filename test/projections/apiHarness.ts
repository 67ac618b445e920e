import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { KeyDirectory } from '../../src/api/auth/directory.ts';
import { installAuthHooks } from '../../src/api/auth/hooks.ts';
import { hashApiKey } from '../../src/api/auth/keys.ts';
import type { OrgRole } from '../../src/api/auth/organization.ts';
import { PartyIndex } from '../../src/api/auth/parties.ts';
import type { ApiContext } from '../../src/api/context.ts';
import { normalizeError, sendProblem } from '../../src/api/problem.ts';
import { projectionRoutes, type ProjectionRouteDeps } from '../../src/api/routes/projections.ts';
import type { RecordedEvent } from '../../src/events/envelope.ts';

/**
 * A fastify app with the API's real authentication (API keys hashed in a KeyDirectory, the same
 * onRequest hook, the same problem+json errors) and the projection routes, for the role tests and the
 * dashboard check. buildApp mounts its routes before `ready()`, so the routes are mounted here the same
 * way they would be there.
 */
export async function projectionApi(
  deps: ProjectionRouteDeps,
  orgs: Record<string, { role: OrgRole; uscc?: string }>,
): Promise<{ app: FastifyInstance; keyOf: (org: string) => string }> {
  const directory = new KeyDirectory();
  const keys = new Map<string, string>();
  let revision = 0;
  const meta = {
    actor: { org: 'platform', role: 'operator' as const },
    recordedAt: '2026-01-01T00:00:00.000Z',
    correlationId: 'c',
    causationId: 'c',
  };
  for (const [orgId, o] of Object.entries(orgs)) {
    const key = `ll_${Buffer.from(`test-key-for-${orgId}`.padEnd(32, '.')).toString('base64url')}`;
    keys.set(orgId, key);
    const base = { stream: `organization-${orgId}`, schemaVersion: 1, meta };
    directory.apply({
      ...base,
      id: `o${revision}`,
      revision: 0,
      type: 'OrganizationRegistered',
      data: { orgId, name: orgId, role: o.role, ...(o.uscc ? { uscc: o.uscc } : {}) },
    } as RecordedEvent);
    directory.apply({
      ...base,
      id: `k${revision++}`,
      revision: 1,
      type: 'ApiKeyIssued',
      data: { orgId, keyId: 'k1', role: o.role, keyHash: hashApiKey(key) },
    } as RecordedEvent);
  }
  const app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler((error, request, reply) => sendProblem(reply, normalizeError(error, request)));
  const ctx = {
    directory,
    parties: new PartyIndex(),
    follower: { catchUp: async () => undefined },
    clock: () => new Date(),
  } as unknown as ApiContext;
  installAuthHooks(app, ctx);
  projectionRoutes(app, deps);
  await app.ready();
  return { app, keyOf: (org) => keys.get(org)! };
}
