import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known, type KnownEvent } from '../domainEvents.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import { KeyedRows, RowAppender } from '../batchRows.ts';
import { applyAsBatch, type View, type ViewBatch } from '../view.ts';

/**
 * Bank portfolio and report-back (回传): each bank's loans with status and amounts, days past due for
 * the overdue buckets, and one report-back record per step of its lending (approval, disbursement,
 * repayment, overdue, default, write-off, closing) — what the platform reports on to the regulator.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_bank_loans (
  loan_id TEXT PRIMARY KEY, bank TEXT NOT NULL DEFAULT '', uscc TEXT NOT NULL, product_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL, requested_amount INTEGER NOT NULL, approved_amount INTEGER NOT NULL DEFAULT 0,
  disbursed_amount INTEGER NOT NULL DEFAULT 0, repaid_principal INTEGER NOT NULL DEFAULT 0,
  outstanding INTEGER NOT NULL DEFAULT 0, days_past_due INTEGER NOT NULL DEFAULT 0,
  overdue_amount INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_bank_reports (
  position INTEGER PRIMARY KEY, bank TEXT NOT NULL, loan_id TEXT NOT NULL, event_type TEXT NOT NULL,
  event_id TEXT NOT NULL, amount INTEGER, at TEXT NOT NULL
) STRICT;
`;

/** For the portfolio and report-back queries only: built after a rebuild rather than row by row. */
const QUERY_INDEXES = `
CREATE INDEX IF NOT EXISTS rm_bank_loans_bank ON rm_bank_loans (bank, status);
CREATE INDEX IF NOT EXISTS rm_bank_reports_bank ON rm_bank_reports (bank, position);
`;

const HANDLES = typesOf([
  'LoanApplied',
  'ProductChosen',
  'LoanApproved',
  'LoanRejected',
  'LoanApplicationWithdrawn',
  'ContractExecuted',
  'LoanDisbursed',
  'RepaymentReceived',
  'LoanRepaidEarly',
  'LoanOverdue',
  'LoanDefaulted',
  'LoanWrittenOff',
  'LoanRecoveryReceived',
  'LoanClosed',
]);

/** The status a loan is in after an event of this type. */
const statusAfter: Partial<Record<KnownEvent['type'], string>> = {
  LoanApproved: 'approved',
  LoanRejected: 'rejected',
  LoanApplicationWithdrawn: 'withdrawn',
  ContractExecuted: 'contracted',
  LoanDisbursed: 'active',
  LoanOverdue: 'overdue',
  LoanDefaulted: 'defaulted',
  LoanWrittenOff: 'written_off',
  LoanClosed: 'closed',
};
/** Statuses only a later terminal step may leave: an overdue notice never downgrades a default. */
const sticky: Record<string, readonly string[]> = {
  defaulted: ['written_off', 'closed'],
  written_off: ['closed'],
  closed: [],
  rejected: [],
  withdrawn: [],
};

interface LoanRow extends Record<string, string | number> {
  loan_id: string;
  bank: string;
  uscc: string;
  product_id: string;
  status: string;
  requested_amount: number;
  approved_amount: number;
  disbursed_amount: number;
  repaid_principal: number;
  outstanding: number;
  days_past_due: number;
  overdue_amount: number;
  updated_at: string;
}
const LOAN_COLUMNS = [
  'loan_id',
  'bank',
  'uscc',
  'product_id',
  'status',
  'requested_amount',
  'approved_amount',
  'disbursed_amount',
  'repaid_principal',
  'outstanding',
  'days_past_due',
  'overdue_amount',
  'updated_at',
] as const;

/**
 * One batch: a loan's row is read once, changed in memory by each of its events (most are repayments)
 * and written once at the end; report-back records are appended with multi-row INSERTs.
 */
function batch(db: ReadModelDb): ViewBatch {
  const loans = new KeyedRows<LoanRow>(db, 'rm_bank_loans', 'loan_id', LOAN_COLUMNS);
  const reports = new RowAppender(
    db,
    'INSERT INTO rm_bank_reports (position, bank, loan_id, event_type, event_id, amount, at)',
    7,
  );
  return {
    prefetch: (events) => loans.prefetch(events.map(loanIdOf)),
    apply: (e) => applyOne(loans, reports, e),
    endPage: () => reports.flush(),
    end() {
      loans.flush();
      reports.flush();
    },
  };
}

