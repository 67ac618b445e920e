import type { LoggerOptions } from 'pino';

/**
 * Logs carry request ids, routes, status codes and error codes — never keys and never personal data.
 * Request bodies are never logged; headers are not logged either (the request serializer below keeps
 * method, url and id only), and redaction is a second line of defence should anyone log them.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'body',
  '*.body',
  '*.idNumber',
  '*.legalRepresentative',
  'legalRepresentative',
];

export function loggerOptions(given: LoggerOptions): LoggerOptions {
  const { destination: _d, ...rest } = given as LoggerOptions & { destination?: unknown };
  return {
    level: 'info',
    ...rest,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
}
