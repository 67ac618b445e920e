import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { randomBytes, randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { LedgerError } from '../errors.ts';
import type { EventStore } from '../store/eventStore.ts';
import { organizationModule } from './auth/admin.ts';
import { KeyDirectory } from './auth/directory.ts';
import { installAuthHooks } from './auth/hooks.ts';
import type { RateLimits } from './auth/rateLimit.ts';
import { PartyIndex } from './auth/parties.ts';
import { commandRoutes } from './commands/commandRoutes.ts';
import { mountCommandRoutes } from './commands/mountCommandRoutes.ts';
import type { AggregateRegistry } from './commands/registry.ts';
import { StateCache } from './commands/stateCache.ts';
import type { ApiContext } from './context.ts';
import { Follower } from './follower.ts';
import { IdempotencyIndex } from './idempotency.ts';
import { createMetrics, type GaugeSources } from './metrics.ts';
import { normalizeError, sendProblem } from './problem.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';
import { logRoutes, type LogService } from './routes/log.ts';
import { organizationRoutes } from './routes/organizations.ts';
import { creditRoutes } from './routes/credit.ts';
import { readRoutes, type AnchorStatusFor } from './routes/reads.ts';
import { loggerOptions, requestLogger } from './logging.ts';

export interface AppDeps {
  store: EventStore;
  /** The domain's aggregates (decider + command schemas), keyed by aggregate name (see commands/registry.ts). */
  aggregates?: AggregateRegistry;
  /**
   * Server secret for request digests and derived ids (idempotency). ≥ 32 bytes; must be stable across
   * restarts (else a retry after a restart is not recognized as one). Default: random per process.
   */
  secret?: Uint8Array | string;
  logService?: LogService;
  anchorStatusFor?: AnchorStatusFor;
  /** Extra readiness checks by name, e.g. { logFollower, chain }. */
  readiness?: Record<string, ReadinessCheck>;
  gauges?: GaugeSources;
  /** Body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** false: no logs; a pino options object (merged with our redaction); `destination` for tests. */
  logger?: false | (LoggerOptions & { destination?: DestinationStream });
  clock?: () => Date;
  /** Mount /docs (OpenAPI JSON + UI). Default true. */
  docs?: boolean;
  /** Extra routes mounted before the app is ready (benches: a no-op ceiling route). */
  configure?: (app: FastifyInstance) => void;
  /** Default process metrics (CPU, heap) in /metrics. Default true. */
  defaultMetrics?: boolean;
  /** Per-API-key token bucket (429 LL_RATE_LIMITED beyond it); `now` for tests. Absent: no limit. */
  rateLimit?: RateLimits & { now?: () => number };
  /** Entries of the in-memory Idempotency-Key index (IDEMPOTENCY_INDEX_ENTRIES). */
  idempotencyEntries?: number;
}

export const DEFAULT_BODY_LIMIT = 1_048_576;

/**
 * One log line per request (method, url, id, status, time) when it completes, instead of fastify's two.
 * A completed request's line is written by a logger without the redaction paths: its only fields are
 * the `req` and `res` serializers' output (id, method, url, status code) and numbers, so redaction can
 * change nothing in it, and running it cost ≈ 9 KB of garbage per request (each wildcard path is walked
 * over every field). Errored requests, and everything else logged, keep the redacting logger.
 */
class OneLinePerRequest extends LogController {
  /** `lines`: the root logger's child without redaction; undefined when the app logs nothing. */
  constructor(private readonly lines: Logger | undefined) {
    super();
  }

  override incomingRequest(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    request: Parameters<LogController['requestCompleted']>[1],
    reply: Parameters<LogController['requestCompleted']>[2],
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error(
        { req: request, res: reply, err: error, responseTime: reply.elapsedTime },
        'request errored',
      );
    } else if (this.lines && (reply.log as Logger).isLevelEnabled('info')) {
      // The request's own logger decides whether it is logged (health checks are at `warn`).
      this.lines.info(
        { reqId: request.id, req: request, res: reply, responseTime: reply.elapsedTime },
        'request completed',
      );
    }
  }
}

