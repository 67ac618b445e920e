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
  bank TEXT NOT NULL, last_position INTEGER NOT NULL, first_position INTEGER NOT NULL, records TEXT NOT NULL,
  PRIMARY KEY (bank, last_position)
) STRICT;
`;

/** For the portfolio query only: built after a rebuild rather than row by row. */
const QUERY_INDEXES = `
CREATE INDEX IF NOT EXISTS rm_bank_loans_bank ON rm_bank_loans (bank, status);
`;

/**
 * One report-back record (回传), as stored: [position, loanId, eventType, eventId, amount, at]. A page's
 * records of one bank are stored together, as one JSON array in one row (a block) keyed by the bank and
 * the block's last position: a rebuild writes ~one row per bank per page instead of one per repayment,
 * and blocks of one bank never overlap (pages are consecutive ranges of the log), so paging by position
 * stays an index range scan. Where a block starts depends on the page boundaries of the run that wrote
 * it; the records, their order and their content do not (`reportRecords`).
 */
type StoredReport = [
  position: number,
  loanId: string,
  eventType: string,
  eventId: string,
  amount: number | null,
  at: string,
];

/** The records of one batch (a page), per bank, written as one block per bank. */
class ReportBlocks {
  private readonly byBank = new Map<string, StoredReport[]>();
  private readonly rows: RowAppender;

  constructor(db: ReadModelDb) {
    this.rows = new RowAppender(
      db,
      'INSERT INTO rm_bank_reports (bank, last_position, first_position, records)',
      4,
    );
  }

  push(bank: string, record: StoredReport): void {
    let records = this.byBank.get(bank);
    if (!records) this.byBank.set(bank, (records = []));
    records.push(record);
  }

  flush(): void {
    for (const [bank, records] of this.byBank)
      this.rows.push(bank, records.at(-1)![0], records[0]![0], JSON.stringify(records));
    this.byBank.clear();
    this.rows.flush();
  }
}

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
  const reports = new ReportBlocks(db);
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

function applyOne(loans: KeyedRows<LoanRow>, reports: ReportBlocks, e: PositionedEvent): void {
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
  if (bank !== '') reports.push(bank, [e.position, loanId, e.type, e.id, amount, businessAt]);
}

export const bankPortfolioView: View = {
  name: 'bank',
  version: 3, // 3: report-back records in blocks
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

export interface BankReport {
  position: number;
  loanId: string;
  eventType: string;
  eventId: string;
  amount: number | null;
  at: string;
}

/** Blocks read per statement while paging: a page of records usually lies in the first few. */
const BLOCKS_PER_READ = 8;

/** A bank's report-back records after log position `after`, in log order, at most `limit`. */
export function bankReports(db: ReadModelDb, bank: string, after = -1, limit = 100): BankReport[] {
  const out: BankReport[] = [];
  let from = after;
  while (out.length < limit) {
    const blocks = db.all<{ last_position: number; records: string }>(
      `SELECT last_position, records FROM rm_bank_reports WHERE bank = ? AND last_position > ?
       ORDER BY last_position LIMIT ${BLOCKS_PER_READ}`,
      bank,
      from,
    );
    for (const b of blocks)
      for (const [position, loanId, eventType, eventId, amount, at] of JSON.parse(
        b.records,
      ) as StoredReport[])
        if (position > after && out.length < limit)
          out.push({ position, loanId, eventType, eventId, amount, at });
    if (blocks.length < BLOCKS_PER_READ) break;
    from = blocks.at(-1)!.last_position;
  }
  return out;
}

/**
 * Every report-back record in the table, one per line, whatever the blocks: what a rebuild and a live
 * runner must agree on (their blocks start where their pages did).
 */
export function reportRecords(db: ReadModelDb): string[] {
  return db
    .all<{ bank: string; records: string }>(
      'SELECT bank, records FROM rm_bank_reports ORDER BY bank, last_position',
    )
    .flatMap((b) => (JSON.parse(b.records) as StoredReport[]).map((r) => JSON.stringify([b.bank, ...r])));
}
