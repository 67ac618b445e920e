import type { PositionedEvent } from '../../src/events/envelope.ts';
import { int, obj, str } from '../eventData.ts';
import { kindOf, typesOf } from '../eventNames.ts';
import { disputeIdOf, loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import type { View } from '../view.ts';

/**
 * Court / arbitration case file (线上仲裁, 互联网法院): per dispute, its parties, claim, assigned body,
 * evidence and award; plus, for every loan, the index of its events (type, time, actor, store position =
 * Merkle leaf index) so the case file can show the loan's full timeline. Anchor status is not stored:
 * it changes after the event (pending → final) and is asked for when the file is read.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_cases_disputes (
  dispute_id TEXT PRIMARY KEY, loan_id TEXT NOT NULL, claimant TEXT NOT NULL, respondent TEXT NOT NULL,
  claim_amount INTEGER NOT NULL, claim TEXT NOT NULL, body TEXT NOT NULL DEFAULT '', body_role TEXT NOT NULL DEFAULT '',
  tribunal TEXT, status TEXT NOT NULL, award TEXT, filed_at TEXT NOT NULL, updated_at TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS rm_cases_evidence (
  position INTEGER PRIMARY KEY, dispute_id TEXT NOT NULL, submitted_by TEXT NOT NULL, reference TEXT NOT NULL,
  sha256 TEXT, description TEXT, at TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS rm_cases_evidence_dispute ON rm_cases_evidence (dispute_id, position);
CREATE TABLE IF NOT EXISTS rm_cases_timeline (
  position INTEGER PRIMARY KEY, loan_id TEXT NOT NULL, event_id TEXT NOT NULL, stream TEXT NOT NULL,
  revision INTEGER NOT NULL, type TEXT NOT NULL, recorded_at TEXT NOT NULL, actor_org TEXT NOT NULL,
  actor_role TEXT NOT NULL
) STRICT;
-- Rows arrive in position order (cheap appends to the table); only this small index is written out of order.
CREATE INDEX IF NOT EXISTS rm_cases_timeline_loan ON rm_cases_timeline (loan_id, position);
`;

const DISPUTE = typesOf([
  'disputeFiled',
  'disputeAccepted',
  'tribunalAssigned',
  'evidenceSubmitted',
  'hearingHeld',
  'awardIssued',
  'enforcementRequested',
  'disputeClosed',
]);

/** Every event that names a loan belongs on its timeline, whatever its type. */
const handles: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

function apply(db: ReadModelDb, e: PositionedEvent): void {
  const d = e.data;
  const disputeId = DISPUTE.has(e.type) ? disputeIdOf(e) : undefined;
  // A dispute's later events may not repeat the loan id: they go on the loan's timeline all the same.
  const loanId =
    loanIdOf(e) ??
    (disputeId === undefined
      ? undefined
      : db.get<{ loan_id: string }>('SELECT loan_id FROM rm_cases_disputes WHERE dispute_id = ?', disputeId)
          ?.loan_id);
  if (loanId !== undefined)
    db.run(
      `INSERT OR IGNORE INTO rm_cases_timeline (loan_id, position, event_id, stream, revision, type, recorded_at, actor_org, actor_role)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      loanId,
      e.position,
      e.id,
      e.stream,
      e.revision,
      e.type,
      e.meta.recordedAt,
      e.meta.actor.org,
      e.meta.actor.role,
    );
  if (disputeId === undefined) return;
  const at = e.meta.recordedAt;
  switch (kindOf(e.type)) {
    case 'disputeFiled':
      db.run(
        `INSERT OR IGNORE INTO rm_cases_disputes (dispute_id, loan_id, claimant, respondent, claim_amount, claim, body, status, filed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'filed', ?, ?)`,
        disputeId,
        loanId ?? '',
        str(d, 'claimant') ?? e.meta.actor.org,
        str(d, 'respondent') ?? '',
        int(d, 'claimAmount', 'amount') ?? 0,
        str(d, 'claim', 'claimText', 'description') ?? '',
        str(d, 'body', 'forum', 'arbitrationBody', 'court') ?? '',
        at,
        at,
      );
      return;
    case 'disputeAccepted':
      db.run(
        `UPDATE rm_cases_disputes SET body = ?, body_role = ?, status = 'accepted', updated_at = ? WHERE dispute_id = ?`,
        str(d, 'body', 'acceptedBy', 'forum') ?? e.meta.actor.org,
        str(d, 'bodyRole') ?? e.meta.actor.role,
        at,
        disputeId,
      );
      return;
    case 'tribunalAssigned':
      db.run(
        `UPDATE rm_cases_disputes SET tribunal = ?, status = 'assigned', updated_at = ? WHERE dispute_id = ?`,
        str(d, 'tribunal', 'arbitrator', 'judge', 'assignee') ?? e.meta.actor.org,
        at,
        disputeId,
      );
      return;
    case 'evidenceSubmitted':
      db.run(
        `INSERT OR IGNORE INTO rm_cases_evidence (position, dispute_id, submitted_by, reference, sha256, description, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        e.position,
        disputeId,
        str(d, 'submittedBy', 'party') ?? e.meta.actor.org,
        str(d, 'reference', 'evidenceRef', 'bundleId', 'documentRef') ?? '',
        str(d, 'sha256', 'bundleSha256', 'documentSha256', 'hash') ?? null,
        str(d, 'description', 'title') ?? null,
        at,
      );
      return;
    case 'hearingHeld':
      db.run(
        `UPDATE rm_cases_disputes SET status = 'heard', updated_at = ? WHERE dispute_id = ?`,
        at,
        disputeId,
      );
      return;
    case 'awardIssued':
      db.run(
        `UPDATE rm_cases_disputes SET award = ?, status = 'awarded', updated_at = ? WHERE dispute_id = ?`,
        JSON.stringify(obj(d, 'award') ?? d),
        at,
        disputeId,
      );
      return;
    case 'enforcementRequested':
      db.run(
        `UPDATE rm_cases_disputes SET status = 'enforcement', updated_at = ? WHERE dispute_id = ?`,
        at,
        disputeId,
      );
      return;
    case 'disputeClosed':
      db.run(
        `UPDATE rm_cases_disputes SET status = ?, updated_at = ? WHERE dispute_id = ?`,
        e.type === 'DisputeSettled' ? 'settled' : e.type === 'DisputeWithdrawn' ? 'withdrawn' : 'closed',
        at,
        disputeId,
      );
      return;
    default:
      return;
  }
}

export const caseFileView: View = {
  name: 'cases',
  version: 2,
  tables: ['rm_cases_disputes', 'rm_cases_evidence', 'rm_cases_timeline'],
  schema: SCHEMA,
  handles,
  apply,
};
