import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CommandResponse } from './idempotency.ts';
import { ProblemSchema } from './problem.ts';

/** Shared HTTP schemas. Path ids follow the domain's Id rule: letters, digits and _ . : - */
export const PathId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : -');

export const CommandResponseSchema = z
  .object({
    stream: z.string(),
    streamRevision: z.number().int(),
    events: z.array(
      z.object({
        id: z.string(),
        type: z.string(),
        revision: z.number().int(),
        position: z.number().int().describe('global position = Merkle log index on SQLite and PostgreSQL'),
      }),
    ),
  })
  .meta({ id: 'CommandResponse' });

/**
 * A command's 201 body: the fields of CommandResponseSchema and nothing else, as zod's encode would keep
 * them, without its per-response parse (~10 µs, 3 % of the request thread at the API's peak). The
 * response is built by our own code (responseFromEvents), so its types are the compiler's to check;
 * test/api/commandResponse.test.ts holds this writer to zod's output.
 */
export const writeCommandResponse = (r: CommandResponse): string =>
  JSON.stringify({
    stream: r.stream,
    streamRevision: r.streamRevision,
    events: r.events.map((e) => ({ id: e.id, type: e.type, revision: e.revision, position: e.position })),
  });

/** Command routes: `writeCommandResponse` for the 201, zod for everything else (problems). */
export const commandRouteSerializer: FastifySerializerCompiler<unknown> = (route) =>
  route.httpStatus === '201'
    ? (writeCommandResponse as (data: unknown) => string)
    : serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe('Retry-safe key (1–200 visible ASCII); a repeat returns the first response'),
  'if-match': z
    .string()
    .optional()
    .describe('"<revision>": the stream revision this command expects (ETag of a read)'),
});

/** Responses shared by every authenticated route, for the OpenAPI document. */
export const problemResponses = {
  400: ProblemSchema,
  401: ProblemSchema,
  403: ProblemSchema,
  404: ProblemSchema,
  409: ProblemSchema,
  412: ProblemSchema,
  413: ProblemSchema,
  415: ProblemSchema,
  422: ProblemSchema,
  500: ProblemSchema,
  503: ProblemSchema,
};

export const etag = (revision: number): string => `"${revision}"`;

/** `"3"`, `W/"3"` or `3` → 3; `"-1"` means "the stream must not exist yet". */
export function parseIfMatch(value: string | string[] | undefined): number | undefined | 'invalid' {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return 'invalid';
  const m = /^\s*(?:W\/)?"?(-1|0|[1-9]\d{0,14})"?\s*$/.exec(value);
  return m ? Number(m[1]) : 'invalid';
}
