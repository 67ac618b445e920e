import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorCodes, isLedgerError, LedgerError, type ErrorCode } from '../errors.ts';

/**
 * RFC 9457 problem details for every error the API returns. The `code` comes from the one table in
 * src/errors.ts; `type` is a stable URL derived from it. Messages are ours, never a driver's: an error
 * that is not a LedgerError becomes LL_INTERNAL with a generic detail (the original goes to the log).
 */
export const PROBLEM_BASE = 'https://loan-ledger.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]]),
    instance: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });
export type Problem = z.infer<typeof ProblemSchema>;

export const problemTypeFor = (code: ErrorCode): string =>
  `${PROBLEM_BASE}${code.toLowerCase().replace(/_/g, '-')}`;

/** Keys a LedgerError's details may not override in the problem document. */
const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

export function toProblem(error: LedgerError, instance: string): Problem {
  const { status, title } = errorCodes[error.code];
  const problem: Problem = {
    type: problemTypeFor(error.code),
    title,
    status,
    detail: error.message,
    code: error.code,
    instance,
  };
  for (const [k, v] of Object.entries(error.details)) {
    if (RESERVED.has(k)) continue;
    // Stores and validators use `issues`; the API calls them `errors` (one name for clients).
    if (k === 'issues') problem.errors = v as Problem['errors'];
    else problem[k] = v;
  }
  return problem;
}

export function sendProblem(reply: FastifyReply, error: LedgerError): FastifyReply {
  const problem = toProblem(error, reply.request.url.split('?')[0] ?? '/');
  if (error.code === 'LL_UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="loan-ledger"');
  return reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problem);
}

const pathOf = (instancePath: string): string => instancePath.replace(/^\//, '').replace(/\//g, '.');

/** Fastify's own error codes mapped to ours. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'LL_BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'LL_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'LL_MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'LL_MALFORMED_BODY',
  FST_ERR_CTP_INVALID_JSON_BODY: 'LL_MALFORMED_BODY',
  FST_ERR_CTP_EMPTY_TYPE: 'LL_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_TYPE: 'LL_UNSUPPORTED_MEDIA_TYPE',
};

/** Turns anything thrown in a request into a LedgerError safe to show. */
export function normalizeError(error: unknown, request: FastifyRequest): LedgerError {
  if (isLedgerError(error)) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = (error as FastifyError).validationContext ?? 'body';
    const errors = error.validation.map((v) => ({
      path: [where === 'body' ? '' : where, pathOf(v.instancePath)].filter(Boolean).join('.') || where,
      message: v.message,
    }));
    const code: ErrorCode = where === 'querystring' ? 'LL_INVALID_QUERY' : 'LL_VALIDATION_FAILED';
    return new LedgerError(code, `${errors[0]?.path}: ${errors[0]?.message}`, { issues: errors });
  }
  const fe = error as Partial<FastifyError> & { name?: string };
  if (fe.code && FASTIFY_CODES[fe.code]) {
    const code = FASTIFY_CODES[fe.code]!;
    return new LedgerError(
      code,
      code === 'LL_MALFORMED_BODY' ? 'the body is not valid JSON' : (fe.message ?? ''),
    );
  }
  // secure-json-parse refuses __proto__ / constructor.prototype keys with a SyntaxError.
  if (error instanceof SyntaxError || fe.statusCode === 400) {
    return new LedgerError(
      'LL_MALFORMED_BODY',
      'the body is not valid JSON or holds a forbidden key (__proto__, constructor)',
    );
  }
  request.log.error({ err: error }, 'unexpected error');
  return new LedgerError('LL_INTERNAL', 'internal error; the request id identifies it in the server log', {
    requestId: request.id,
  });
}
