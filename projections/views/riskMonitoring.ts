import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { typesOf } from '../eventNames.ts';
import { loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

/**
 * Risk monitoring (风险监测): open and cleared warnings per enterprise and per loan, with level, rule and
 * when raised; and the notices owed to each institution concerned (the lender, the guarantor, and
 * whoever holds the enterprise's live authorization). The notices are an outbox: deterministic rows
 * the webhook dispatcher (webhooks.ts) delivers; what was delivered is recorded in the dispatcher's own
 * table, which a rebuild does not touch, so a rebuild never sends a notice twice.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_risk_warnings (
  warning_id TEXT PRIMARY KEY, uscc TEXT, loan_id TEXT, level TEXT NOT NULL, rule TEXT NOT NULL, reason TEXT NOT NULL,
  status TEXT NOT NULL, raised_at TEXT NOT NULL, cleared_at TEXT, position INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rm_risk_warnings_open ON rm_risk_warnings (status, uscc, loan_id);
CREATE TABLE IF NOT EXISTS rm_risk_loans (loan_id TEXT PRIMARY KEY, uscc TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS rm_risk_grants (grant_id TEXT PRIMARY KEY, uscc TEXT NOT NULL, grantee TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS rm_risk_links (subject TEXT NOT NULL, org TEXT NOT NULL, PRIMARY KEY (subject, org)) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rm_risk_notices (
  delivery_id TEXT PRIMARY KEY, position INTEGER NOT NULL, warning_id TEXT NOT NULL, org TEXT NOT NULL, payload TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rm_risk_notices_position ON rm_risk_notices (position);
`;

const HANDLES = typesOf([
  'GuaranteeIssued',
  'WarningRaised',
  'WarningResolved',
  'LoanApplied',
  'ProductChosen',
  'AuthorizationGranted',
  'AuthorizationRevoked',
]);

/** The loan a signal came from, when its source is a loan event (`loan-L1@7` → `L1`). */
export const loanOfSourceRef = (sourceRef: string): string | null => {
  const m = /^loan-(.+?)(?:@\d+)?$/.exec(sourceRef);
  return m ? m[1]! : null;
};

const link = (db: ReadModelDb, subject: string, org: string) =>
  db.run('INSERT OR IGNORE INTO rm_risk_links (subject, org) VALUES (?, ?)', subject, org);

function linkLoan(db: ReadModelDb, loanId: string, org: string) {
  link(db, `loan:${loanId}`, org);
  const uscc = db.get<{ uscc: string }>('SELECT uscc FROM rm_risk_loans WHERE loan_id = ?', loanId)?.uscc;
  if (uscc) link(db, `ent:${uscc}`, org);
}

interface WarningRow {
  warning_id: string;
  uscc: string | null;
  loan_id: string | null;
  level: string;
  rule: string;
  reason: string;
  status: string;
  raised_at: string;
  cleared_at: string | null;
}

function notify(db: ReadModelDb, e: PositionedEvent, w: WarningRow, event: 'raised' | 'cleared') {
  const subjects = [w.loan_id ? `loan:${w.loan_id}` : null, w.uscc ? `ent:${w.uscc}` : null].filter(
    (s) => s !== null,
  );
  const orgs = new Set<string>();
  for (const s of subjects)
    for (const r of db.all<{ org: string }>(
      'SELECT org FROM rm_risk_links WHERE subject = ? ORDER BY org',
      s,
    ))
      orgs.add(r.org);
  for (const org of [...orgs].sort()) {
    const deliveryId = `${w.warning_id}:${event}:${org}`;
    const payload = {
      deliveryId,
      type: `risk.warning.${event}`,
      logIndex: e.position,
      warning: {
        warningId: w.warning_id,
        uscc: w.uscc,
        loanId: w.loan_id,
        level: w.level,
        rule: w.rule,
        reason: w.reason,
        status: w.status,
        raisedAt: w.raised_at,
        clearedAt: w.cleared_at,
      },
    };
    db.run(
      'INSERT OR IGNORE INTO rm_risk_notices (delivery_id, position, warning_id, org, payload) VALUES (?, ?, ?, ?, ?)',
      deliveryId,
      e.position,
      w.warning_id,
      org,
      JSON.stringify(payload),
    );
  }
}

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const ev = known(e);
  switch (ev.type) {
    case 'AuthorizationGranted':
      db.run(
        'INSERT OR REPLACE INTO rm_risk_grants (grant_id, uscc, grantee) VALUES (?, ?, ?)',
        ev.data.grantId,
        ev.data.enterpriseUscc,
        ev.data.grantee,
      );
      link(db, `ent:${ev.data.enterpriseUscc}`, ev.data.grantee);
      return;
    case 'AuthorizationRevoked': {
      // The institution keeps hearing about the enterprise while it lends to it or guarantees it.
      const g = db.get<{ uscc: string; grantee: string }>(
        'SELECT uscc, grantee FROM rm_risk_grants WHERE grant_id = ?',
        ev.data.grantId,
      );
      const stillInvolved =
        g !== undefined &&
        db.get(
          `SELECT 1 FROM rm_risk_loans l JOIN rm_risk_links k ON k.subject = 'loan:' || l.loan_id WHERE l.uscc = ? AND k.org = ?`,
          g.uscc,
          g.grantee,
        ) !== undefined;
      if (g && !stillInvolved)
        db.run('DELETE FROM rm_risk_links WHERE subject = ? AND org = ?', `ent:${g.uscc}`, g.grantee);
      return;
    }
    case 'LoanApplied':
      db.run(
        'INSERT OR IGNORE INTO rm_risk_loans (loan_id, uscc) VALUES (?, ?)',
        loanIdOf(e)!,
        ev.data.borrowerUscc,
      );
      return;
    case 'ProductChosen':
      linkLoan(db, loanIdOf(e)!, ev.data.bank);
      return;
    case 'GuaranteeIssued':
      linkLoan(db, ev.data.loanId, ev.data.guarantor);
      return;
    case 'WarningRaised': {
      const d = ev.data;
      // The event has no free-text reason: the signal (what, how much, from where) is the reason.
      db.run(
        `INSERT OR IGNORE INTO rm_risk_warnings (warning_id, uscc, loan_id, level, rule, reason, status, raised_at, position)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?)`,
        d.warningId,
        d.uscc,
        loanOfSourceRef(d.signal.sourceRef),
        d.level,
        d.rule,
        `${d.signal.kind} ${d.signal.value} (${d.signal.sourceRef})`,
        d.raisedAt,
        e.position,
      );
      const w = db.get<WarningRow>('SELECT * FROM rm_risk_warnings WHERE warning_id = ?', d.warningId)!;
      notify(db, e, w, 'raised');
      return;
    }
    case 'WarningResolved': {
      const changed = db.run(
        `UPDATE rm_risk_warnings SET status = 'cleared', cleared_at = ? WHERE warning_id = ? AND status = 'open'`,
        ev.data.resolvedAt,
        ev.data.warningId,
      );
      if (changed)
        notify(
          db,
          e,
          db.get<WarningRow>('SELECT * FROM rm_risk_warnings WHERE warning_id = ?', ev.data.warningId)!,
          'cleared',
        );
      return;
    }
    default:
      return;
  }
}

