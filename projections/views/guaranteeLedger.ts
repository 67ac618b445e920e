import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { streamCategory, streamId } from '../eventData.ts';
import { typesOf } from '../eventNames.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import { KeyedRows, RowAppender } from '../batchRows.ts';
import { applyAsBatch, type View, type ViewBatch } from '../view.ts';

/**
 * Guarantor and risk-share ledger (政银担 4321). Programmes (risk-sharing agreements) with their parties
 * and shares; guaranteed loans with their outstanding principal; and a journal of money between the
 * parties: compensation (代偿) guarantor → bank, reimbursements due and paid (upper levels → guarantor),
 * recoveries received and owed onward as the domain allocated them. Exposure and loss rates are
 * computed from these rows at query time (guaranteeQueries.ts).
 *
 * The guarantee's stream is `guarantee-<guaranteeId>`; only GuaranteeIssued names the loan, so the
 * later events find their loan through `guarantee_id`.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_guarantees_programmes (
  programme_id TEXT PRIMARY KEY, loss_rate_cap_bps INTEGER,
  guaranteed_total INTEGER NOT NULL DEFAULT 0, compensation_total INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS rm_guarantees_parties (
  programme_id TEXT NOT NULL, party TEXT NOT NULL, level TEXT NOT NULL, share_bps INTEGER NOT NULL,
  PRIMARY KEY (programme_id, party)
) STRICT;
CREATE TABLE IF NOT EXISTS rm_guarantees_loans (
  loan_id TEXT PRIMARY KEY, guarantee_id TEXT NOT NULL, programme_id TEXT NOT NULL DEFAULT '',
  guarantor TEXT NOT NULL, bank TEXT NOT NULL, guaranteed_share_bps INTEGER NOT NULL,
  outstanding INTEGER NOT NULL DEFAULT 0, guaranteed INTEGER NOT NULL DEFAULT 0, compensated_on TEXT
) STRICT;
CREATE UNIQUE INDEX IF NOT EXISTS rm_guarantees_loans_guarantee ON rm_guarantees_loans (guarantee_id);
CREATE TABLE IF NOT EXISTS rm_guarantees_entries (
  position INTEGER NOT NULL, seq INTEGER NOT NULL, loan_id TEXT NOT NULL, programme_id TEXT NOT NULL,
  entry TEXT NOT NULL, party TEXT NOT NULL, counterparty TEXT NOT NULL, amount INTEGER NOT NULL, arose_on TEXT,
  PRIMARY KEY (position, seq)
) STRICT;
`;

/** For the ledger queries only: built after a rebuild rather than row by row. */
const QUERY_INDEXES = `
CREATE INDEX IF NOT EXISTS rm_guarantees_entries_party ON rm_guarantees_entries (party);
`;

const HANDLES = typesOf([
  'GuaranteeIssued',
  'RiskSharingAgreed',
  'GuaranteeCompensated',
  'ReimbursementDue',
  'ReimbursementPaid',
  'RecoveryShared',
  'GuaranteeReleased',
  'LoanDisbursed',
  'RepaymentReceived',
  'LoanRepaidEarly',
  'LoanWrittenOff',
  'LoanClosed',
]);

interface LoanRow extends Record<string, string | number | null> {
  loan_id: string;
  guarantee_id: string;
  programme_id: string;
  guarantor: string;
  bank: string;
  guaranteed_share_bps: number;
  outstanding: number;
  guaranteed: number;
  compensated_on: string | null;
}
const LOAN_COLUMNS = [
  'loan_id',
  'guarantee_id',
  'programme_id',
  'guarantor',
  'bank',
  'guaranteed_share_bps',
  'outstanding',
  'guaranteed',
  'compensated_on',
] as const;

/**
 * One batch: guaranteed loans are read once, changed in memory (repayments lower their outstanding
 * principal) and written once; journal entries are appended at the end. A guarantee's later events
 * find their loan by guarantee id: in this batch's rows first, else in the table.
 */
class Batch {
  readonly loans: KeyedRows<LoanRow>;
  readonly entries: RowAppender;
  private readonly loanOfGuarantee = new Map<string, string>();

