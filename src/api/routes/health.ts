import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ApiContext } from '../context.ts';

/**
 * Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the store, the log follower and
 * the chain each say ok). Readiness checks are injected; each is given 2 s.
 */
export type ReadinessInfo = Record<string, number | string | boolean | null>;
/** Throws when not ready; may return figures to show beside `ok` (the anchoring lag, say). */
export type ReadinessCheck = () => Promise<void | ReadinessInfo> | void | ReadinessInfo;

const CHECK_TIMEOUT_MS = 2000;

async function runCheck(
  check: ReadinessCheck,
): Promise<{ ok: boolean; error?: string; info?: ReadinessInfo }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = await Promise.race([
      Promise.resolve().then(check),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS)),
      ),
    ]);
    return info ? { ok: true, info: info as ReadinessInfo } : { ok: true };
  } catch (e) {
    // A short reason only: no SQL, no connection strings.
    const code = (e as { code?: string }).code;
    return {
      ok: false,
      error: code ?? (e instanceof Error && e.message === 'timed out' ? 'timed out' : 'failed'),
    };
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(
  app: FastifyInstance,
  ctx: ApiContext,
  checks: Record<string, ReadinessCheck>,
): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const Report = z.object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.record(
      z.string(),
      z.object({
        ok: z.boolean(),
        error: z.string().optional(),
        info: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
      }),
    ),
  });
  typed.get(
    '/healthz',
    {
      config: { public: true },
      logLevel: 'warn',
      schema: {
        summary: 'Liveness',
        tags: ['operations'],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  typed.get(
    '/readyz',
    {
      config: { public: true },
      logLevel: 'warn',
      schema: {
        summary: 'Readiness: store, log follower, chain',
        tags: ['operations'],
        response: { 200: Report, 503: Report },
      },
    },
    async (_request, reply) => {
      const all: Record<string, ReadinessCheck> = {
        store: async () => void (await ctx.store.headPosition()),
        apiFollower: () => {
          if (ctx.follower.lastError) throw ctx.follower.lastError;
        },
        ...checks,
      };
      const results = Object.fromEntries(
        await Promise.all(Object.entries(all).map(async ([k, c]) => [k, await runCheck(c)] as const)),
      );
      const ok = Object.values(results).every((r) => r.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
    },
  );
  app.get(
    '/metrics',
    { config: { public: true }, logLevel: 'warn', schema: { hide: true } },
    async (_request, reply) => {
      const body = await ctx.metrics.registry.metrics();
      return reply.type(ctx.metrics.registry.contentType).send(body);
    },
  );
}
