import type { ReadModelDb } from './readModelDb.ts';
import { cellId, protectLine, suppressionPattern, type Dimension, type Hidden } from './suppression.ts';

/**
 * Regulator figures from the `stats` view, grouped by any of the dimensions, for one month or
 * cumulative. The small-cell rule: a cell whose figures come from fewer than `minEnterprises` distinct
 * enterprises (but at least one) is suppressed — its figures are null and it says why — so no single
 * enterprise's lending can be read off a cell; and, because every coarser grouping is published too,
 * enough other cells are hidden that no hidden cell can be recomputed by subtraction (suppression.ts).
 *
 * Month mode (`month: 'YYYY-MM'`) counts flows in that month (registrations, applications, approvals,
 * disbursements, compensation, …); rates are over that month's disbursement cohort (vintage); stock
 * figures (outstanding, live authorizations) are "now" and only given in cumulative mode.
 */
export { dimensions, type Dimension } from './suppression.ts';
/** Most dimensions the API lets a caller group by: the suppression audit covers two-way tables. */
export const MAX_GROUP_BY = 2;
const enterpriseDims: readonly Dimension[] = ['city', 'county', 'industry', 'size'];

export interface StatisticsQuery {
  groupBy?: Dimension[];
  /** 'YYYY-MM' for one month; omitted for cumulative. */
  month?: string;
  /** Keep only rows with these dimension values. */
  filter?: Partial<Record<Dimension, string>>;
  /** Small-cell threshold (default 3). */
  minEnterprises?: number;
  /** "Now" for live authorizations (an authorization past its expiry is not live). Default: the clock. */
  now?: Date;
}

export interface Figures {
  registeredEnterprises: number | null;
  authorizationsLive: number | null;
  applications: number;
  matched: number;
  matchRateBps: number | null;
  approvals: number;
  rejections: number;
  approvalRateBps: number | null;
  medianDaysToDisbursement: number | null;
  disbursedCount: number;
  disbursedAmount: number;
  outstandingAmount: number | null;
  pureCreditShareBps: number | null;
  firstTimeBorrowers: number;
  overdueCount: number;
  overdueAmount: number;
  overdueRateByCountBps: number | null;
  overdueRateByAmountBps: number | null;
  defaultCount: number;
  defaultAmount: number;
  defaultRateByCountBps: number | null;
  defaultRateByAmountBps: number | null;
  compensationPaid: number;
  /** Reimbursements due minus paid, per 4321 level. */
  reimbursementsOutstanding: Record<string, number>;
  recoveries: number;
  policySupportPaid: number;
}

export interface StatisticsCell {
  key: Partial<Record<Dimension, string>>;
  suppressed: boolean;
  reason?: string;
  figures: Figures | null;
}

export interface StatisticsResult {
  month: string | null;
  groupBy: Dimension[];
  minEnterprises: number;
  cells: StatisticsCell[];
}

/** Integer basis points num/den, rounded down, exact for any safe-integer fen. */
export const rateBps = (num: number, den: number): number | null =>
  den === 0 ? null : Number((BigInt(num) * 10_000n) / BigInt(den));

interface LoanRow {
  loan_id: string;
  uscc: string;
  city: string;
  county: string;
  industry: string;
  size: string;
  bank: string;
  kind: string;
  applied_month: string;
  matched: number;
  approved_month: string | null;
  rejected_month: string | null;
  disbursed_month: string | null;
  days_to_disburse: number | null;
  disbursed_amount: number;
  outstanding: number;
  first_loan: number;
  overdue: number;
  overdue_amount: number;
  defaulted: number;
  defaulted_amount: number;
}

