import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known, type KnownEvent } from '../domainEvents.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

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
CREATE INDEX IF NOT EXISTS rm_bank_loans_bank ON rm_bank_loans (bank, status);
CREATE TABLE IF NOT EXISTS rm_bank_reports (
  position INTEGER PRIMARY KEY, bank TEXT NOT NULL, loan_id TEXT NOT NULL, event_type TEXT NOT NULL,
  event_id TEXT NOT NULL, amount INTEGER, at TEXT NOT NULL
) STRICT;
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

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const ev = known(e);
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  const at = e.meta.recordedAt;
  if (ev.type === 'LoanApplied') {
    db.run(
      `INSERT OR IGNORE INTO rm_bank_loans (loan_id, uscc, status, requested_amount, updated_at) VALUES (?, ?, 'applied', ?, ?)`,
      loanId,
      ev.data.borrowerUscc,
      ev.data.amountFen,
      at,
    );
    return;
  }
  if (ev.type === 'ProductChosen') {
    db.run(
      `UPDATE rm_bank_loans SET bank = ?, product_id = ?, status = 'chosen', updated_at = ? WHERE loan_id = ?`,
      ev.data.bank,
      ev.data.productId,
      at,
      loanId,
    );
    return;
  }
  const loan = db.get<{ bank: string; status: string }>(
    'SELECT bank, status FROM rm_bank_loans WHERE loan_id = ?',
    loanId,
  );
  if (!loan) return;
  const next = statusAfter[ev.type];
  const allowed = sticky[loan.status];
  const status = next && (allowed === undefined || allowed.includes(next)) ? next : loan.status;
  // One UPDATE per event (status and updated_at folded in): this view touches most events of a loan.
  let amount: number | null = null;
  let businessAt = at;
  switch (ev.type) {
    case 'LoanApproved':
      amount = ev.data.amountFen;
      businessAt = ev.data.approvedAt;
      db.run(
        'UPDATE rm_bank_loans SET approved_amount = ?, status = ?, updated_at = ? WHERE loan_id = ?',
        amount,
        status,
        at,
        loanId,
      );
      break;
    case 'LoanRejected':
    case 'LoanApplicationWithdrawn':
    case 'ContractExecuted':
      businessAt =
        ev.type === 'LoanRejected'
          ? ev.data.rejectedAt
          : ev.type === 'ContractExecuted'
            ? ev.data.executedAt
            : ev.data.withdrawnAt;
      db.run('UPDATE rm_bank_loans SET status = ?, updated_at = ? WHERE loan_id = ?', status, at, loanId);
      break;
    case 'LoanDisbursed':
      amount = ev.data.amountFen;
      businessAt = ev.data.disbursedOn;
      db.run(
        `UPDATE rm_bank_loans SET disbursed_amount = disbursed_amount + ?, outstanding = outstanding + ?, status = ?,
         updated_at = ? WHERE loan_id = ?`,
        amount,
        amount,
        status,
        at,
        loanId,
      );
      break;
    case 'RepaymentReceived':
    case 'LoanRepaidEarly': {
      amount = ev.data.amountFen;
      businessAt = ev.data.paidOn;
      const principal = ev.data.principalFen;
      // Paying the overdue principal brings the loan back to current (a later LoanOverdue re-sets it).
      db.run(
        `UPDATE rm_bank_loans SET repaid_principal = repaid_principal + ?, outstanding = max(0, outstanding - ?),
         overdue_amount = max(0, overdue_amount - ?),
         days_past_due = CASE WHEN overdue_amount - ? > 0 THEN days_past_due ELSE 0 END,
         status = CASE WHEN status = 'overdue' AND overdue_amount - ? <= 0 THEN 'active' ELSE status END,
         updated_at = ? WHERE loan_id = ?`,
        principal,
        principal,
        principal,
        principal,
        principal,
        at,
        loanId,
      );
      break;
    }
    case 'LoanOverdue':
      amount = ev.data.overduePrincipalFen;
      businessAt = ev.data.asOf;
      db.run(
        'UPDATE rm_bank_loans SET days_past_due = ?, overdue_amount = ?, status = ?, updated_at = ? WHERE loan_id = ?',
        ev.data.daysPastDue,
        amount,
        status,
        at,
        loanId,
      );
      break;
    case 'LoanDefaulted':
      amount = ev.data.outstandingPrincipalFen;
      businessAt = ev.data.asOf;
      db.run(
        'UPDATE rm_bank_loans SET days_past_due = max(days_past_due, ?), status = ?, updated_at = ? WHERE loan_id = ?',
        ev.data.daysPastDue,
        status,
        at,
        loanId,
      );
      break;
    case 'LoanRecoveryReceived':
      amount = ev.data.amountFen;
      businessAt = ev.data.paidOn;
      db.run('UPDATE rm_bank_loans SET updated_at = ? WHERE loan_id = ?', at, loanId);
      break;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      amount = ev.type === 'LoanWrittenOff' ? ev.data.amountFen : null;
      businessAt = ev.type === 'LoanWrittenOff' ? ev.data.writtenOffOn : ev.data.closedOn;
      db.run(
        'UPDATE rm_bank_loans SET outstanding = 0, overdue_amount = 0, days_past_due = 0, status = ?, updated_at = ? WHERE loan_id = ?',
        status,
        at,
        loanId,
      );
      break;
    default:
      return;
  }
  if (loan.bank !== '')
    db.run(
      'INSERT INTO rm_bank_reports (position, bank, loan_id, event_type, event_id, amount, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      e.position,
      loan.bank,
      loanId,
      e.type,
      e.id,
      amount,
      businessAt,
    );
}

export const bankPortfolioView: View = {
  name: 'bank',
  version: 2,
  tables: ['rm_bank_loans', 'rm_bank_reports'],
  schema: SCHEMA,
  handles: HANDLES,
  apply,
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
