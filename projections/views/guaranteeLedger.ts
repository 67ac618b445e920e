import type { PositionedEvent } from '../../src/events/envelope.ts';
import { split } from '../../src/domain/money.ts';
import { arr, int, obj, str } from '../eventData.ts';
import { kindOf, typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import { known } from '../domainEvents.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

/**
 * Guarantor and risk-share ledger (政银担 4321). Programmes (risk-sharing agreements) with their parties
 * and shares; guaranteed loans with their outstanding principal; and a journal of money between the
 * parties: compensation (代偿) guarantor → bank, reimbursements due and paid (upper levels → guarantor),
 * recoveries received and owed onward in the same proportions. Exposure and loss rates are computed
 * from these rows at query time (guaranteeQueries.ts).
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_guarantees_programmes (
  programme_id TEXT PRIMARY KEY, loss_rate_cap_bps INTEGER, suspended INTEGER NOT NULL DEFAULT 0,
  guaranteed_total INTEGER NOT NULL DEFAULT 0, compensation_total INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS rm_guarantees_parties (
  programme_id TEXT NOT NULL, party TEXT NOT NULL, level TEXT NOT NULL, share_bps INTEGER NOT NULL,
  PRIMARY KEY (programme_id, party)
) STRICT;
CREATE TABLE IF NOT EXISTS rm_guarantees_loans (
  loan_id TEXT PRIMARY KEY, programme_id TEXT NOT NULL DEFAULT '', guarantor TEXT NOT NULL DEFAULT '',
  bank TEXT NOT NULL DEFAULT '', guaranteed_share_bps INTEGER NOT NULL DEFAULT 0,
  outstanding INTEGER NOT NULL DEFAULT 0, guaranteed INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS rm_guarantees_entries (
  position INTEGER NOT NULL, seq INTEGER NOT NULL, loan_id TEXT NOT NULL, programme_id TEXT NOT NULL,
  entry TEXT NOT NULL, party TEXT NOT NULL, counterparty TEXT NOT NULL, amount INTEGER NOT NULL, due_date TEXT,
  PRIMARY KEY (position, seq)
) STRICT;
CREATE INDEX IF NOT EXISTS rm_guarantees_entries_party ON rm_guarantees_entries (party);
`;

const HANDLES = typesOf(
  [
    'riskSharingAgreed',
    'programmeSuspended',
    'guaranteeIssued',
    'compensationPaid',
    'reimbursementDue',
    'reimbursementPaid',
    'recoveryShared',
  ],
  [
    'ProductChosen',
    'LoanDisbursed',
    'RepaymentReceived',
    'LoanRepaidEarly',
    'LoanWrittenOff',
    'LoanClosed',
    'LoanRecoveryReceived',
  ],
);

const programmeIdOf = (d: PositionedEvent['data']) => str(d, 'programmeId', 'agreementId', 'riskSharingId');

interface LoanRow {
  loan_id: string;
  programme_id: string;
  guarantor: string;
  bank: string;
  guaranteed_share_bps: number;
}

function entry(
  db: ReadModelDb,
  e: PositionedEvent,
  seq: number,
  loan: LoanRow,
  kind: string,
  party: string,
  counterparty: string,
  amount: number,
  dueDate: string | null = null,
) {
  db.run(
    `INSERT INTO rm_guarantees_entries (position, seq, loan_id, programme_id, entry, party, counterparty, amount, due_date)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    e.position,
    seq,
    loan.loan_id,
    loan.programme_id,
    kind,
    party,
    counterparty,
    amount,
    dueDate,
  );
}

/**
 * 追偿: who recovered the money received it and owes each other sharing party its proportion (the
 * shares of the loss, largest-remainder split so every fen is accounted for). When the domain records
 * the split itself (a RecoveryShared event) the shares come from that event instead.
 */
function recovery(
  db: ReadModelDb,
  e: PositionedEvent,
  loan: LoanRow,
  amount: number,
  receiver: string,
  splitByDomain: boolean,
) {
  entry(db, e, 0, loan, 'recovery_received', receiver, '', amount);
  if (splitByDomain) return;
  const parties = db.all<{ party: string; share_bps: number }>(
    'SELECT party, share_bps FROM rm_guarantees_parties WHERE programme_id = ? ORDER BY party',
    loan.programme_id,
  );
  if (parties.length === 0 || amount === 0 || parties.every((p) => p.share_bps === 0)) return;
  const parts = split(
    amount,
    parties.map((p) => p.share_bps),
  );
  parties.forEach((p, i) => {
    if (p.party !== receiver && parts[i]! > 0)
      entry(db, e, i + 1, loan, 'recovery_owed', receiver, p.party, parts[i]!);
  });
}

const ensureLoan = (db: ReadModelDb, loanId: string) =>
  db.run('INSERT OR IGNORE INTO rm_guarantees_loans (loan_id) VALUES (?)', loanId);

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const d = e.data;
  const kind = kindOf(e.type);
  if (kind === 'riskSharingAgreed') {
    const id = programmeIdOf(d) ?? e.stream;
    const caps = obj(d, 'caps');
    db.run(
      `INSERT INTO rm_guarantees_programmes (programme_id, loss_rate_cap_bps) VALUES (?, ?)
       ON CONFLICT (programme_id) DO UPDATE SET loss_rate_cap_bps = excluded.loss_rate_cap_bps`,
      id,
      int(d, 'lossRateCapBps') ?? (caps ? int(caps, 'lossRateCapBps') : undefined) ?? null,
    );
    db.run('DELETE FROM rm_guarantees_parties WHERE programme_id = ?', id);
    for (const p of arr(d, 'parties')) {
      if (p === null || typeof p !== 'object' || Array.isArray(p)) continue;
      db.run(
        'INSERT INTO rm_guarantees_parties (programme_id, party, level, share_bps) VALUES (?, ?, ?, ?)',
        id,
        str(p, 'party', 'org', 'orgId')!,
        str(p, 'level', 'role') ?? '',
        int(p, 'shareBps') ?? 0,
      );
    }
    return;
  }
  if (kind === 'programmeSuspended') {
    db.run(
      'UPDATE rm_guarantees_programmes SET suspended = 1 WHERE programme_id = ?',
      programmeIdOf(d) ?? e.stream,
    );
    return;
  }
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  switch (kind) {
    case 'guaranteeIssued':
      ensureLoan(db, loanId);
      db.run(
        'UPDATE rm_guarantees_loans SET programme_id = ?, guarantor = ?, guaranteed_share_bps = ? WHERE loan_id = ?',
        programmeIdOf(d) ?? '',
        str(d, 'guarantor') ?? e.meta.actor.org,
        int(d, 'guaranteedShareBps', 'shareBps') ?? 10_000,
        loanId,
      );
      return;
    default:
      break;
  }
  const ev = known(e);
  if (ev.type === 'ProductChosen') {
    ensureLoan(db, loanId);
    db.run('UPDATE rm_guarantees_loans SET bank = ? WHERE loan_id = ?', ev.data.bank, loanId);
    return;
  }
  const loan = db.get<LoanRow>(
    'SELECT loan_id, programme_id, guarantor, bank, guaranteed_share_bps FROM rm_guarantees_loans WHERE loan_id = ?',
    loanId,
  );
  if (!loan || loan.guarantor === '') return; // not a guaranteed loan
  switch (ev.type) {
    case 'LoanDisbursed': {
      const amount = ev.data.amountFen;
      const guaranteed = Number((BigInt(amount) * BigInt(loan.guaranteed_share_bps)) / 10_000n);
      db.run(
        'UPDATE rm_guarantees_loans SET outstanding = outstanding + ?, guaranteed = guaranteed + ? WHERE loan_id = ?',
        amount,
        guaranteed,
        loanId,
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
        loanId,
      );
      return;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      db.run('UPDATE rm_guarantees_loans SET outstanding = 0 WHERE loan_id = ?', loanId);
      return;
    case 'LoanRecoveryReceived':
      recovery(db, e, loan, ev.data.amountFen, e.meta.actor.org, false);
      return;
    default:
      break;
  }
  switch (kind) {
    case 'compensationPaid': {
      const amount = int(d, 'amountFen', 'amount') ?? 0;
      entry(
        db,
        e,
        0,
        loan,
        'compensation',
        str(d, 'guarantor') ?? loan.guarantor,
        str(d, 'bank') ?? loan.bank,
        amount,
      );
      db.run(
        'UPDATE rm_guarantees_programmes SET compensation_total = compensation_total + ? WHERE programme_id = ?',
        amount,
        loan.programme_id,
      );
      // After 代偿 the guarantor holds the claim: the loan's remaining principal is no longer exposure.
      db.run('UPDATE rm_guarantees_loans SET outstanding = 0 WHERE loan_id = ?', loanId);
      return;
    }
    case 'reimbursementDue':
    case 'reimbursementPaid':
      entry(
        db,
        e,
        0,
        loan,
        kind === 'reimbursementDue' ? 'reimbursement_due' : 'reimbursement_paid',
        str(d, 'party', 'payer', 'from') ?? e.meta.actor.org,
        str(d, 'to', 'payee', 'counterparty') ?? loan.guarantor,
        int(d, 'amountFen', 'amount') ?? 0,
        kind === 'reimbursementDue' ? (str(d, 'dueDate', 'dueOn') ?? null) : null,
      );
      return;
    case 'recoveryShared': {
      const receiver = str(d, 'recoveredBy', 'receivedBy', 'by') ?? e.meta.actor.org;
      arr(d, 'shares').forEach((s, i) => {
        if (s === null || typeof s !== 'object' || Array.isArray(s)) return;
        const party = str(s, 'party', 'org')!;
        const amount = int(s, 'amount') ?? 0;
        if (party !== receiver && amount > 0)
          entry(db, e, i + 1, loan, 'recovery_owed', receiver, party, amount);
      });
      return;
    }
    default:
      return;
  }
}

export const guaranteeLedgerView: View = {
  name: 'guarantees',
  version: 1,
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