interface Acc {
  key: Partial<Record<Dimension, string>>;
  enterprises: Set<string>;
  /** The enterprises behind the loan and money figures (a subset of `enterprises`). */
  borrowers: Set<string>;
  registered: number;
  authorizationsLive: number;
  applications: number;
  matched: number;
  approvals: number;
  rejections: number;
  days: number[];
  disbursedCount: number;
  disbursedAmount: number;
  outstanding: number;
  pureCreditAmount: number;
  firstTime: number;
  cohortCount: number;
  cohortAmount: number;
  overdueCount: number;
  overdueAmount: number;
  defaultCount: number;
  defaultAmount: number;
  compensation: number;
  reimbursements: Map<string, number>;
  recoveries: number;
  policy: number;
}

const newAcc = (key: Acc['key']): Acc => ({
  key,
  enterprises: new Set(),
  borrowers: new Set(),
  registered: 0,
  authorizationsLive: 0,
  applications: 0,
  matched: 0,
  approvals: 0,
  rejections: 0,
  days: [],
  disbursedCount: 0,
  disbursedAmount: 0,
  outstanding: 0,
  pureCreditAmount: 0,
  firstTime: 0,
  cohortCount: 0,
  cohortAmount: 0,
  overdueCount: 0,
  overdueAmount: 0,
  defaultCount: 0,
  defaultAmount: 0,
  compensation: 0,
  reimbursements: new Map(),
  recoveries: 0,
  policy: 0,
});

/** The reason a hidden cell gives. */
const reasons = (min: number) => ({
  primary: `fewer than ${min} enterprises`,
  secondary: 'hidden so that a suppressed cell cannot be recomputed from the totals (secondary suppression)',
});

