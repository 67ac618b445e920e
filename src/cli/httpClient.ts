import { randomUUID } from 'node:crypto';
import { z } from 'zod';

/**
 * A small typed client for the ledger's HTTP API: one base URL, one API key (Bearer), a fresh
 * Idempotency-Key on every POST (so a retry of the same call is safe), and RFC 9457 problem+json
 * errors turned into an ApiProblem with the stable `code` and `detail` the API sent.
 */
const ProblemBody = z.looseObject({
  status: z.number().int().optional(),
  code: z.string().optional(),
  title: z.string().optional(),
  detail: z.string().optional(),
  errors: z.array(z.looseObject({ path: z.string(), message: z.string() })).optional(),
});
export type ProblemBody = z.infer<typeof ProblemBody>;

export class ApiProblem extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly problem: ProblemBody,
  ) {
    const code = problem.code ?? `HTTP_${status}`;
    const fields = (problem.errors ?? []).map((e) => ` [${e.path}: ${e.message}]`).join('');
    super(`${method} ${path} → ${status} ${code}: ${problem.detail ?? problem.title ?? ''}${fields}`);
    this.name = 'ApiProblem';
  }
  get code(): string {
    return this.problem.code ?? `HTTP_${this.status}`;
  }
}

/** The API's answer to every command POST: the new events' ids, stream revision and log positions. */
export const CommandResponse = z.looseObject({
  stream: z.string(),
  streamRevision: z.number().int(),
  events: z.array(
    z.looseObject({
      id: z.string(),
      type: z.string(),
      revision: z.number().int(),
      position: z.number().int(),
    }),
  ),
});
export type CommandResponse = z.infer<typeof CommandResponse>;

export interface HttpClient {
  readonly baseUrl: string;
  get<T>(path: string, schema: z.ZodType<T>): Promise<T>;
  getText(path: string): Promise<string>;
  getBytes(path: string): Promise<Uint8Array>;
  post<T>(path: string, body: unknown, schema: z.ZodType<T>, idempotencyKey?: string): Promise<T>;
  /** A client for the same server acting with another key. */
  as(apiKey: string | undefined): HttpClient;
}

export function httpClient(baseUrl: string, apiKey?: string): HttpClient {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    ...extra,
  });

  async function send(method: string, path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, method });
    } catch (e) {
      // fetch throws "fetch failed" with the network error as its cause; anything else is our own bug.
      const network = e instanceof Error && e.message === 'fetch failed';
      const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
      throw new ApiProblem(method, path, 0, {
        code: network ? 'CLI_UNREACHABLE' : 'CLI_REQUEST_FAILED',
        detail: network ? `cannot reach ${base}${cause}` : e instanceof Error ? e.message : String(e),
      });
    }
    if (res.ok) return res;
    const text = await res.text();
    let problem: ProblemBody = { detail: text.slice(0, 500) };
    try {
      const parsed = ProblemBody.safeParse(JSON.parse(text));
      if (parsed.success) problem = parsed.data;
    } catch {
      // not JSON: keep the raw text as the detail
    }
    throw new ApiProblem(method, path, res.status, problem);
  }

  const parse = <T>(method: string, path: string, schema: z.ZodType<T>, json: unknown): T => {
    const r = schema.safeParse(json);
    if (!r.success) {
      throw new ApiProblem(method, path, 200, {
        code: 'CLI_UNEXPECTED_RESPONSE',
        detail: `the response does not have the expected shape: ${r.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      });
    }
    return r.data;
  };

  return {
    baseUrl: base,
    async get(path, schema) {
      const res = await send('GET', path, { headers: headers({ accept: 'application/json' }) });
      return parse('GET', path, schema, await res.json());
    },
    async getText(path) {
      return (await send('GET', path, { headers: headers() })).text();
    },
    async getBytes(path) {
      return new Uint8Array(await (await send('GET', path, { headers: headers() })).arrayBuffer());
    },
    async post(path, body, schema, idempotencyKey = randomUUID()) {
      const res = await send('POST', path, {
        headers: headers({ 'content-type': 'application/json', 'idempotency-key': idempotencyKey }),
        body: JSON.stringify(body),
      });
      return parse('POST', path, schema, await res.json());
    },
    as(otherKey) {
      return httpClient(base, otherKey);
    },
  };
}
