import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  caseFile,
  disputesFor,
  type AnchorStatusOf,
  type ReadStream,
} from '../../../projections/caseFiles.ts';
import { partyLedgers, programmeStatuses, programmesOf } from '../../../projections/guaranteeQueries.ts';
import type { ReadModelDb } from '../../../projections/readModelDb.ts';
import type { ProjectionRunner } from '../../../projections/runner.ts';
import {
  dimensions,
  MAX_GROUP_BY,
  lendingByMonth,
  sharesPaidByLevel,
  statistics,
} from '../../../projections/statistics.ts';
import { bankPortfolio, bankReports } from '../../../projections/views/bankPortfolio.ts';
import { openWarnings } from '../../../projections/views/riskMonitoring.ts';
import {
  applicationsAwaitingChoice,
  productPool,
  whiteList,
} from '../../../projections/views/whiteListMatching.ts';
import type { WebhookDispatcher } from '../../../projections/webhooks.ts';
import { LedgerError } from '../../errors.ts';
import type { OrgRole } from '../auth/organization.ts';
import { principalOf } from '../context.ts';

/**
 * The read-model routes: statistics for regulators, the 4321 ledger, bank portfolios, case files,
 * matching, risk warnings, and the regulator dashboard page. Register with
 * `projectionRoutes(app, deps)` before `app.ready()`; authentication is the app's (every route but the
 * static page needs a key); who may read what is decided here, from `viewAccess`, because most
 * answers are filtered by the caller's organization rather than allowed or refused whole.
 */
export interface ProjectionRouteDeps {
  db: ReadModelDb;
  runner?: ProjectionRunner;
  /** Anchor status of a log index, for case-file timelines (default: 'unknown'). */
  anchorStatus?: AnchorStatusOf;
  /** The store's streams: a case file reads its loan's timeline there. */
  readStream: ReadStream;
  /** Small-cell threshold for statistics (default 3). */
  minEnterprises?: number;
  webhooks?: WebhookDispatcher;
  clock?: () => Date;
}

/** Roles that may call each read at all (then the handler narrows to what the caller may see). */
export const viewAccess = {
  stats: ['regulator', 'operator'],
  guarantees: ['guarantor', 'reguarantor', 'government_fund', 'bank', 'regulator', 'operator'],
  bankPortfolio: ['bank', 'regulator', 'operator'],
  caseFile: ['court', 'arbitrator', 'bank', 'guarantor', 'enterprise'],
  whiteList: ['bank', 'guarantor', 'regulator', 'operator'],
  products: ['bank', 'guarantor', 'reguarantor', 'government_fund', 'regulator', 'enterprise', 'operator'],
  applications: ['regulator', 'operator', 'enterprise'],
  risk: ['bank', 'guarantor', 'reguarantor', 'government_fund', 'regulator', 'operator'],
  status: ['regulator', 'operator'],
} as const satisfies Record<string, readonly OrgRole[]>;

const allow = (request: FastifyRequest, what: keyof typeof viewAccess) => {
  const p = principalOf(request);
  if (!(viewAccess[what] as readonly string[]).includes(p.role))
    throw new LedgerError('LL_FORBIDDEN', `a ${p.role} key may not read ${what}`, {
      access: `view.${what}`,
      role: p.role,
    });
  return p;
};

/** How a dispute names the caller: an enterprise by its USCC, every other party by its organization id. */
const partyId = (p: { orgId: string; role: string; uscc?: string }) =>
  p.role === 'enterprise' && p.uscc ? p.uscc : p.orgId;

const Month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month like 2026-02');
const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-06-30');
const GroupBy = z
  .string()
  .max(100)
  .transform((s) => (s === '' ? [] : s.split(',')))
  // At most two dimensions: secondary suppression is audited exact for a two-way table and all its
  // totals; three-way tables can leak through combinations of totals (docs/projections.md).
  .pipe(z.array(z.enum(dimensions)).max(MAX_GROUP_BY));

const DASHBOARD_HTML = readFileSync(new URL('../dashboard/dashboard.html', import.meta.url), 'utf8');