export function statistics(db: ReadModelDb, q: StatisticsQuery = {}): StatisticsResult {
  const groupBy = q.groupBy ?? [];
  const month = q.month ?? null;
  const minEnterprises = q.minEnterprises ?? 3;
  const now = q.now ?? new Date();
  const inPeriod = (m: string | null) => m !== null && (month === null || m === month);
  const passes = (row: Record<string, unknown>) =>
    Object.entries(q.filter ?? {}).every(([k, v]) => v === undefined || row[k] === v);

  // Read once; aggregated for the grouping asked for and for each coarser grouping its suppression
  // pattern depends on.
  const enterpriseRows = db.all<Record<string, string> & { live: number }>(
    `SELECT e.uscc, e.city, e.county, e.industry, e.size, e.registered_month,
            (SELECT count(*) FROM rm_stats_authorizations a WHERE a.uscc = e.uscc AND a.revoked = 0 AND a.expires_at > ?) AS live
     FROM rm_stats_enterprises e`,
    now.toISOString(),
  );
  const loans = new Map<string, LoanRow>();
  for (const l of db.all<LoanRow>('SELECT * FROM rm_stats_loans'))
    if (passes(l as unknown as Record<string, unknown>)) loans.set(l.loan_id, l);
  const flows = db.all<{ loan_id: string; month: string; flow: string; level: string; amount: number }>(
    `SELECT loan_id, month, flow, level, sum(amount) AS amount FROM rm_stats_flows
     WHERE (? IS NULL OR month = ?) AND flow <> 'repayment' GROUP BY loan_id, month, flow, level`,
    month,
    month,
  );

  const aggregated = new Map<string, { cells: Map<string, Acc>; enterpriseFigures: boolean }>();
  const aggregate = (dims: readonly Dimension[]) => {
    const memoKey = dims.join(',');
    const known = aggregated.get(memoKey);
    if (known) return known;
    const cells = new Map<string, Acc>();
    const cellOf = (row: Record<string, unknown>): Acc => {
      const key: Acc['key'] = {};
      for (const d of dims) key[d] = String(row[d] ?? '');
      const id = cellId(key);
      let acc = cells.get(id);
      if (!acc) cells.set(id, (acc = newAcc(key)));
      return acc;
    };

    // Enterprise figures only make sense when every grouping dimension is the enterprise's own.
    const enterpriseFigures =
      dims.every((d) => enterpriseDims.includes(d)) &&
      Object.keys(q.filter ?? {}).every((d) => enterpriseDims.includes(d as Dimension));
    if (enterpriseFigures) {
      for (const r of enterpriseRows) {
        if (!passes(r) || !inPeriod(r.registered_month!)) continue;
        const acc = cellOf(r);
        acc.enterprises.add(r.uscc!);
        acc.registered++;
        acc.authorizationsLive += r.live;
      }
    }

    for (const l of loans.values()) {
      const active =
        inPeriod(l.applied_month) ||
        inPeriod(l.approved_month) ||
        inPeriod(l.rejected_month) ||
        inPeriod(l.disbursed_month);
      if (!active) continue;
      const acc = cellOf(l as unknown as Record<string, unknown>);
      acc.enterprises.add(l.uscc);
      acc.borrowers.add(l.uscc);
      if (inPeriod(l.applied_month)) {
        acc.applications++;
        acc.matched += l.matched;
      }
      if (inPeriod(l.approved_month)) acc.approvals++;
      if (inPeriod(l.rejected_month)) acc.rejections++;
      if (inPeriod(l.disbursed_month)) {
        acc.disbursedCount++;
        acc.disbursedAmount += l.disbursed_amount;
        if (l.kind === 'pure_credit') acc.pureCreditAmount += l.disbursed_amount;
        acc.firstTime += l.first_loan;
        if (l.days_to_disburse !== null) acc.days.push(l.days_to_disburse);
        acc.cohortCount++;
        acc.cohortAmount += l.disbursed_amount;
        acc.outstanding += l.outstanding;
        if (l.overdue) {
          acc.overdueCount++;
          acc.overdueAmount += l.overdue_amount;
        }
        if (l.defaulted) {
          acc.defaultCount++;
          acc.defaultAmount += l.defaulted_amount;
        }
      }
    }

    for (const f of flows) {
      const l = loans.get(f.loan_id);
      if (!l) continue;
      const acc = cellOf(l as unknown as Record<string, unknown>);
      acc.enterprises.add(l.uscc);
      acc.borrowers.add(l.uscc);
      if (f.flow === 'compensation') acc.compensation += f.amount;
      else if (f.flow === 'recovery') acc.recoveries += f.amount;
      else if (f.flow === 'policy_support') acc.policy += f.amount;
      else {
        const sign = f.flow === 'reimbursement_due' ? 1 : -1;
        acc.reimbursements.set(f.level, (acc.reimbursements.get(f.level) ?? 0) + sign * f.amount);
      }
    }
    const result = { cells, enterpriseFigures };
    aggregated.set(memoKey, result);
    return result;
  };

  const asSuppressionCells = (dims: readonly Dimension[]) =>
    [...aggregate(dims).cells.values()].map((acc) => ({
      key: acc.key,
      // A city of 40 registered enterprises with one borrower would show that borrower's loans: the
      // loan figures count only the enterprises behind them.
      enterprises: acc.borrowers.size > 0 ? acc.borrowers.size : acc.enterprises.size,
      magnitude: acc.disbursedAmount + acc.registered,
    }));
  const memo = new Map<string, Hidden>();
  const hidden: Hidden = suppressionPattern(groupBy, asSuppressionCells, minEnterprises, memo);

  const why = reasons(minEnterprises);
  const { cells, enterpriseFigures } = aggregate(groupBy);

  const out: StatisticsCell[] = [...cells.values()].map((acc) => {
    const hiddenAs = hidden.get(cellId(acc.key));
    if (hiddenAs)
      return {
        key: acc.key,
        suppressed: true,
        reason: why[hiddenAs],
        figures: null,
      };
    const days = acc.days.sort((a, b) => a - b);
    return {
      key: acc.key,
      suppressed: false,
      figures: {
        registeredEnterprises: enterpriseFigures ? acc.registered : null,
        authorizationsLive: enterpriseFigures && month === null ? acc.authorizationsLive : null,
        applications: acc.applications,
        matched: acc.matched,
        matchRateBps: rateBps(acc.matched, acc.applications),
        approvals: acc.approvals,
        rejections: acc.rejections,
        approvalRateBps: rateBps(acc.approvals, acc.approvals + acc.rejections),
        // The lower middle value for an even count, so the figure stays a whole number of days.
        medianDaysToDisbursement: days.length === 0 ? null : days[(days.length - 1) >> 1]!,
        disbursedCount: acc.disbursedCount,
        disbursedAmount: acc.disbursedAmount,
        outstandingAmount: month === null ? acc.outstanding : null,
        pureCreditShareBps: rateBps(acc.pureCreditAmount, acc.disbursedAmount),
        firstTimeBorrowers: acc.firstTime,
        overdueCount: acc.overdueCount,
        overdueAmount: acc.overdueAmount,
        overdueRateByCountBps: rateBps(acc.overdueCount, acc.cohortCount),
        overdueRateByAmountBps: rateBps(acc.overdueAmount, acc.cohortAmount),
        defaultCount: acc.defaultCount,
        defaultAmount: acc.defaultAmount,
        defaultRateByCountBps: rateBps(acc.defaultCount, acc.cohortCount),
        defaultRateByAmountBps: rateBps(acc.defaultAmount, acc.cohortAmount),
        compensationPaid: acc.compensation,
        reimbursementsOutstanding: Object.fromEntries(
          [...acc.reimbursements].sort(([a], [b]) => a.localeCompare(b)),
        ),
        recoveries: acc.recoveries,
        policySupportPaid: acc.policy,
      },
    };
  });
  out.sort((a, b) => JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
  return { month, groupBy, minEnterprises, cells: out };
}

/**
 * Lending per month (for the dashboard chart and the monthly report): months with disbursements. The
 * months add up to the cumulative figure, so one hidden month takes the smallest other with it.
 */
export function lendingByMonth(
  db: ReadModelDb,
  minEnterprises = 3,
): { month: string; amount: number | null; count: number | null }[] {
  const rows = db.all<{ month: string; amount: number; count: number; enterprises: number }>(
    `SELECT disbursed_month AS month, sum(disbursed_amount) AS amount, count(*) AS count, count(DISTINCT uscc) AS enterprises
     FROM rm_stats_loans WHERE disbursed_month IS NOT NULL GROUP BY disbursed_month ORDER BY disbursed_month`,
  );
  const hidden = protectLine(
    rows,
    (r) => r.enterprises < minEnterprises,
    (r) => r.amount,
  );
  return rows.map((r) =>
    hidden.has(r)
      ? { month: r.month, amount: null, count: null }
      : { month: r.month, amount: r.amount, count: r.count },
  );
}

/**
 * What each 4321 level has paid for losses so far: the guarantor's compensation (代偿) and each upper
 * level's reimbursements. Platform-wide totals; suppressed when fewer than `minEnterprises` borrowers
 * are behind them, and then with the smallest other level, as the levels add up to what was paid.
 */
export function sharesPaidByLevel(
  db: ReadModelDb,
  minEnterprises = 3,
): { level: string; amount: number | null }[] {
  const rows = db.all<{ level: string; amount: number; enterprises: number }>(
    `SELECT CASE WHEN f.flow = 'compensation' THEN 'guarantor' ELSE f.level END AS level,
            sum(f.amount) AS amount, count(DISTINCT l.uscc) AS enterprises
     FROM rm_stats_flows f JOIN rm_stats_loans l ON l.loan_id = f.loan_id
     WHERE f.flow IN ('compensation', 'reimbursement_paid') GROUP BY 1 ORDER BY 1`,
  );
  const hidden = protectLine(
    rows,
    (r) => r.enterprises < minEnterprises,
    (r) => r.amount,
  );
  return rows.map((r) => ({ level: r.level, amount: hidden.has(r) ? null : r.amount }));
}