  constructor(readonly db: ReadModelDb) {
    this.loans = new KeyedRows<LoanRow>(db, 'rm_guarantees_loans', 'loan_id', LOAN_COLUMNS);
    this.entries = new RowAppender(
      db,
      'INSERT INTO rm_guarantees_entries (position, seq, loan_id, programme_id, entry, party, counterparty, amount, arose_on)',
      9,
    );
  }

  putLoan(row: LoanRow) {
    this.loans.put(row);
    this.loanOfGuarantee.set(row.guarantee_id, row.loan_id);
  }

  byGuarantee(guaranteeId: string): LoanRow | undefined {
    const loanId =
      this.loanOfGuarantee.get(guaranteeId) ??
      this.db.get<{ loan_id: string }>(
        'SELECT loan_id FROM rm_guarantees_loans WHERE guarantee_id = ?',
        guaranteeId,
      )?.loan_id;
    if (loanId === undefined) return undefined;
    const row = this.loans.get(loanId);
    // The table may still name a loan whose guarantee this batch replaced.
    return row?.guarantee_id === guaranteeId ? row : undefined;
  }

  entry(
    e: PositionedEvent,
    seq: number,
    loan: LoanRow,
    kind: string,
    party: string,
    counterparty: string,
    amount: number,
    aroseOn: string | null = null,
  ) {
    this.entries.push(
      e.position,
      seq,
      loan.loan_id,
      loan.programme_id,
      kind,
      party,
      counterparty,
      amount,
      aroseOn,
    );
  }

  /**
   * Each programme's parties as the latest RiskSharingAgreed of the page states them, written when the
   * page ends: every guarantee restates its programme's terms, so writing them per event rewrote the
   * same rows thousands of times. Nothing reads the table while events are applied.
   */
  readonly programmeParties = new Map<string, readonly { org: string; kind: string; shareBps: number }[]>();

  endPage() {
    this.entries.flush();
    for (const [programmeId, parties] of this.programmeParties) {
      this.db.run('DELETE FROM rm_guarantees_parties WHERE programme_id = ?', programmeId);
      for (const p of parties)
        this.db.run(
          'INSERT INTO rm_guarantees_parties (programme_id, party, level, share_bps) VALUES (?, ?, ?, ?)',
          programmeId,
          p.org,
          p.kind,
          p.shareBps,
        );
    }
    this.programmeParties.clear();
  }

  end() {
    this.loans.flush();
    this.endPage();
  }
}

function batch(db: ReadModelDb): ViewBatch {
  const b = new Batch(db);
  return {
    // Loan events find their guaranteed loan by the loan stream's id.
    prefetch: (events) =>
      b.loans.prefetch(
        events.map((e) => (streamCategory(e.stream) === 'loan' ? streamId(e.stream) : undefined)),
      ),
    apply: (e) => applyOne(b, e),
    endPage: () => b.endPage(),
    end: () => b.end(),
  };
}

// The API names a guarantee's stream by its loan (`guarantee-<loanId>`: the routes are under
// /v1/loans/:loanId), so a stream id that is no guarantee id is looked up as the loan id.
const loanByGuarantee = (b: Batch, e: PositionedEvent): LoanRow | undefined => {
  if (streamCategory(e.stream) !== 'guarantee') return undefined;
  const id = streamId(e.stream);
  return b.byGuarantee(id) ?? b.loans.get(id);
};

