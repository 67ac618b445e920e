import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { cityOf, daysBetween, dayOf, monthOf, streamCategory, streamId } from '../eventData.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import { KeyedRows, RowAppender } from '../batchRows.ts';
import { applyAsBatch, type View, type ViewBatch } from '../view.ts';

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

interface EnterpriseRow extends Record<string, string | number> {
  uscc: string;
  city: string;
  county: string;
  industry: string;
  size: string;
  registered_month: string;
  borrowed: number;
}
const ENTERPRISE_COLUMNS = [
  'uscc',
  'city',
  'county',
  'industry',
  'size',
  'registered_month',
  'borrowed',
] as const;

interface LoanRow extends Record<string, string | number | null> {
  loan_id: string;
  uscc: string;
  city: string;
  county: string;
  industry: string;
  size: string;
  bank: string;
  kind: string;
  applied_month: string;
  applied_day: string;
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
const LOAN_COLUMNS = [
  'loan_id',
  'uscc',
  'city',
  'county',
  'industry',
  'size',
  'bank',
  'kind',
  'applied_month',
  'applied_day',
  'matched',
  'approved_month',
  'rejected_month',
  'disbursed_month',
  'days_to_disburse',
  'disbursed_amount',
  'outstanding',
  'first_loan',
  'overdue',
  'overdue_amount',
  'defaulted',
  'defaulted_amount',
] as const;

/** What one batch buffers: enterprise and loan rows (read once, written once) and the money flows. */
interface Batch {
  db: ReadModelDb;
  enterprises: KeyedRows<EnterpriseRow>;
  loans: KeyedRows<LoanRow>;
  flows: RowAppender;
}

function batch(db: ReadModelDb): ViewBatch {
  const b: Batch = {
    db,
    enterprises: new KeyedRows<EnterpriseRow>(db, 'rm_stats_enterprises', 'uscc', ENTERPRISE_COLUMNS),
    loans: new KeyedRows<LoanRow>(db, 'rm_stats_loans', 'loan_id', LOAN_COLUMNS),
    flows: new RowAppender(
      db,
      'INSERT INTO rm_stats_flows (position, loan_id, month, flow, level, amount)',
      6,
    ),
  };
  return {
    prefetch(events) {
      const loanIds = events.map(loanIdOf);
      b.loans.prefetch(loanIds);
      // Enterprises: registered or borrowing in this page, and the borrowers of the loans just read.
      const ent = (e: PositionedEvent) => {
        const ev = known(e);
        if (ev.type === 'EnterpriseRegistered') return ev.data.uscc;
        if (ev.type === 'LoanApplied') return ev.data.borrowerUscc;
        return undefined;
      };
      b.enterprises.prefetch([
        ...events.map(ent),
        ...loanIds.map((id) => (id === undefined ? undefined : b.loans.get(id)?.uscc)),
      ]);
    },
    apply: (e) => applyOne(b, e),
    endPage: () => b.flows.flush(),
    end() {
      b.enterprises.flush();
      b.loans.flush();
      b.flows.flush();
    },
  };
}

const flow = (
  b: Batch,
  e: PositionedEvent,
  loanId: string,
  kind: string,
  level: string,
  amount: number,
  at: string,
) => b.flows.push(e.position, loanId, monthOf(at), kind, level, amount);

function applyOne(b: Batch, e: PositionedEvent): void {
  const { db } = b;
  const ev = known(e);
  switch (ev.type) {
    case 'EnterpriseRegistered': {
      const d = ev.data;
      if (!b.enterprises.get(d.uscc))
        b.enterprises.put({
          uscc: d.uscc,
          city: cityOf(d.regionCode),
          county: d.regionCode,
          industry: d.industry,
          size: d.sizeClass,
          registered_month: monthOf(d.registeredAt),
          borrowed: 0,
        });
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
  if (guaranteeOrPolicy(b, e)) return;
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  if (ev.type === 'LoanApplied') {
    const d = ev.data;
    if (b.loans.get(loanId)) return;
    const ent = b.enterprises.get(d.borrowerUscc);
    b.loans.put({
      loan_id: loanId,
      uscc: d.borrowerUscc,
      city: ent?.city ?? '',
      county: ent?.county ?? '',
      industry: ent?.industry ?? '',
      size: ent?.size ?? '',
      bank: '',
      kind: '',
      applied_month: monthOf(d.appliedAt),
      applied_day: dayOf(d.appliedAt),
      matched: 0,
      approved_month: null,
      rejected_month: null,
      disbursed_month: null,
      days_to_disburse: null,
      disbursed_amount: 0,
      outstanding: 0,
      first_loan: 0,
      overdue: 0,
      overdue_amount: 0,
      defaulted: 0,
      defaulted_amount: 0,
    });
    return;
  }
  if (ev.type === 'LoanRecoveryReceived') {
    flow(b, e, loanId, 'recovery', '', ev.data.amountFen, ev.data.paidOn);
    return;
  }
  const loan = b.loans.get(loanId);
  if (!loan) return;
  switch (ev.type) {
    case 'LoanMatched':
      loan.matched = ev.data.candidates.some((c) => c.eligible) ? 1 : 0;
      break;
    case 'ProductChosen': {
      const p = db.get<{ kind: string }>(
        'SELECT kind FROM rm_stats_products WHERE product_id = ?',
        ev.data.productId,
      );
      loan.bank = ev.data.bank;
      loan.kind = p?.kind ?? '';
      break;
    }
    case 'LoanApproved':
      loan.approved_month = monthOf(ev.data.approvedAt);
      break;
    case 'LoanRejected':
      loan.rejected_month = monthOf(ev.data.rejectedAt);
      break;
    case 'LoanDisbursed': {
      const d = ev.data;
      // 首贷户: the enterprise's first disbursed loan on the platform.
      const ent = b.enterprises.get(loan.uscc);
      let first = 0;
      if (ent && ent.borrowed === 0) {
        ent.borrowed = 1;
        b.enterprises.changed(ent);
        first = 1;
      }
      loan.disbursed_month = monthOf(d.disbursedOn);
      loan.days_to_disburse = daysBetween(loan.applied_day, d.disbursedOn);
      loan.disbursed_amount += d.amountFen;
      loan.outstanding += d.amountFen;
      loan.first_loan = first;
      break;
    }
    case 'RepaymentReceived':
    case 'LoanRepaidEarly': {
      // Paying overdue principal brings the loan back to current once none is left overdue.
      const principal = ev.data.principalFen;
      const overdueLeft = loan.overdue_amount - principal;
      loan.outstanding = Math.max(0, loan.outstanding - principal);
      loan.overdue_amount = Math.max(0, overdueLeft);
      if (overdueLeft <= 0) loan.overdue = 0;
      break;
    }
    case 'LoanOverdue':
      loan.overdue = 1;
      loan.overdue_amount = ev.data.overduePrincipalFen;
      break;
    case 'LoanDefaulted':
      loan.defaulted = 1;
      loan.defaulted_amount = ev.data.outstandingPrincipalFen;
      break;
    case 'LoanWrittenOff':
    case 'LoanClosed':
      loan.outstanding = 0;
      loan.overdue = 0;
      loan.overdue_amount = 0;
      break;
    default:
      return;
  }
  b.loans.changed(loan);
}

const guaranteeLoan = (db: ReadModelDb, e: PositionedEvent): string | undefined =>
  streamCategory(e.stream) === 'guarantee'
    ? db.get<{ loan_id: string }>(
        'SELECT loan_id FROM rm_stats_guarantees WHERE guarantee_id = ?',
        streamId(e.stream),
      )?.loan_id
    : undefined;

/** Guarantee and policy flows; true when the event was one of theirs. */
function guaranteeOrPolicy(b: Batch, e: PositionedEvent): boolean {
  const { db } = b;
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
        flow(b, e, loanId, 'compensation', '', ev.data.compensatedFen, ev.data.paidOn);
      return true;
    }
    case 'ReimbursementDue': {
      // No date of its own: it falls due when recorded (with the compensation).
      const loanId = guaranteeLoan(db, e);
      if (loanId !== undefined)
        flow(b, e, loanId, 'reimbursement_due', ev.data.kind, ev.data.amountFen, e.meta.recordedAt);
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
        flow(b, e, loanId, 'reimbursement_paid', kind, ev.data.amountFen, ev.data.paidOn);
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
          b,
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
  apply: applyAsBatch(batch),
  batch,
};