export type LoanLedgerApp = FastifyInstance & { ledger: ApiContext };

/**
 * Builds the HTTP API over the given store and services. Reads the store's `organization-*` streams
 * (and every event, for the party and idempotency indexes) before it resolves, then follows new commits.
 * `app.close()` stops taking requests, lets in-flight ones (appends included) finish, then stops the
 * follower; closing the store is the caller's job.
 */
export async function buildApp(deps: AppDeps): Promise<LoanLedgerApp> {
  const directory = new KeyDirectory();
  const parties = new PartyIndex();
  const idempotency = new IdempotencyIndex(deps.idempotencyEntries);
  const follower = new Follower(deps.store, [directory, parties, idempotency]);
  const logger: Logger | false =
    deps.logger === false ? false : pino(loggerOptions(deps.logger ?? {}), deps.logger?.destination);
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    logController: new OneLinePerRequest(logger ? logger.child({}, { redact: [] }) : undefined),
    childLoggerFactory: requestLogger,
    bodyLimit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { maxParamLength: 200 },
  }) as unknown as FastifyInstance;
  // Bodies are JSON only: anything else is 415, not a string handed to a schema.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Fastify decodes JSON bodies leniently (invalid UTF-8 becomes U+FFFD and would be recorded as if
  // sent); a ledger refuses bytes it cannot read back exactly. Prototype-poisoning checks stay fastify's.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new LedgerError('LL_MALFORMED_BODY', 'the request body is not valid UTF-8'), undefined);
      return;
    }
    jsonParser(request, text, done);
  });

  const ctx: ApiContext = {
    store: deps.store,
    registry: { ...deps.aggregates, organization: organizationModule },
    directory,
    parties,
    idempotency,
    stateCache: new StateCache(),
    follower,
    metrics: createMetrics(
      {
        followerLag: async () => Math.max(0, (await deps.store.headPosition()) - follower.applied),
        ...deps.gauges,
      },
      deps.defaultMetrics ?? true,
    ),
    secret: deps.secret ?? randomBytes(32),
    clock: deps.clock ?? (() => new Date()),
    routes: [],
  };
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      ctx.routes.push({ method, url: route.url, access: route.config?.access, public: route.config?.public });
    }
  });
  app.decorate('ledger', ctx);

  app.setErrorHandler((error, request, reply) => {
    const e = normalizeError(error, request);
    if (e.status >= 500) request.log.error({ code: e.code }, 'request failed');
    else request.log.info({ code: e.code }, 'request refused');
    return sendProblem(reply, e);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      new LedgerError('LL_ROUTE_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
  // Callback hooks, not async ones: these run on every request, and an async hook costs fastify a
  // promise and a microtask more.
  app.addHook('onResponse', (request, reply, done) => {
    ctx.metrics.requestDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  installAuthHooks(app, ctx, deps.rateLimit);

  if (deps.docs ?? true) {
    await app.register(fastifySwagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'loan-ledger API',
          version: '1',
          description:
            'Commands and reads of the SME-loan ledger. Errors are RFC 9457 problem+json with a stable `code`. ' +
            'Every POST takes `Idempotency-Key`; `If-Match: "<revision>"` makes a command conditional.',
        },
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'll_… API key' } },
        },
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    await app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
    app.get('/docs/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
      app.swagger(),
    );
  }

  healthRoutes(app, ctx, deps.readiness ?? {});
  logRoutes(app, ctx, deps.logService);
  organizationRoutes(app, ctx);
  mountCommandRoutes(app, ctx, commandRoutes);
  readRoutes(app, ctx, deps.anchorStatusFor ?? (() => 'unanchored'));
  creditRoutes(app, ctx);

  deps.configure?.(app);
  app.addHook('onClose', async () => {
    follower.stop();
    if (logger) await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
  await follower.start();
  await app.ready();
  return app as unknown as LoanLedgerApp;
}