function applyOne(b: Batch, e: PositionedEvent): void {
  const { db } = b;
  const ev = known(e);
  if (ev.type === 'GuaranteeIssued') {
    const d = ev.data;
    b.putLoan({
      loan_id: d.loanId,
      guarantee_id: d.guaranteeId,
      programme_id: '',
      guarantor: d.guarantor,
      bank: d.lender,
      guaranteed_share_bps: d.guaranteedShareBps,
      outstanding: 0,
      guaranteed: 0,
      compensated_on: null,
    });
    return;
  }
  if (ev.type === 'RiskSharingAgreed') {
    // Sent with every GuaranteeIssued: the guarantee joins the programme; the latest terms win.
    const d = ev.data;
    db.run(
      `INSERT INTO rm_guarantees_programmes (programme_id, loss_rate_cap_bps) VALUES (?, ?)
       ON CONFLICT (programme_id) DO UPDATE SET loss_rate_cap_bps = excluded.loss_rate_cap_bps`,
      d.programmeId,
      d.lossRateCeilingBps,
    );
    b.programmeParties.set(d.programmeId, d.parties);
    const loan = loanByGuarantee(b, e);
    if (loan) {
      loan.programme_id = d.programmeId;
      b.loans.changed(loan);
    }
    return;
  }

  switch (ev.type) {
    case 'LoanDisbursed':
    case 'RepaymentReceived':
    case 'LoanRepaidEarly':
    case 'LoanWrittenOff':
    case 'LoanClosed': {
      const loan = streamCategory(e.stream) === 'loan' ? b.loans.get(streamId(e.stream)) : undefined;
      if (!loan) return; // not a guaranteed loan
      if (ev.type === 'LoanDisbursed') {
        const amount = ev.data.amountFen;
        const guaranteed = Number((BigInt(amount) * BigInt(loan.guaranteed_share_bps)) / 10_000n);
        loan.outstanding += amount;
        loan.guaranteed += guaranteed;
        db.run(
          'UPDATE rm_guarantees_programmes SET guaranteed_total = guaranteed_total + ? WHERE programme_id = ?',
          guaranteed,
          loan.programme_id,
        );
      } else if (ev.type === 'RepaymentReceived' || ev.type === 'LoanRepaidEarly') {
        loan.outstanding = Math.max(0, loan.outstanding - ev.data.principalFen);
      } else {
        loan.outstanding = 0;
      }
      b.loans.changed(loan);
      return;
    }
    default:
      break;
  }

  const loan = loanByGuarantee(b, e);
  if (!loan) return;
  switch (ev.type) {
    case 'GuaranteeCompensated': {
      // 代偿: the guarantor pays the bank the loss less the bank's own share (compensatedFen).
      const amount = ev.data.compensatedFen;
      b.entry(e, 0, loan, 'compensation', loan.guarantor, loan.bank, amount);
      db.run(
        'UPDATE rm_guarantees_programmes SET compensation_total = compensation_total + ? WHERE programme_id = ?',
        amount,
        loan.programme_id,
      );
      // After 代偿 the guarantor holds the claim: the loan's remaining principal is no longer exposure.
      loan.outstanding = 0;
      loan.compensated_on = ev.data.paidOn;
      b.loans.changed(loan);
      return;
    }
    case 'ReimbursementDue':
      // 先代偿、后分险: the upper level owes the guarantor from the day it compensated (the event has no due date).
      b.entry(
        e,
        0,
        loan,
        'reimbursement_due',
        ev.data.org,
        loan.guarantor,
        ev.data.amountFen,
        loan.compensated_on,
      );
      return;
    case 'ReimbursementPaid':
      b.entry(e, 0, loan, 'reimbursement_paid', ev.data.org, loan.guarantor, ev.data.amountFen);
      return;
    case 'RecoveryShared': {
      // The guarantor holds the claim after 代偿, recovers, and owes each other party its allocation.
      b.entry(e, 0, loan, 'recovery_received', loan.guarantor, '', ev.data.amountFen);
      ev.data.allocations.forEach((a, i) => {
        if (a.org !== loan.guarantor && a.amountFen > 0)
          b.entry(e, i + 1, loan, 'recovery_owed', loan.guarantor, a.org, a.amountFen);
      });
      return;
    }
    case 'GuaranteeReleased':
      loan.outstanding = 0;
      b.loans.changed(loan);
      return;
    default:
      return;
  }
}

export const guaranteeLedgerView: View = {
  name: 'guarantees',
  version: 2,
  tables: [
    'rm_guarantees_programmes',
    'rm_guarantees_parties',
    'rm_guarantees_loans',
    'rm_guarantees_entries',
  ],
  schema: SCHEMA,
  queryIndexes: QUERY_INDEXES,
  handles: HANDLES,
  apply: applyAsBatch(batch),
  batch,
};
