import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LedgerError } from '../../errors.ts';
import type { AnchorPage } from '../../anchor/anchorer.ts';
import type { ApiContext } from '../context.ts';
import { problemResponses } from '../schemas.ts';

/**
 * The public log API (issue 4, exact paths: third-party auditors rely on them). Everything but
 * `entries` is public: proofs and hashes reveal nothing about the events. Parameters are checked here
 * (400 naming the parameter) before the log service is asked.
 */
export interface LogAnchor {
  treeSize: number;
  root: string;
  chainId: number | string;
  contract: string;
  txHash: string;
  blockNumber: number | null;
  blockHash: string | null;
  status: string;
}

/** What the API needs of the Merkle log (src/ledger/logService.ts provides it; the composition root adapts). */
export interface LogService {
  treeSize(): number | Promise<number>;
  /** The latest signed checkpoint, a C2SP note. */
  checkpoint(): string | Promise<string>;
  verifierKey(): string | Promise<string>;
  inclusionProof(index: number, treeSize: number): Promise<Uint8Array[]> | Uint8Array[];
  consistencyProof(first: number, second: number): Promise<Uint8Array[]> | Uint8Array[];
  leafHashes(start: number, end: number): Promise<Uint8Array[]> | Uint8Array[];
  /** Canonical bytes (RFC 8785) of the leaves [start, end). */
  entries(start: number, end: number): Promise<Uint8Array[]> | Uint8Array[];
  /** One page of the anchors, by tree size (see AnchorPage). */
  anchors(page: AnchorPage): Promise<LogAnchor[]> | LogAnchor[];
}

export const MAX_LEAVES_PER_CALL = 1000;
/** Anchors per page of GET /v1/log/anchors (also the default). */
export const MAX_ANCHORS_PER_CALL = 1000;

/**
 * One page of anchors and the `fromTreeSize` of the next, if any. The service is asked for one record
 * more than the page holds, to know whether there is a next page. A page never ends inside a tree size
 * (the same size can be anchored on two chains or contracts after a move): records of the size the next
 * page starts with are left to that page, so a client following `next` sees every record exactly once.
 */
