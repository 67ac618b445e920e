import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { cityOf, daysBetween, dayOf, monthOf, streamCategory, streamId } from '../eventData.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

/**
 * Regulator statistics (统计分析, 监督管理). The rows are facts per enterprise and per loan, with the
 * dimensions copied in (region, industry, size, bank, product kind) and money flows by month; the
 * figures are aggregated at query time (statistics.ts), which is what lets any grouping count distinct
 * enterprises for the small-cell rule. Rows hold the USCC (an enterprise id, not personal data) and no
 * names or personal data at all; the query never returns a USCC.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_stats_enterprises (
  uscc TEXT PRIMARY KEY, city TEXT NOT NULL, county TEXT NOT NULL, industry TEXT NOT NULL, size TEXT NOT NULL,
  registered_month TEXT NOT NULL, borrowed INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_authorizations (
  authorization_id TEXT PRIMARY KEY, uscc TEXT NOT NULL, expires_at TEXT NOT NULL, revoked INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_products (product_id TEXT PRIMARY KEY, bank TEXT NOT NULL, kind TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_loans (
  loan_id TEXT PRIMARY KEY, uscc TEXT NOT NULL,
  city TEXT NOT NULL, county TEXT NOT NULL, industry TEXT NOT NULL, size TEXT NOT NULL,
  bank TEXT NOT NULL DEFAULT '', kind TEXT NOT NULL DEFAULT '',
  applied_month TEXT NOT NULL, applied_day TEXT NOT NULL, matched INTEGER NOT NULL DEFAULT 0,
  approved_month TEXT, rejected_month TEXT, disbursed_month TEXT, days_to_disburse INTEGER,
  disbursed_amount INTEGER NOT NULL DEFAULT 0, outstanding INTEGER NOT NULL DEFAULT 0,
  first_loan INTEGER NOT NULL DEFAULT 0,
  overdue INTEGER NOT NULL DEFAULT 0, overdue_amount INTEGER NOT NULL DEFAULT 0,
  defaulted INTEGER NOT NULL DEFAULT 0, defaulted_amount INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_flows (
  position INTEGER PRIMARY KEY, loan_id TEXT NOT NULL, month TEXT NOT NULL,
  flow TEXT NOT NULL, level TEXT NOT NULL DEFAULT '', amount INTEGER NOT NULL
) STRICT;
-- Guarantee and policy events after the first do not name the loan or the party's level: looked up here.
CREATE TABLE IF NOT EXISTS rm_stats_guarantees (guarantee_id TEXT PRIMARY KEY, loan_id TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_guarantee_parties (
  guarantee_id TEXT NOT NULL, org TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (guarantee_id, org)
) STRICT;
CREATE TABLE IF NOT EXISTS rm_stats_policy_claims (claim_id TEXT PRIMARY KEY, loan_id TEXT NOT NULL, kind TEXT NOT NULL) STRICT;
`;

const HANDLES = typesOf([
  'GuaranteeIssued',
  'RiskSharingAgreed',
  'GuaranteeCompensated',
  'ReimbursementDue',
  'ReimbursementPaid',
  'PolicyBenefitClaimed',
  'PolicyClaimApproved',
  'EnterpriseRegistered',
  'AuthorizationGranted',
  'AuthorizationRevoked',
  'ProductPublished',
  'ProductAmended',
  'LoanApplied',
  'LoanMatched',
  'ProductChosen',
  'LoanApproved',
  'LoanRejected',
  'LoanDisbursed',
  'RepaymentReceived',
  'LoanRepaidEarly',
  'LoanOverdue',
  'LoanDefaulted',
  'LoanWrittenOff',
  'LoanClosed',
  'LoanRecoveryReceived',
]);

const flow = (
  db: ReadModelDb,
  e: PositionedEvent,
  loanId: string,
  kind: string,
  level: string,
  amount: number,
  at: string,
) =>
  db.run(
    'INSERT INTO rm_stats_flows (position, loan_id, month, flow, level, amount) VALUES (?, ?, ?, ?, ?, ?)',
    e.position,
    loanId,
    monthOf(at),
    kind,
    level,
    amount,
  );

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const ev = known(e);
  switch (ev.type) {
    case 'EnterpriseRegistered': {
      const d = ev.data;
      db.run(
        `INSERT OR IGNORE INTO rm_stats_enterprises (uscc, city, county, industry, size, registered_month)
         VALUES (?, ?, ?, ?, ?, ?)`,
        d.uscc,
        cityOf(d.regionCode),
        d.regionCode,
        d.industry,
        d.sizeClass,
        monthOf(d.registeredAt),
      );
      return;
    }
    case 'AuthorizationGranted':
      db.run(
        'INSERT OR REPLACE INTO rm_stats_authorizations (authorization_id, uscc, expires_at, revoked) VALUES (?, ?, ?, 0)',
        ev.data.grantId,
        ev.data.enterpriseUscc,
        ev.data.expiresAt,
      );
      return;
    case 'AuthorizationRevoked':
      db.run('UPDATE rm_stats_authorizations SET revoked = 1 WHERE authorization_id = ?', ev.data.grantId);
      return;
    case 'ProductPublished':
      db.run(
        'INSERT OR REPLACE INTO rm_stats_products (product_id, bank, kind) VALUES (?, ?, ?)',
        ev.data.productId,
        ev.data.bank,
        ev.data.kind,
      );
      return;
    case 'ProductAmended':
      db.run('UPDATE rm_stats_products SET kind = ? WHERE product_id = ?', ev.data.kind, ev.data.productId);
      return;
    default:
      break;
  }
  if (guaranteeOrPolicy(db, e)) return;
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  switch (ev.type) {
    case 'LoanApplied': {
      const d = ev.data;
      const ent = db.get<{ city: string; county: string; industry: string; size: string }>(
        'SELECT city, county, industry, size FROM rm_stats_enterprises WHERE uscc = ?',
        d.borrowerUscc,
      );
      db.run(
        `INSERT OR IGNORE INTO rm_stats_loans (loan_id, uscc, city, county, industry, size, applied_month, applied_day)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        loanId,
        d.borrowerUscc,
        ent?.city ?? '',
        ent?.county ?? '',
        ent?.industry ?? '',
        ent?.size ?? '',
        monthOf(d.appliedAt),
        dayOf(d.appliedAt),
      );
      return;
    }
    case 'LoanMatched':
      db.run(
        'UPDATE rm_stats_loans SET matched = ? WHERE loan_id = ?',
        ev.data.candidates.some((c) => c.eligible) ? 1 : 0,
        loanId,
      );
      return;
    case 'ProductChosen': {
      const p = db.get<{ kind: string }>(
        'SELECT kind FROM rm_stats_products WHERE product_id = ?',
        ev.data.productId,
      );
      db.run(
        'UPDATE rm_stats_loans SET bank = ?, kind = ? WHERE loan_id = ?',
        ev.data.bank,
        p?.kind ?? '',
        loanId,
      );
      return;
    }
    case 'LoanApproved':
      db.run(
        'UPDATE rm_stats_loans SET approved_month = ? WHERE loan_id = ?',
        monthOf(ev.data.approvedAt),
        loanId,
      );
      return;
    case 'LoanRejected':
      db.run(
        'UPDATE rm_stats_loans SET rejected_month = ? WHERE loan_id = ?',
        monthOf(ev.data.rejectedAt),
        loanId,
      );
      return;
    case 'LoanDisbursed': {
      const d = ev.data;
      const row = db.get<{ uscc: string; applied_day: string }>(
        'SELECT uscc, applied_day FROM rm_stats_loans WHERE loan_id = ?',
        loanId,
      );
      if (!row) return;
      // 首贷户: the enterprise's first disbursed loan on the platform.
      const first = db.run(
        'UPDATE rm_stats_enterprises SET borrowed = 1 WHERE uscc = ? AND borrowed = 0',
        row.uscc,
      );
      db.run(
        `UPDATE rm_stats_loans SET disbursed_month = ?, days_to_disburse = ?, disbursed_amount = disbursed_amount + ?,
         outstanding = outstanding + ?, first_loan = ? WHERE loan_id = ?`,
        monthOf(d.disbursedOn),
        daysBetween(row.applied_day, d.disbursedOn),
        d.amountFen,
        d.amountFen,
        first,
        loanId,
      );
      return;
    }
    case 'RepaymentReceived':
    case 'LoanRepaidEarly':
      // Paying overdue principal brings the loan back to current once none is left overdue.
      db.run(
        `UPDATE rm_stats_loans SET outstanding = max(0, outstanding - ?), overdue_amount = max(0, overdue_amount - ?),
         overdue = CASE WHEN overdue_amount - ? > 0 THEN overdue ELSE 0 END WHERE loan_id = ?`,
        ev.data.principalFen,
        ev.data.principalFen,
        ev.data.principalFen,
        loanId,
      );
      return;
    case 'LoanOverdue':
      db.run(
        'UPDATE rm_stats_loans SET overdue = 1, overdue_amount = ? WHERE loan_id = ?',
        ev.data.overduePrincipalFen,
        loanId,
      );
      return;
    case 'LoanDefaulted':
      db.run(
        'UPDATE rm_stats_loans SET defaulted = 1, defaulted_amount = ? WHERE loan_id = ?',
        ev.data.outstandingPrincipalFen,
        loanId,
      );
      return;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      db.run(
        'UPDATE rm_stats_loans SET outstanding = 0, overdue = 0, overdue_amount = 0 WHERE loan_id = ?',
        loanId,
      );
      return;
    case 'LoanRecoveryReceived':
      flow(db, e, loanId, 'recovery', '', ev.data.amountFen, ev.data.paidOn);
      return;
    default:
      return;
  }
}

const guaranteeLoan = (db: ReadModelDb, e: PositionedEvent): string | undefined =>
  streamCategory(e.stream) === 'guarantee'
    ? db.get<{ loan_id: string }>(
        'SELECT loan_id FROM rm_stats_guarantees WHERE guarantee_id = ?',
        streamId(e.stream),
      )?.loan_id
    : undefined;

/** Guarantee and policy flows; true when the event was one of theirs. */
function guaranteeOrPolicy(db: ReadModelDb, e: PositionedEvent): boolean {
  const ev = known(e);
  switch (ev.type) {
    case 'GuaranteeIssued':
      db.run(
        'INSERT OR IGNORE INTO rm_stats_guarantees (guarantee_id, loan_id) VALUES (?, ?)',
        ev.data.guaranteeId,
        ev.data.loanId,
      );
      return true;
    case 'RiskSharingAgreed':
      for (const p of ev.data.parties)
        db.run(
          'INSERT OR REPLACE INTO rm_stats_guarantee_parties (guarantee_id, org, kind) VALUES (?, ?, ?)',
          streamId(e.stream),
          p.org,
          p.kind,
        );
      return true;
    case 'GuaranteeCompensated': {
      const loanId = guaranteeLoan(db, e);
      if (loanId !== undefined)
        flow(db, e, loanId, 'compensation', '', ev.data.compensatedFen, ev.data.paidOn);
      return true;
    }
    case 'ReimbursementDue': {
      // No date of its own: it falls due when recorded (with the compensation).
      const loanId = guaranteeLoan(db, e);
      if (loanId !== undefined)
        flow(db, e, loanId, 'reimbursement_due', ev.data.kind, ev.data.amountFen, e.meta.recordedAt);
      return true;
    }
    case 'ReimbursementPaid': {
      const loanId = guaranteeLoan(db, e);
      const kind =
        db.get<{ kind: string }>(
          'SELECT kind FROM rm_stats_guarantee_parties WHERE guarantee_id = ? AND org = ?',
          streamId(e.stream),
          ev.data.org,
        )?.kind ?? 'other';
      if (loanId !== undefined)
        flow(db, e, loanId, 'reimbursement_paid', kind, ev.data.amountFen, ev.data.paidOn);
      return true;
    }
    case 'PolicyBenefitClaimed':
      db.run(
        'INSERT OR IGNORE INTO rm_stats_policy_claims (claim_id, loan_id, kind) VALUES (?, ?, ?)',
        ev.data.claimId,
        ev.data.loanId,
        ev.data.kind,
      );
      return true;
    case 'PolicyClaimApproved': {
      const claim = db.get<{ loan_id: string; kind: string }>(
        'SELECT loan_id, kind FROM rm_stats_policy_claims WHERE claim_id = ?',
        ev.data.claimId,
      );
      if (claim)
        flow(
          db,
          e,
          claim.loan_id,
          'policy_support',
          claim.kind,
          ev.data.approvedAmountFen,
          ev.data.approvedAt,
        );
      return true;
    }
    default:
      return false;
  }
}

export const regulatorStatsView: View = {
  name: 'stats',
  version: 2,
  tables: [
    'rm_stats_enterprises',
    'rm_stats_authorizations',
    'rm_stats_products',
    'rm_stats_loans',
    'rm_stats_flows',
    'rm_stats_guarantees',
    'rm_stats_guarantee_parties',
    'rm_stats_policy_claims',
  ],
  schema: SCHEMA,
  handles: HANDLES,
  apply,
};
