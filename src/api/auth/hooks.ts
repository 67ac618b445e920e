import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LedgerError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { authorize } from './policy.ts';
import { TokenBuckets, type RateLimits } from './rateLimit.ts';

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
export function installAuthHooks(
  app: FastifyInstance,
  ctx: ApiContext,
  rateLimit?: RateLimits & { now?: () => number },
): void {
  let lastPoke = 0;
  // Per-key limit, after authentication (unknown keys get no bucket). Absent: no limit (benches, tests).
  const buckets = rateLimit ? new TokenBuckets(rateLimit) : undefined;
  const now = rateLimit?.now ?? Date.now;
  const limitHeader = String(rateLimit?.burst);
  app.addHook('onRequest', async (request, reply) => {
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
    if (buckets === undefined) return;
    const left = buckets.take(principal.keyId, now());
    reply.header('ratelimit-limit', limitHeader);
    if (left < 0) {
      const wait = Math.ceil(-left / 1000);
      reply.header('ratelimit-remaining', '0').header('ratelimit-reset', String(wait));
      reply.header('retry-after', String(wait));
      throw new LedgerError('LL_RATE_LIMITED', `this API key is over its rate limit; retry after ${wait} s`);
    }
    reply.header('ratelimit-remaining', String(left));
    reply.header('ratelimit-reset', String(buckets.secondsToFull(principal.keyId)));
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