export function projectionRoutes(app: FastifyInstance, deps: ProjectionRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const min = deps.minEnterprises ?? 3;
  const clock = deps.clock ?? (() => new Date());
  const tags = ['read models'];

  app.get('/dashboard', { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
      )
      .send(DASHBOARD_HTML),
  );

  typed.get(
    '/v1/stats',
    {
      schema: {
        summary: 'Regulator statistics (统计分析), grouped, per month or cumulative; small cells suppressed',
        tags,
        querystring: z.object({ groupBy: GroupBy.optional(), month: Month.optional() }),
      },
    },
    async (request) => {
      allow(request, 'stats');
      const { groupBy, month } = request.query;
      return statistics(db, { groupBy: groupBy ?? [], month, minEnterprises: min, now: clock() });
    },
  );

  typed.get(
    '/v1/stats/dashboard',
    { schema: { summary: 'The figures of the regulator dashboard', tags } },
    async (request) => {
      allow(request, 'stats');
      const now = clock();
      const headline = statistics(db, { minEnterprises: min, now }).cells[0] ?? null;
      const byCity = statistics(db, { groupBy: ['city'], minEnterprises: min, now }).cells.map((c) => ({
        city: c.key.city!,
        suppressed: c.suppressed,
        defaultRateByCountBps: c.figures?.defaultRateByCountBps ?? null,
        disbursedAmount: c.figures?.disbursedAmount ?? null,
      }));
      return {
        asOf: now.toISOString(),
        minEnterprises: min,
        headline,
        lendingByMonth: lendingByMonth(db, min),
        defaultRateByCity: byCity,
        sharesPaidByLevel: sharesPaidByLevel(db, min),
      };
    },
  );

  typed.get(
    '/v1/guarantees/programmes',
    {
      schema: {
        summary:
          'Risk-sharing programmes: loss rate against cap, warning at 80 %, breach (熔断); each institution sees the programmes it takes part in, regulators and the operator all',
        tags,
      },
    },
    async (request) => {
      const p = allow(request, 'guarantees');
      const all = programmeStatuses(db);
      if (p.role === 'regulator' || p.role === 'operator') return { programmes: all };
      // A programme's totals are not small-cell protected: with few loans they come close to single losses.
      const mine = programmesOf(db, p.orgId);
      return { programmes: all.filter((x) => mine.has(x.programmeId)) };
    },
  );

  typed.get(
    '/v1/guarantees/ledger',
    {
      schema: {
        summary: "The 4321 ledger: a party sees its own; regulators and the operator see every party's",
        tags,
        querystring: z.object({ asOf: DateOnly.optional() }),
      },
    },
    async (request) => {
      const p = allow(request, 'guarantees');
      const asOf = request.query.asOf ?? clock().toISOString().slice(0, 10);
      const all = p.role === 'regulator' || p.role === 'operator';
      return { asOf, parties: partyLedgers(db, asOf, all ? undefined : p.orgId) };
    },
  );

  const bankOf = (request: FastifyRequest, bankId: string) => {
    const p = allow(request, 'bankPortfolio');
    if (p.role === 'bank' && p.orgId !== bankId)
      throw new LedgerError('LL_FORBIDDEN', 'a bank reads only its own portfolio', {
        access: 'view.bankPortfolio',
        role: p.role,
      });
    return bankId;
  };
  typed.get(
    '/v1/banks/:bankId/portfolio',
    {
      schema: {
        summary: "A bank's loans by status and overdue buckets",
        tags,
        params: z.object({ bankId: z.string().min(1).max(100) }),
      },
    },
    async (request) => bankPortfolio(db, bankOf(request, request.params.bankId)),
  );
  typed.get(
    '/v1/banks/:bankId/reports',
    {
      schema: {
        summary: 'Report-back (回传) records of a bank, in log order, paged by position',
        tags,
        params: z.object({ bankId: z.string().min(1).max(100) }),
        querystring: z.object({
          after: z.coerce.number().int().min(-1).default(-1),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
    },
    async (request) => ({
      reports: bankReports(
        db,
        bankOf(request, request.params.bankId),
        request.query.after,
        request.query.limit,
      ),
    }),
  );

  typed.get(
    '/v1/case-files',
    { schema: { summary: 'The disputes the caller is the body of or a party to', tags } },
    async (request) => {
      const p = allow(request, 'caseFile');
      return { disputes: disputesFor(db, partyId(p)) };
    },
  );
  typed.get(
    '/v1/case-files/:disputeId',
    {
      schema: {
        summary:
          'Case file: parties, claim, evidence, award, the loan timeline with log index and anchor status',
        tags,
        params: z.object({ disputeId: z.string().min(1).max(64) }),
      },
    },
    async (request) => {
      const p = allow(request, 'caseFile');
      const file = await caseFile(
        db,
        request.params.disputeId,
        partyId(p),
        deps.anchorStatus ?? (() => 'unknown'),
        deps.readStream,
      );
      // Not the body and not a party (or no such dispute): the same answer, so existence is not revealed.
      if (!file)
        throw new LedgerError('LL_FORBIDDEN', 'only the assigned body and the parties read a case file', {
          access: 'view.caseFile',
          role: p.role,
        });
      return file;
    },
  );

  typed.get(
    '/v1/matching/white-list',
    { schema: { summary: 'Enterprises on the white list (白名单) with the criteria met', tags } },
    async (request) => {
      allow(request, 'whiteList');
      return { enterprises: whiteList(db) };
    },
  );
  typed.get(
    '/v1/matching/products',
    {
      schema: {
        summary: 'The product pool (贷款产品清单) with live status',
        tags,
        querystring: z.object({ live: z.enum(['true', 'false']).optional() }),
      },
    },
    async (request) => {
      allow(request, 'products');
      return { products: productPool(db, request.query.live === 'true') };
    },
  );
  typed.get(
    '/v1/matching/awaiting-choice',
    { schema: { summary: 'Applications matched and awaiting the enterprise’s choice', tags } },
    async (request) => {
      const p = allow(request, 'applications');
      const list = applicationsAwaitingChoice(db);
      return { applications: p.role === 'enterprise' ? list.filter((a) => a.uscc === p.uscc) : list };
    },
  );

  typed.get(
    '/v1/risk/warnings',
    { schema: { summary: 'Open risk warnings (风险监测) with level, rule and age', tags } },
    async (request) => {
      const p = allow(request, 'risk');
      const all = p.role === 'regulator' || p.role === 'operator';
      return { warnings: openWarnings(db, clock(), all ? undefined : p.orgId) };
    },
  );
  typed.get(
    '/v1/risk/deliveries',
    { schema: { summary: 'Webhook deliveries of risk notices to the caller', tags } },
    async (request) => {
      const p = allow(request, 'risk');
      return { deliveries: deps.webhooks?.deliveries(p.role === 'operator' ? undefined : p.orgId) ?? [] };
    },
  );

  typed.get(
    '/v1/projections/status',
    { schema: { summary: 'Each read model’s checkpoint and the lag behind the log', tags } },
    async (request) => {
      allow(request, 'status');
      return { lag: deps.runner ? await deps.runner.lag() : null, views: deps.runner?.status() ?? [] };
    },
  );
}
