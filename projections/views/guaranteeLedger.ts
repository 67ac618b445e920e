import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { streamCategory, streamId } from '../eventData.ts';
import { typesOf } from '../eventNames.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

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

interface LoanRow {
  loan_id: string;
  programme_id: string;
  guarantor: string;
  bank: string;
  guaranteed_share_bps: number;
  compensated_on: string | null;
}
const LOAN_COLUMNS = 'loan_id, programme_id, guarantor, bank, guaranteed_share_bps, compensated_on';

function entry(
  db: ReadModelDb,
  e: PositionedEvent,
  seq: number,
  loan: LoanRow,
  kind: string,
  party: string,
  counterparty: string,
  amount: number,
  aroseOn: string | null = null,
) {
  db.run(
    `INSERT INTO rm_guarantees_entries (position, seq, loan_id, programme_id, entry, party, counterparty, amount, arose_on)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

const loanByGuarantee = (db: ReadModelDb, e: PositionedEvent): LoanRow | undefined =>
  streamCategory(e.stream) === 'guarantee'
    ? db.get<LoanRow>(
        `SELECT ${LOAN_COLUMNS} FROM rm_guarantees_loans WHERE guarantee_id = ?`,
        streamId(e.stream),
      )
    : undefined;

const loanById = (db: ReadModelDb, e: PositionedEvent): LoanRow | undefined =>
  streamCategory(e.stream) === 'loan'
    ? db.get<LoanRow>(`SELECT ${LOAN_COLUMNS} FROM rm_guarantees_loans WHERE loan_id = ?`, streamId(e.stream))
    : undefined;

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const ev = known(e);
  if (ev.type === 'GuaranteeIssued') {
    const d = ev.data;
    db.run(
      `INSERT OR REPLACE INTO rm_guarantees_loans (loan_id, guarantee_id, guarantor, bank, guaranteed_share_bps)
       VALUES (?, ?, ?, ?, ?)`,
      d.loanId,
      d.guaranteeId,
      d.guarantor,
      d.lender,
      d.guaranteedShareBps,
    );
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
    db.run('DELETE FROM rm_guarantees_parties WHERE programme_id = ?', d.programmeId);
    for (const p of d.parties)
      db.run(
        'INSERT INTO rm_guarantees_parties (programme_id, party, level, share_bps) VALUES (?, ?, ?, ?)',
        d.programmeId,
        p.org,
        p.kind,
        p.shareBps,
      );
    const loan = loanByGuarantee(db, e);
    if (loan)
      db.run(
        'UPDATE rm_guarantees_loans SET programme_id = ? WHERE loan_id = ?',
        d.programmeId,
        loan.loan_id,
      );
    return;
  }

  switch (ev.type) {
    case 'LoanDisbursed': {
      const loan = loanById(db, e);
      if (!loan) return; // not a guaranteed loan
      const amount = ev.data.amountFen;
      const guaranteed = Number((BigInt(amount) * BigInt(loan.guaranteed_share_bps)) / 10_000n);
      db.run(
        'UPDATE rm_guarantees_loans SET outstanding = outstanding + ?, guaranteed = guaranteed + ? WHERE loan_id = ?',
        amount,
        guaranteed,
        loan.loan_id,
      );
      db.run(
        'UPDATE rm_guarantees_programmes SET guaranteed_total = guaranteed_total + ? WHERE programme_id = ?',
        guaranteed,
        loan.programme_id,
      );
      return;
    }
    case 'RepaymentReceived':
    case 'LoanRepaidEarly':
      db.run(
        'UPDATE rm_guarantees_loans SET outstanding = max(0, outstanding - ?) WHERE loan_id = ?',
        ev.data.principalFen,
        streamId(e.stream),
      );
      return;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      db.run('UPDATE rm_guarantees_loans SET outstanding = 0 WHERE loan_id = ?', streamId(e.stream));
      return;
    default:
      break;
  }

  const loan = loanByGuarantee(db, e);
  if (!loan) return;
  switch (ev.type) {
    case 'GuaranteeCompensated': {
      // 代偿: the guarantor pays the bank the loss less the bank's own share (compensatedFen).
      const amount = ev.data.compensatedFen;
      entry(db, e, 0, loan, 'compensation', loan.guarantor, loan.bank, amount);
      db.run(
        'UPDATE rm_guarantees_programmes SET compensation_total = compensation_total + ? WHERE programme_id = ?',
        amount,
        loan.programme_id,
      );
      // After 代偿 the guarantor holds the claim: the loan's remaining principal is no longer exposure.
      db.run(
        'UPDATE rm_guarantees_loans SET outstanding = 0, compensated_on = ? WHERE loan_id = ?',
        ev.data.paidOn,
        loan.loan_id,
      );
      return;
    }
    case 'ReimbursementDue':
      // 先代偿、后分险: the upper level owes the guarantor from the day it compensated (the event has no due date).
      entry(
        db,
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
      entry(db, e, 0, loan, 'reimbursement_paid', ev.data.org, loan.guarantor, ev.data.amountFen);
      return;
    case 'RecoveryShared': {
      // The guarantor holds the claim after 代偿, recovers, and owes each other party its allocation.
      entry(db, e, 0, loan, 'recovery_received', loan.guarantor, '', ev.data.amountFen);
      ev.data.allocations.forEach((a, i) => {
        if (a.org !== loan.guarantor && a.amountFen > 0)
          entry(db, e, i + 1, loan, 'recovery_owed', loan.guarantor, a.org, a.amountFen);
      });
      return;
    }
    case 'GuaranteeReleased':
      db.run('UPDATE rm_guarantees_loans SET outstanding = 0 WHERE loan_id = ?', loan.loan_id);
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
  handles: HANDLES,
  apply,
};
