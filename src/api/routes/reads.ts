import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { PositionedEvent } from '../../events/envelope.ts';
import { StreamName } from '../../events/envelope.ts';
import { LedgerError } from '../../errors.ts';
import type { ApiContext } from '../context.ts';
import { PathId, etag, problemResponses } from '../schemas.ts';

/** Anchor status of a log index (from the anchorer); 'unanchored' until one covers it. */
export type AnchorStatus = 'unanchored' | 'pending' | 'included' | 'final';
export type AnchorStatusFor = (position: number) => AnchorStatus | Promise<AnchorStatus>;

const EventView = z
  .object({
    id: z.string(),
    stream: z.string(),
    revision: z.number().int(),
    position: z.number().int().describe('the Merkle log index on SQLite and PostgreSQL'),
    type: z.string(),
    schemaVersion: z.number().int(),
    recordedAt: z.string(),
    actor: z.object({ org: z.string(), role: z.string() }),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'Event' });
const TimelineEntry = EventView.extend({
  anchorStatus: z.enum(['unanchored', 'pending', 'included', 'final']),
});

const view = (e: PositionedEvent) => ({
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  position: e.position,
  type: e.type,
  schemaVersion: e.schemaVersion,
  recordedAt: e.meta.recordedAt,
  actor: e.meta.actor,
  data: e.data,
});

/** Streams that make up a loan's story besides its own (same id, other aggregates). */
export const LOAN_SIDE_STREAMS = ['guarantee', 'policy'];

export function readRoutes(app: FastifyInstance, ctx: ApiContext, anchorStatusFor: AnchorStatusFor): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();

  typed.get(
    '/v1/loans/:loanId/timeline',
    {
      config: { access: 'loan.timeline', resource: (r) => `loan-${(r.params as { loanId: string }).loanId}` },
      schema: {
        summary: "A loan's events (with its guarantee and policy claims), with log index and anchor status",
        tags: ['loans'],
        security: [{ apiKey: [] }],
        params: z.object({ loanId: PathId }),
        response: {
          200: z.object({
            loanId: z.string(),
            revision: z.number().int(),
            streamRevisions: z
              .record(z.string(), z.number().int())
              .describe(
                'Revision of each stream in the timeline: the If-Match of a command on that stream (the guarantee and policy routes write their own streams; the ETag is the loan stream’s)',
              ),
            events: z.array(TimelineEntry),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { loanId } = request.params;
      const own = await ctx.store.readStream(`loan-${loanId}`);
      if (own.length === 0) throw new LedgerError('LL_NOT_FOUND', `no loan ${loanId}`);
      const side = await Promise.all(LOAN_SIDE_STREAMS.map((c) => ctx.store.readStream(`${c}-${loanId}`)));
      const events = [...own, ...side.flat()].sort((a, b) => a.position - b.position);
      const revision = own[own.length - 1]!.revision;
      reply.header('etag', etag(revision));
      const streamRevisions: Record<string, number> = {};
      for (const e of events)
        streamRevisions[e.stream] = Math.max(streamRevisions[e.stream] ?? -1, e.revision);
      return {
        loanId,
        revision,
        streamRevisions,
        events: await Promise.all(
          events.map(async (e) => ({ ...view(e), anchorStatus: await anchorStatusFor(e.position) })),
        ),
      };
    },
  );

  typed.get(
    '/v1/enterprises/:uscc',
    {
      config: {
        access: 'enterprise.read',
        resource: (r) => `enterprise-${(r.params as { uscc: string }).uscc}`,
      },
      schema: {
        summary:
          "An enterprise's profile (no personal data: the legal representative is only a vault reference)",
        tags: ['enterprises'],
        security: [{ apiKey: [] }],
        params: z.object({ uscc: PathId }),
        response: {
          200: z.object({
            uscc: z.string(),
            profile: z.record(z.string(), z.unknown()),
            legalRepresentativeOnFile: z.boolean(),
            revision: z.number().int(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { uscc } = request.params;
      const events = await ctx.store.readStream(`enterprise-${uscc}`);
      if (events.length === 0) throw new LedgerError('LL_NOT_FOUND', `no enterprise ${uscc}`);
      const profile: Record<string, unknown> = {};
      let legalRepresentativeOnFile = false;
      for (const e of events) {
        const { legalRepresentative, ...rest } = e.data as Record<string, unknown>;
        if (e.type === 'EnterpriseRegistered') Object.assign(profile, rest);
        if (legalRepresentative !== undefined) legalRepresentativeOnFile = true;
        if (e.type === 'PersonalDataErased') legalRepresentativeOnFile = false;
      }
      const revision = events[events.length - 1]!.revision;
      reply.header('etag', etag(revision));
      return { uscc, profile, legalRepresentativeOnFile, revision };
    },
  );

  const CREDIT_STREAM_PREFIX = 'credit-';
  const readStreamRoute = (
    url: string,
    access: 'stream.read' | 'dispute.read' | 'notarization.read',
    toStream: (p: Record<string, string>) => string,
    tag: string,
    summary: string,
  ) =>
    typed.get(
      url,
      {
        config: { access, resource: (r) => toStream(r.params as Record<string, string>) },
        schema: {
          summary,
          tags: [tag],
          security: [{ apiKey: [] }],
          params: z.object({ [url.match(/:([A-Za-z]+)/)![1]!]: z.string().min(1).max(200) }),
          querystring: z.object({
            from: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
            max: z.coerce.number().int().min(1).max(1000).default(1000),
          }),
          response: {
            200: z.object({ stream: z.string(), revision: z.number().int(), events: z.array(EventView) }),
            ...problemResponses,
          },
        },
      },
      async (request, reply) => {
        const stream = StreamName.safeParse(toStream(request.params as Record<string, string>));
        if (!stream.success) throw new LedgerError('LL_INVALID_STREAM_NAME', 'the stream name is not valid');
        // An enterprise's credit data is read only with its live authorization, and each read is recorded
        // (routes/credit.ts): never as raw events, whoever asks (found in the session-5 audit).
        if (access === 'stream.read' && stream.data.startsWith(CREDIT_STREAM_PREFIX))
          throw new LedgerError(
            'LL_FORBIDDEN',
            "an enterprise's credit data is read through GET /v1/enterprises/:uscc/credit-data, with its authorization",
          );
        const revision = await ctx.store.streamRevision(stream.data);
        if (revision === undefined) throw new LedgerError('LL_NOT_FOUND', `no stream ${stream.data}`);
        const events = await ctx.store.readStream(stream.data, {
          from: request.query.from,
          max: request.query.max,
        });
        reply.header('etag', etag(revision));
        return { stream: stream.data, revision, events: events.map(view) };
      },
    );

  readStreamRoute(
    '/v1/streams/:stream/events',
    'stream.read',
    (p) => p.stream ?? '',
    'streams',
    "A stream's events (operator, regulator)",
  );
  readStreamRoute(
    '/v1/disputes/:disputeId',
    'dispute.read',
    (p) => `dispute-${p.disputeId}`,
    'disputes',
    "A dispute's events (its parties and the assigned tribunal)",
  );
  readStreamRoute(
    '/v1/notarizations/:notarizationId',
    'notarization.read',
    (p) => `notarization-${p.notarizationId}`,
    'notarizations',
    "A notarization's events",
  );
}