export async function anchorPage(
  log: Pick<LogService, 'anchors'>,
  page: AnchorPage,
): Promise<{ anchors: LogAnchor[]; next: number | undefined }> {
  const rows = await log.anchors({ ...page, limit: page.limit + 1 });
  if (rows.length <= page.limit) return { anchors: rows, next: undefined };
  const boundary = rows[page.limit]!.treeSize;
  const whole = rows.slice(0, page.limit).filter((a) => a.treeSize !== boundary);
  if (whole.length > 0) return { anchors: whole, next: boundary };
  // More records of one tree size than a page holds: give them, and move past that size.
  return {
    anchors: rows.slice(0, page.limit),
    next: page.order === 'asc' ? boundary + 1 : boundary - 1,
  };
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const NonNegInt = z.coerce
  .number()
  .int('must be an integer')
  .min(0, 'must be ≥ 0')
  .max(Number.MAX_SAFE_INTEGER);
const bad = (param: string, message: string) =>
  new LedgerError('LL_INVALID_QUERY', `${param}: ${message}`, {
    parameter: param,
    issues: [{ path: `querystring.${param}`, message }],
  });

/** Checks [start, end) against the current tree: non-empty, ≤ 1000 leaves, end ≤ size. */
async function checkRange(log: LogService, start: number, end: number): Promise<void> {
  if (end <= start) throw bad('end', 'must be greater than start');
  if (end - start > MAX_LEAVES_PER_CALL) throw bad('end', `at most ${MAX_LEAVES_PER_CALL} leaves per call`);
  const size = await log.treeSize();
  if (end > size) throw bad('end', `the log has ${size} leaves`);
}

export function logRoutes(app: FastifyInstance, ctx: ApiContext, log: LogService | undefined): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const service = (): LogService => {
    if (!log) throw new LedgerError('LL_STORE_UNAVAILABLE', 'the Merkle log is not running in this server');
    return log;
  };
  const pub = { public: true };
  const tags = ['log'];
  const Hashes = z.array(z.string().describe('base64'));

  typed.get(
    '/v1/log/checkpoint',
    {
      config: pub,
      schema: {
        summary: 'The latest signed checkpoint (C2SP tlog-checkpoint note)',
        tags,
        response: { 200: z.string(), ...problemResponses },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send(await service().checkpoint()),
  );
  typed.get(
    '/v1/log/verifier-key',
    {
      config: pub,
      schema: {
        summary: "The log's C2SP verifier key",
        tags,
        response: { 200: z.string(), ...problemResponses },
      },
    },
    async (_request, reply) => reply.type('text/plain; charset=utf-8').send(await service().verifierKey()),
  );
  typed.get(
    '/v1/log/proof/inclusion',
    {
      config: pub,
      schema: {
        summary: 'RFC 9162 inclusion proof of leaf `index` in the tree of size `treeSize`',
        tags,
        querystring: z.object({ index: NonNegInt, treeSize: NonNegInt }),
        response: {
          200: z.object({ index: z.number().int(), treeSize: z.number().int(), path: Hashes }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { index, treeSize } = request.query;
      const log = service();
      if (treeSize > (await log.treeSize())) throw bad('treeSize', 'is larger than the log');
      if (index >= treeSize) throw bad('index', 'must be less than treeSize');
      return { index, treeSize, path: (await log.inclusionProof(index, treeSize)).map(b64) };
    },
  );
  typed.get(
    '/v1/log/proof/consistency',
    {
      config: pub,
      schema: {
        summary: 'RFC 9162 consistency proof between tree sizes `first` and `second`',
        tags,
        querystring: z.object({ first: NonNegInt, second: NonNegInt }),
        response: {
          200: z.object({ first: z.number().int(), second: z.number().int(), path: Hashes }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { first, second } = request.query;
      const log = service();
      if (second > (await log.treeSize())) throw bad('second', 'is larger than the log');
      if (first < 1) throw bad('first', 'must be at least 1');
      if (first > second) throw bad('first', 'must not exceed second');
      return { first, second, path: (await log.consistencyProof(first, second)).map(b64) };
    },
  );
  typed.get(
    '/v1/log/leaf-hashes',
    {
      config: pub,
      schema: {
        summary: 'Leaf hashes [start, end), at most 1000',
        tags,
        querystring: z.object({ start: NonNegInt, end: NonNegInt }),
        response: { 200: z.object({ hashes: Hashes }), ...problemResponses },
      },
    },
    async (request) => {
      const { start, end } = request.query;
      await checkRange(service(), start, end);
      return { hashes: (await service().leafHashes(start, end)).map(b64) };
    },
  );
  typed.get(
    '/v1/log/entries',
    {
      config: { access: 'log.entries' },
      schema: {
        summary: 'Leaves [start, end) as base64 canonical bytes (operator and regulator only)',
        tags,
        security: [{ apiKey: [] }],
        querystring: z.object({ start: NonNegInt, end: NonNegInt }),
        response: {
          200: z.object({ entries: z.array(z.object({ index: z.number().int(), leaf: z.string() })) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { start, end } = request.query;
      await checkRange(service(), start, end);
      const leaves = await service().entries(start, end);
      return { entries: leaves.map((leaf, i) => ({ index: start + i, leaf: b64(leaf) })) };
    },
  );
  typed.get(
    '/v1/log/anchors',
    {
      config: pub,
      schema: {
        summary: 'Anchors of the log on the chain, with their status, one page at a time',
        description:
          'By tree size: ascending from `fromTreeSize` (inclusive), or with `order=desc` the newest first, ' +
          'descending from it. At most `limit` records; when there are more, a `Link: <…>; rel="next"` ' +
          'header gives the next page. `fromTreeSize` = a log size gives the anchors covering it.',
        tags,
        querystring: z.object({
          fromTreeSize: NonNegInt.optional(),
          order: z.enum(['asc', 'desc']).default('asc'),
          limit: z.coerce
            .number()
            .int('must be an integer')
            .min(1, 'must be ≥ 1')
            .max(MAX_ANCHORS_PER_CALL, `at most ${MAX_ANCHORS_PER_CALL}`)
            .default(MAX_ANCHORS_PER_CALL),
        }),
        response: {
          200: z.array(
            z.object({
              treeSize: z.number().int(),
              root: z.string(),
              chainId: z.union([z.number(), z.string()]),
              contract: z.string(),
              txHash: z.string(),
              blockNumber: z.number().int().nullable(),
              blockHash: z.string().nullable(),
              status: z.string(),
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { fromTreeSize, order, limit } = request.query;
      const { anchors, next } = await anchorPage(service(), {
        ...(fromTreeSize === undefined ? {} : { fromTreeSize }),
        order,
        limit,
      });
      if (next !== undefined && next >= 0)
        reply.header(
          'link',
          `</v1/log/anchors?fromTreeSize=${next}&order=${order}&limit=${limit}>; rel="next"`,
        );
      return anchors;
    },
  );
  void ctx;
}
