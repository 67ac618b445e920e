import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { newEventId } from '../../events/ids.ts';
import { validateStreamName } from '../../store/validateAppend.ts';
import { LedgerError, errorCodes, isLedgerError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { principalOf } from '../context.ts';
import { checkIdempotencyKey, derivedId, requestDigest } from '../idempotency.ts';
import {
  CommandResponseSchema,
  IdempotencyHeaders,
  commandRouteSerializer,
  PathId,
  etag,
  parseIfMatch,
  problemResponses,
} from '../schemas.ts';
import type { CommandRoute, IdSource } from './commandRoutes.ts';
import { handleCommand, type CommandDeps } from './handleCommand.ts';
import type { AggregateModule } from './registry.ts';

const paramsOf = (url: string): string[] => [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);

/** The id named by an IdSource, from params or the (raw, maybe invalid) body; undefined when absent. */
function idFrom(source: IdSource, params: Record<string, unknown>, body: unknown): string | undefined {
  const v = source.param
    ? params[source.param]
    : source.field && body !== null && typeof body === 'object'
      ? (body as Record<string, unknown>)[source.field]
      : undefined;
  return typeof v === 'string' && v.length > 0 ? `${source.category}-${v}` : undefined;
}

/** The HTTP body schema: the command's (or request's) schema minus path-filled fields, the created id optional. */
export function bodySchemaFor(route: CommandRoute, module: AggregateModule): z.ZodType {
  const schema = module.requests?.[route.command] ?? module.commands[route.command]!;
  if (!(schema instanceof z.ZodObject)) return schema;
  let obj = schema as z.ZodObject;
  const omit = Object.keys(route.pathFields ?? {}).filter((f) => f in obj.shape);
  if (omit.length > 0) obj = obj.omit(Object.fromEntries(omit.map((f) => [f, true])) as never);
  if (route.createsId && route.createsId in obj.shape) {
    obj = obj.extend({ [route.createsId]: (obj.shape[route.createsId] as z.ZodType).optional() });
  }
  return obj;
}

/** Rows of the table whose aggregate/command the registry lacks (not mounted). */
export const unmountedRoutes = (routes: CommandRoute[], ctx: Pick<ApiContext, 'registry'>): CommandRoute[] =>
  routes.filter((r) => ctx.registry[r.aggregate]?.commands[r.command] === undefined);

export function mountCommandRoutes(app: FastifyInstance, ctx: ApiContext, routes: CommandRoute[]): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const route of routes) {
    const module = ctx.registry[route.aggregate];
    if (module?.commands[route.command] === undefined) continue;
    const names = paramsOf(route.url);
    const commandSchema = module.requests?.[route.command] ?? module.commands[route.command];
    // Only fields the command has: an id in the path is not repeated in every event.
    const filled = Object.entries(route.pathFields ?? {}).filter(
      ([field]) => commandSchema instanceof z.ZodObject && field in commandSchema.shape,
    );
    // The same for every request of this route: built once, not per request.
    const deps: CommandDeps = {
      store: ctx.store,
      clock: ctx.clock,
      idempotency: ctx.idempotency,
      stateCache: ctx.stateCache,
      onCommitted: (events, ms) => {
        for (const e of events) {
          ctx.directory.apply(e);
          ctx.parties.apply(e);
          // the idempotency index has the response already (handleCommand)
          ctx.follower.appliedAt(e.position);
        }
        ctx.metrics.appendDuration.observe({ aggregate: route.aggregate }, ms / 1000);
      },
    };
    typed.route({
      method: 'POST',
      url: route.url,
      config: {
        access: route.access,
        resource: (request: FastifyRequest) =>
          idFrom(route.resource ?? route.stream, request.params as Record<string, unknown>, request.body),
      },
      schema: {
        summary: route.summary,
        tags: [route.tag],
        operationId: route.access.replace(/\./g, '_'),
        security: [{ apiKey: [] }],
        ...(names.length > 0 ? { params: z.object(Object.fromEntries(names.map((n) => [n, PathId]))) } : {}),
        headers: IdempotencyHeaders,
        body: bodySchemaFor(route, module),
        response: { 201: CommandResponseSchema, ...problemResponses },
      },
      serializerCompiler: commandRouteSerializer,
      handler: async (request, reply) => {
        const principal = principalOf(request);
        const params = request.params as Record<string, string>;
        const body = request.body as Record<string, unknown>;
        const rawKey = request.headers['idempotency-key'];
        const key = typeof rawKey === 'string' ? checkIdempotencyKey(rawKey) : undefined;
        const ifMatch = parseIfMatch(request.headers['if-match']);
        if (ifMatch === 'invalid') {
          throw new LedgerError(
            'LL_INVALID_EXPECTED_REVISION',
            'If-Match must be a revision in quotes, like "3"',
            {
              issues: [{ path: 'headers.if-match', message: 'expected "<revision>"' }],
            },
          );
        }
        // Not `{ ...body }`: V8 in Node 20 adds fields to a spread copy slowly (docs/perf.md).
        const data: Record<string, unknown> = Object.assign({}, body);
        for (const [field, param] of filled) data[field] = params[param];
        if (route.createsId && data[route.createsId] === undefined) {
          data[route.createsId] = key ? derivedId(ctx.secret, principal.orgId, key) : newEventId();
        }
        const stream = validateStreamName(idFrom(route.stream, params, data));
        const digest = key
          ? requestDigest(ctx.secret, { route: route.url, params, body, org: principal.orgId })
          : undefined;
        const prepare = module.prepare?.[route.command];
        const run = () =>
          handleCommand(deps, {
            aggregate: module,
            stream,
            type: route.command,
            data,
            ...(prepare ? { prepare } : {}),
            actor: { org: principal.orgId, role: principal.role },
            ...(ifMatch !== undefined ? { ifMatch } : {}),
            ...(key && digest ? { idempotency: { key, digest } } : {}),
            correlationId: request.id,
          });
        let outcome: Awaited<ReturnType<typeof run>>;
        try {
          outcome = key ? await ctx.idempotency.withLock(principal.orgId, key, run) : await run();
        } catch (e) {
          // Refused: the ledger decided not to append (a domain rule, a stale If-Match, a reused key…);
          // failed: it could not (the store unavailable, a bug). Nothing was appended either way.
          const refused = isLedgerError(e) && errorCodes[e.code].status < 500;
          ctx.metrics.commands.inc({ aggregate: route.aggregate, outcome: refused ? 'refused' : 'failed' });
          throw e;
        }
        ctx.metrics.commands.inc({
          aggregate: route.aggregate,
          outcome: outcome.replayed ? 'replayed' : 'appended',
        });
        if (outcome.replayed) reply.header('idempotent-replayed', 'true');
        if (outcome.response.streamRevision >= 0) reply.header('etag', etag(outcome.response.streamRevision));
        return reply.code(201).send(outcome.response);
      },
    });
  }
}