export const riskMonitoringView: View = {
  name: 'risk',
  version: 2,
  tables: ['rm_risk_warnings', 'rm_risk_loans', 'rm_risk_grants', 'rm_risk_links', 'rm_risk_notices'],
  schema: SCHEMA,
  handles: HANDLES,
  apply,
};

export interface OpenWarning {
  warningId: string;
  uscc: string | null;
  loanId: string | null;
  level: string;
  rule: string;
  reason: string;
  raisedAt: string;
  /** Whole days since raised, as of `now`. */
  ageDays: number;
}

/** Open warnings, all or those concerning one institution (`org`), with their age as of `now`. */
export function openWarnings(db: ReadModelDb, now: Date, org?: string): OpenWarning[] {
  const rows =
    org === undefined
      ? db.all<WarningRow>(
          `SELECT * FROM rm_risk_warnings WHERE status = 'open' ORDER BY raised_at, warning_id`,
        )
      : db.all<WarningRow>(
          `SELECT w.* FROM rm_risk_warnings w WHERE w.status = 'open' AND EXISTS (
             SELECT 1 FROM rm_risk_links l WHERE l.org = ? AND (l.subject = 'loan:' || w.loan_id OR l.subject = 'ent:' || w.uscc))
           ORDER BY w.raised_at, w.warning_id`,
          org,
        );
  return rows.map((w) => ({
    warningId: w.warning_id,
    uscc: w.uscc,
    loanId: w.loan_id,
    level: w.level,
    rule: w.rule,
    reason: w.reason,
    raisedAt: w.raised_at,
    ageDays: Math.max(0, Math.floor((now.getTime() - Date.parse(w.raised_at)) / 86_400_000)),
  }));
}
