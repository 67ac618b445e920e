import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LedgerError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { authorize } from './policy.ts';

/** `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m?.[1];
  }
  const x = request.headers['x-api-key'];
  return typeof x === 'string' ? x.trim() : undefined;
}

/**
 * Authentication runs onRequest (before the body is read: an anonymous caller costs no parsing);
 * authorization runs preValidation, so a forbidden caller learns nothing from validation errors.
 */
export function installAuthHooks(app: FastifyInstance, ctx: ApiContext): void {
  let lastPoke = 0;
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (
      config.public ||
      request.routeOptions.url === undefined ||
      request.routeOptions.url.startsWith('/docs')
    )
      return; // public, or no such route (404)
    const key = presentedKey(request);
    if (key === undefined)
      throw new LedgerError('LL_UNAUTHENTICATED', 'send an API key: Authorization: Bearer ll_…');
    let principal = ctx.directory.authenticate(key);
    // A key issued by another process (the CLI) reaches us through the store: catch up, at most once a second.
    if (!principal && Date.now() - lastPoke > 1000) {
      lastPoke = Date.now();
      await ctx.follower.catchUp();
      principal = ctx.directory.authenticate(key);
    }
    if (!principal) throw new LedgerError('LL_UNAUTHENTICATED', 'the API key is unknown or revoked');
    request.principal = principal;
  });

  app.addHook('preValidation', async (request) => {
    const { access, resource, category } = request.routeOptions.config;
    if (access === undefined || request.principal === undefined) return;
    authorize(request.principal, access, ctx.parties, {
      resource: resource?.(request),
      category: category?.(request),
      now: ctx.clock().toISOString(),
    });
  });
}
