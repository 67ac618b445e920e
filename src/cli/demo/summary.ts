import type { DemoContext } from './context.ts';
import { formatYuan } from './money.ts';
import { ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { eventsOf, lastOf, readTimeline, type Timeline } from './timeline.ts';

export interface LoanLine {
  loanId: string;
  borrower: string;
  principalFen: number;
  repaidFen: number;
  status: string;
}

/** One party of the 4321 agreement: what it bore of the loss, paid, and got back. All fen. */
export interface ShareLine {
  org: string;
  kind: string;
  shareBps: number;
  lossShareFen: number;
  reimbursedFen: number;
  recoveredFen: number;
  netLossFen: number;
}

export interface DemoSummary {
  loans: LoanLine[];
  lossFen: number;
  compensatedFen: number;
  reimbursedFen: number;
  recoveredFen: number;
  shares: ShareLine[];
}

const sum = (xs: Record<string, unknown>[], field: string): number =>
  xs.reduce((s, x) => s + (typeof x[field] === 'number' ? (x[field] as number) : 0), 0);

const STATUS_BY_EVENT: [string, string][] = [
  ['LoanClosed', 'repaid'],
  ['LoanWrittenOff', 'written off'],
  ['LoanDefaulted', 'defaulted'],
  ['LoanOverdue', 'overdue'],
  ['LoanDisbursed', 'active'],
];

function loanLine(t: Timeline): LoanLine {
  const applied = lastOf(t, 'LoanApplied');
  const status = STATUS_BY_EVENT.find(([type]) => lastOf(t, type) !== undefined)?.[1] ?? 'not disbursed';
  return {
    loanId: t.loanId,
    borrower: String(applied?.borrowerUscc ?? ''),
    principalFen: sum(eventsOf(t, 'LoanDisbursed'), 'amountFen'),
    repaidFen: sum(eventsOf(t, 'RepaymentReceived'), 'amountFen'),
    status,
  };
}

/** The figures the demo prints, read back from the ledger (the loans' timelines), not from what it sent. */
export async function summarize(ctx: DemoContext, state: DemoState): Promise<DemoSummary> {
  const ids = [state.creditLoanId, state.guaranteedLoanId].filter((x): x is string => x !== undefined);
  const timelines = await Promise.all(ids.map((id) => readTimeline(ctx, ORG.bank, id)));
  const g = timelines.find((t) => t.loanId === state.guaranteedLoanId);
  const compensated = g ? lastOf(g, 'GuaranteeCompensated') : undefined;
  const agreed = g ? lastOf(g, 'RiskSharingAgreed') : undefined;
  const parties = (agreed?.parties ?? []) as { org: string; kind: string; shareBps: number }[];
  const lossShares = new Map(
    ((compensated?.shares ?? []) as { org: string; amountFen: number }[]).map((s) => [s.org, s.amountFen]),
  );
  const paid = g ? (eventsOf(g, 'ReimbursementPaid') as { org: string; amountFen: number }[]) : [];
  const recoveries = g ? eventsOf(g, 'RecoveryShared') : [];
  const recovered = new Map<string, number>();
  for (const r of recoveries)
    for (const a of r.allocations as { org: string; amountFen: number }[])
      recovered.set(a.org, (recovered.get(a.org) ?? 0) + a.amountFen);
  const shares = parties.map((p): ShareLine => {
    const lossShareFen = lossShares.get(p.org) ?? 0;
    const recoveredFen = recovered.get(p.org) ?? 0;
    return {
      org: p.org,
      kind: p.kind,
      shareBps: p.shareBps,
      lossShareFen,
      reimbursedFen: paid.filter((x) => x.org === p.org).reduce((s, x) => s + x.amountFen, 0),
      recoveredFen,
      netLossFen: lossShareFen - recoveredFen,
    };
  });
  return {
    loans: timelines.map(loanLine),
    lossFen: (compensated?.lossFen as number | undefined) ?? 0,
    compensatedFen: (compensated?.compensatedFen as number | undefined) ?? 0,
    reimbursedFen: paid.reduce((s, x) => s + x.amountFen, 0),
    recoveredFen: sum(recoveries, 'amountFen'),
    shares,
  };
}

const table = (head: string[], rows: string[][], right: Set<number>): string[] => {
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const cell = (s: string, i: number) => {
    const pad = ' '.repeat(widths[i]! - width(s));
    return right.has(i) ? pad + s : s + pad;
  };
  const line = (r: string[]) => r.map(cell).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
};
/** Display width: CJK characters take two columns. */
const width = (s: string): number =>
  [...s].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);

export function renderSummary(s: DemoSummary): string {
  const out = ['', 'Loans (amounts in yuan)'];
  out.push(
    ...table(
      ['loan', 'borrower', 'principal', 'repaid', 'status'],
      s.loans.map((l) => [
        l.loanId,
        l.borrower,
        formatYuan(l.principalFen),
        formatYuan(l.repaidFen),
        l.status,
      ]),
      new Set([2, 3]),
    ),
  );
  if (s.shares.length > 0 && s.compensatedFen === 0) {
    out.push('', 'No compensation (代偿) recorded: the 4321 shares of a loss are not computed.');
  } else if (s.shares.length > 0) {
    out.push('', `Hunan 4321 risk sharing of the default (loss ${formatYuan(s.lossFen)} yuan)`);
    out.push(
      ...table(
        ['party', 'kind', 'share', 'loss share', 'reimbursed', 'recovered', 'net loss'],
        s.shares.map((p) => [
          p.org,
          p.kind,
          `${Math.trunc(p.shareBps / 100)}.${String(p.shareBps % 100).padStart(2, '0')}%`,
          formatYuan(p.lossShareFen),
          formatYuan(p.reimbursedFen),
          formatYuan(p.recoveredFen),
          formatYuan(p.netLossFen),
        ]),
        new Set([2, 3, 4, 5, 6]),
      ),
    );
    const guarantorShare = s.shares
      .filter((p) => p.kind === 'guarantor')
      .reduce((n, p) => n + p.lossShareFen, 0);
    out.push(
      '',
      `compensation (代偿) paid by the guarantor: ${formatYuan(s.compensatedFen)}; reimbursed by the upper levels: ${formatYuan(s.reimbursedFen)} + guarantor's own share ${formatYuan(guarantorShare)} = ${formatYuan(s.reimbursedFen + guarantorShare)}`,
      `recovered from the borrower (追偿) and shared back: ${formatYuan(s.recoveredFen)}`,
    );
  }
  return out.join('\n');
}