function applyOne(loans: KeyedRows<LoanRow>, reports: RowAppender, e: PositionedEvent): void {
  const ev = known(e);
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  const at = e.meta.recordedAt;
  if (ev.type === 'LoanApplied') {
    if (!loans.get(loanId))
      loans.put({
        loan_id: loanId,
        bank: '',
        uscc: ev.data.borrowerUscc,
        product_id: '',
        status: 'applied',
        requested_amount: ev.data.amountFen,
        approved_amount: 0,
        disbursed_amount: 0,
        repaid_principal: 0,
        outstanding: 0,
        days_past_due: 0,
        overdue_amount: 0,
        updated_at: at,
      });
    return;
  }
  const loan = loans.get(loanId);
  if (!loan) return;
  loans.changed(loan);
  if (ev.type === 'ProductChosen') {
    loan.bank = ev.data.bank;
    loan.product_id = ev.data.productId;
    loan.status = 'chosen';
    loan.updated_at = at;
    return;
  }
  const bank = loan.bank;
  const next = statusAfter[ev.type];
  const allowed = sticky[loan.status];
  const status = next && (allowed === undefined || allowed.includes(next)) ? next : loan.status;
  let amount: number | null = null;
  let businessAt = at;
  switch (ev.type) {
    case 'LoanApproved':
      amount = ev.data.amountFen;
      businessAt = ev.data.approvedAt;
      loan.approved_amount = amount;
      break;
    case 'LoanRejected':
      businessAt = ev.data.rejectedAt;
      break;
    case 'ContractExecuted':
      businessAt = ev.data.executedAt;
      break;
    case 'LoanApplicationWithdrawn':
      businessAt = ev.data.withdrawnAt;
      break;
    case 'LoanDisbursed':
      amount = ev.data.amountFen;
      businessAt = ev.data.disbursedOn;
      loan.disbursed_amount += amount;
      loan.outstanding += amount;
      break;
    case 'RepaymentReceived':
    case 'LoanRepaidEarly': {
      amount = ev.data.amountFen;
      businessAt = ev.data.paidOn;
      const principal = ev.data.principalFen;
      // Paying the overdue principal brings the loan back to current (a later LoanOverdue re-sets it).
      const overdueLeft = loan.overdue_amount - principal;
      loan.repaid_principal += principal;
      loan.outstanding = Math.max(0, loan.outstanding - principal);
      loan.overdue_amount = Math.max(0, overdueLeft);
      if (overdueLeft <= 0) {
        loan.days_past_due = 0;
        if (loan.status === 'overdue') loan.status = 'active';
      }
      loan.updated_at = at;
      break;
    }
    case 'LoanOverdue':
      amount = ev.data.overduePrincipalFen;
      businessAt = ev.data.asOf;
      loan.days_past_due = ev.data.daysPastDue;
      loan.overdue_amount = amount;
      break;
    case 'LoanDefaulted':
      amount = ev.data.outstandingPrincipalFen;
      businessAt = ev.data.asOf;
      loan.days_past_due = Math.max(loan.days_past_due, ev.data.daysPastDue);
      break;
    case 'LoanRecoveryReceived':
      amount = ev.data.amountFen;
      businessAt = ev.data.paidOn;
      loan.updated_at = at;
      break;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      amount = ev.type === 'LoanWrittenOff' ? ev.data.amountFen : null;
      businessAt = ev.type === 'LoanWrittenOff' ? ev.data.writtenOffOn : ev.data.closedOn;
      loan.outstanding = 0;
      loan.overdue_amount = 0;
      loan.days_past_due = 0;
      break;
    default:
      return;
  }
  // Repayments and recoveries keep the status they computed above; every other step sets it.
  if (
    ev.type !== 'RepaymentReceived' &&
    ev.type !== 'LoanRepaidEarly' &&
    ev.type !== 'LoanRecoveryReceived'
  ) {
    loan.status = status;
    loan.updated_at = at;
  }
  if (bank !== '') reports.push(e.position, bank, loanId, e.type, e.id, amount, businessAt);
}

export const bankPortfolioView: View = {
  name: 'bank',
  version: 2,
  tables: ['rm_bank_loans', 'rm_bank_reports'],
  schema: SCHEMA,
  queryIndexes: QUERY_INDEXES,
  handles: HANDLES,
  apply: applyAsBatch(batch),
  batch,
};

export interface BankPortfolio {
  bank: string;
  byStatus: { status: string; count: number; outstanding: number; disbursed: number }[];
  overdueBuckets: {
    bucket: '1-30' | '31-90' | '90+';
    count: number;
    outstanding: number;
    overdueAmount: number;
  }[];
}

export function bankPortfolio(db: ReadModelDb, bank: string): BankPortfolio {
  const byStatus = db.all<{ status: string; count: number; outstanding: number; disbursed: number }>(
    `SELECT status, count(*) AS count, sum(outstanding) AS outstanding, sum(disbursed_amount) AS disbursed
     FROM rm_bank_loans WHERE bank = ? GROUP BY status ORDER BY status`,
    bank,
  );
  const rows = db.all<{ bucket: string; count: number; outstanding: number; overdue: number }>(
    `SELECT CASE WHEN days_past_due <= 30 THEN '1-30' WHEN days_past_due <= 90 THEN '31-90' ELSE '90+' END AS bucket,
            count(*) AS count, sum(outstanding) AS outstanding, sum(overdue_amount) AS overdue
     FROM rm_bank_loans WHERE bank = ? AND days_past_due > 0 AND outstanding > 0 GROUP BY bucket`,
    bank,
  );
  const buckets = (['1-30', '31-90', '90+'] as const).map((b) => {
    const r = rows.find((x) => x.bucket === b);
    return {
      bucket: b,
      count: r?.count ?? 0,
      outstanding: r?.outstanding ?? 0,
      overdueAmount: r?.overdue ?? 0,
    };
  });
  return { bank, byStatus, overdueBuckets: buckets };
}

export function bankReports(
  db: ReadModelDb,
  bank: string,
  after = -1,
  limit = 100,
): {
  position: number;
  loanId: string;
  eventType: string;
  eventId: string;
  amount: number | null;
  at: string;
}[] {
  return db
    .all<{
      position: number;
      loan_id: string;
      event_type: string;
      event_id: string;
      amount: number | null;
      at: string;
    }>(
      'SELECT * FROM rm_bank_reports WHERE bank = ? AND position > ? ORDER BY position LIMIT ?',
      bank,
      after,
      limit,
    )
    .map((r) => ({
      position: r.position,
      loanId: r.loan_id,
      eventType: r.event_type,
      eventId: r.event_id,
      amount: r.amount,
      at: r.at,
    }));
}
