import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

/**
 * White list and product matching (白名单, 融资对接): enterprises on the white list with the criteria
 * they met; the loan product pool (贷款产品清单) with each product's live status; applications and where
 * they stand in matching — in particular those matched and awaiting the enterprise's choice.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_matching_whitelist (
  uscc TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', region TEXT NOT NULL DEFAULT '', industry TEXT NOT NULL DEFAULT '',
  listed INTEGER NOT NULL DEFAULT 0, grade TEXT, criteria TEXT NOT NULL DEFAULT '[]', decided_at TEXT
) STRICT;
CREATE TABLE IF NOT EXISTS rm_matching_products (
  product_id TEXT PRIMARY KEY, bank TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, pledge_type TEXT,
  min_amount INTEGER NOT NULL, max_amount INTEGER NOT NULL, min_term_months INTEGER NOT NULL, max_term_months INTEGER NOT NULL,
  min_rate_bps INTEGER NOT NULL, max_rate_bps INTEGER NOT NULL, white_list_only INTEGER NOT NULL, min_grade TEXT,
  status TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_matching_applications (
  loan_id TEXT PRIMARY KEY, uscc TEXT NOT NULL, amount INTEGER NOT NULL, term_months INTEGER,
  stage TEXT NOT NULL, candidates TEXT NOT NULL DEFAULT '[]', chosen_product TEXT, applied_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rm_matching_applications_stage ON rm_matching_applications (stage, applied_at);
`;

const HANDLES = typesOf([
  'EnterpriseRegistered',
  'CreditEvaluated',
  'WhiteListDecided',
  'ProductPublished',
  'ProductAmended',
  'ProductWithdrawn',
  'LoanApplied',
  'LoanMatched',
  'ProductChosen',
  'LoanApproved',
  'LoanRejected',
  'LoanApplicationWithdrawn',
]);

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const ev = known(e);
  const at = e.meta.recordedAt;
  switch (ev.type) {
    case 'EnterpriseRegistered':
      db.run(
        'INSERT OR IGNORE INTO rm_matching_whitelist (uscc, name, region, industry) VALUES (?, ?, ?, ?)',
        ev.data.uscc,
        ev.data.name,
        ev.data.regionCode,
        ev.data.industry,
      );
      return;
    case 'CreditEvaluated':
      db.run('UPDATE rm_matching_whitelist SET grade = ? WHERE uscc = ?', ev.data.grade, ev.data.uscc);
      return;
    case 'WhiteListDecided':
      // Either way: listed or not, with the reasons (the criteria met or missed).
      db.run('INSERT OR IGNORE INTO rm_matching_whitelist (uscc) VALUES (?)', ev.data.uscc);
      db.run(
        'UPDATE rm_matching_whitelist SET listed = ?, criteria = ?, decided_at = ? WHERE uscc = ?',
        ev.data.listed ? 1 : 0,
        JSON.stringify(ev.data.reasons),
        at,
        ev.data.uscc,
      );
      return;
    case 'ProductPublished':
    case 'ProductAmended': {
      const d = ev.data;
      const bank =
        ev.type === 'ProductPublished'
          ? ev.data.bank
          : (db.get<{ bank: string }>(
              'SELECT bank FROM rm_matching_products WHERE product_id = ?',
              d.productId,
            )?.bank ?? e.meta.actor.org);
      db.run(
        `INSERT OR REPLACE INTO rm_matching_products (product_id, bank, name, kind, pledge_type, min_amount, max_amount,
         min_term_months, max_term_months, min_rate_bps, max_rate_bps, white_list_only, min_grade, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?)`,
        d.productId,
        bank,
        d.name,
        d.kind,
        d.pledgeType,
        d.amountMinFen,
        d.amountMaxFen,
        d.termMinMonths,
        d.termMaxMonths,
        d.rateMinBps,
        d.rateMaxBps,
        d.eligibility.whiteListOnly ? 1 : 0,
        d.eligibility.minGrade,
        ev.type === 'ProductPublished' ? ev.data.publishedAt : ev.data.amendedAt,
      );
      return;
    }
    case 'ProductWithdrawn':
      db.run(
        `UPDATE rm_matching_products SET status = 'withdrawn', updated_at = ? WHERE product_id = ?`,
        ev.data.withdrawnAt,
        ev.data.productId,
      );
      return;
    default:
      break;
  }
  const loanId = loanIdOf(e);
  if (loanId === undefined) return;
  switch (ev.type) {
    case 'LoanApplied':
      db.run(
        `INSERT OR IGNORE INTO rm_matching_applications (loan_id, uscc, amount, term_months, stage, applied_at, updated_at)
         VALUES (?, ?, ?, ?, 'awaiting_match', ?, ?)`,
        loanId,
        ev.data.borrowerUscc,
        ev.data.amountFen,
        ev.data.termMonths,
        ev.data.appliedAt,
        at,
      );
      return;
    case 'LoanMatched':
      db.run(
        `UPDATE rm_matching_applications SET stage = ?, candidates = ?, updated_at = ? WHERE loan_id = ?`,
        ev.data.candidates.some((c) => c.eligible) ? 'awaiting_choice' : 'no_match',
        JSON.stringify(
          ev.data.candidates.map((c) => ({
            rank: c.rank,
            productId: c.productId,
            bank: c.bank,
            eligible: c.eligible,
          })),
        ),
        at,
        loanId,
      );
      return;
    case 'ProductChosen':
      db.run(
        `UPDATE rm_matching_applications SET stage = 'awaiting_decision', chosen_product = ?, updated_at = ? WHERE loan_id = ?`,
        ev.data.productId,
        at,
        loanId,
      );
      return;
    case 'LoanApproved':
    case 'LoanRejected':
    case 'LoanApplicationWithdrawn':
      db.run(
        'UPDATE rm_matching_applications SET stage = ?, updated_at = ? WHERE loan_id = ?',
        ev.type === 'LoanApproved' ? 'approved' : ev.type === 'LoanRejected' ? 'rejected' : 'withdrawn',
        at,
        loanId,
      );
      return;
    default:
      return;
  }
}

export const whiteListMatchingView: View = {
  name: 'matching',
  version: 1,
  tables: ['rm_matching_whitelist', 'rm_matching_products', 'rm_matching_applications'],
  schema: SCHEMA,
  handles: HANDLES,
  apply,
};

export const whiteList = (db: ReadModelDb) =>
  db
    .all<{
      uscc: string;
      name: string;
      region: string;
      industry: string;
      grade: string | null;
      criteria: string;
      decided_at: string;
    }>('SELECT * FROM rm_matching_whitelist WHERE listed = 1 ORDER BY uscc')
    .map((r) => ({
      uscc: r.uscc,
      name: r.name,
      region: r.region,
      industry: r.industry,
      grade: r.grade,
      criteria: JSON.parse(r.criteria) as unknown[],
      decidedAt: r.decided_at,
    }));

export const productPool = (db: ReadModelDb, onlyLive = false) =>
  db
    .all<{
      product_id: string;
      bank: string;
      name: string;
      kind: string;
      pledge_type: string | null;
      min_amount: number;
      max_amount: number;
      min_term_months: number;
      max_term_months: number;
      min_rate_bps: number;
      max_rate_bps: number;
      white_list_only: number;
      min_grade: string | null;
      status: string;
      updated_at: string;
    }>(
      `SELECT * FROM rm_matching_products ${onlyLive ? "WHERE status = 'published'" : ''} ORDER BY product_id`,
    )
    .map((r) => ({
      productId: r.product_id,
      bank: r.bank,
      name: r.name,
      kind: r.kind,
      pledgeType: r.pledge_type,
      amountFen: { min: r.min_amount, max: r.max_amount },
      termMonths: { min: r.min_term_months, max: r.max_term_months },
      rateBps: { min: r.min_rate_bps, max: r.max_rate_bps },
      eligibility: { whiteListOnly: r.white_list_only === 1, minGrade: r.min_grade },
      live: r.status === 'published',
      updatedAt: r.updated_at,
    }));

export const applicationsAwaitingChoice = (db: ReadModelDb) =>
  db
    .all<{
      loan_id: string;
      uscc: string;
      amount: number;
      term_months: number | null;
      candidates: string;
      applied_at: string;
    }>(`SELECT * FROM rm_matching_applications WHERE stage = 'awaiting_choice' ORDER BY applied_at, loan_id`)
    .map((r) => ({
      loanId: r.loan_id,
      uscc: r.uscc,
      amountFen: r.amount,
      termMonths: r.term_months,
      candidates: JSON.parse(r.candidates) as unknown[],
      appliedAt: r.applied_at,
    }));
