import type { PositionedEvent } from '../../src/events/envelope.ts';
import { known } from '../domainEvents.ts';
import { streamCategory, streamId } from '../eventData.ts';
import { disputeEventTypes } from '../eventNames.ts';
import { disputeIdOf, loanIdOf } from '../loanRef.ts';
import type { ReadModelDb } from '../readModelDb.ts';
import { RowAppender } from '../batchRows.ts';
import { applyAsBatch, type View, type ViewBatch } from '../view.ts';

/**
 * Court / arbitration case file (线上仲裁, 互联网法院): per dispute, its parties, claim, assigned body,
 * evidence and award; plus, for every loan, the streams that hold events about it (its loan, guarantee,
 * policy and dispute streams), so the case file reads the loan's full timeline from the store when it
 * is opened. The timeline itself is not copied: the store already keeps every event in stream order,
 * and a copy was one row per loan event (≈ 880,000 rows for 30,000 loans, about a quarter of a rebuild's
 * CPU) for the
 * few hundred loans that ever reach a dispute. Anchor status is not stored either: it changes after the
 * event (pending → final) and is asked for when the file is read.
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
-- Version 3 copied every loan event here; the streams are enough (see above). Not WITHOUT ROWID: that
-- form cut the real server's API throughput from ~3,000 to ~2,100 commands/s in repeated A/B runs of
-- bench/api.bench.ts (2026-11-27); the cause was not found, the ordinary table shows no such cost.
DROP TABLE IF EXISTS rm_cases_timeline;
CREATE TABLE IF NOT EXISTS rm_cases_loan_streams (
  loan_id TEXT NOT NULL, stream TEXT NOT NULL, PRIMARY KEY (loan_id, stream)
) STRICT;
-- Only GuaranteeIssued names the loan; the guarantee's later events (代偿, recoveries) find it here.
CREATE TABLE IF NOT EXISTS rm_cases_guarantees (guarantee_id TEXT PRIMARY KEY, loan_id TEXT NOT NULL) STRICT;
`;

/** Every event that names a loan belongs on its timeline, whatever its type. */
const handles: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

/** The dispute a dispute event is about (other events name none for this view). */
const disputeOfEvent = (e: PositionedEvent): string | undefined =>
  disputeEventTypes.has(e.type) ? disputeIdOf(e) : undefined;

/**
 * The loan an event belongs to: named in it, its loan or policy stream, its dispute's or guarantee's
 * loan. The case file applies the same rule to the events of the recorded streams when it is read.
 */
export function loanOf(
  db: ReadModelDb,
  e: PositionedEvent,
  disputeId: string | undefined = disputeOfEvent(e),
): string | undefined {
  const named = loanIdOf(e);
  if (named !== undefined) return named;
  if (disputeId !== undefined)
    return db.get<{ loan_id: string }>(
      'SELECT loan_id FROM rm_cases_disputes WHERE dispute_id = ?',
      disputeId,
    )?.loan_id;
  if (streamCategory(e.stream) === 'guarantee')
    return db.get<{ loan_id: string }>(
      'SELECT loan_id FROM rm_cases_guarantees WHERE guarantee_id = ?',
      streamId(e.stream),
    )?.loan_id;
  return undefined;
}

/** One batch: the (loan, stream) pairs it meets, each once, written with multi-row INSERTs at its end. */
function batch(db: ReadModelDb): ViewBatch {
  const pairs = new RowAppender(db, `INSERT OR IGNORE INTO rm_cases_loan_streams (loan_id, stream)`, 2);
  const seen = new Set<string>();
  const onTimeline = (loanId: string, stream: string) => {
    const key = `${loanId}\u0000${stream}`;
    if (seen.has(key)) return;
    seen.add(key);
    pairs.push(loanId, stream);
  };
  return {
    apply: (e) => applyOne(db, onTimeline, e),
    endPage: () => pairs.flush(),
    end: () => pairs.flush(),
  };
}

function applyOne(
  db: ReadModelDb,
  onTimeline: (loanId: string, stream: string) => void,
  e: PositionedEvent,
): void {
  const ev = known(e);
  if (ev.type === 'GuaranteeIssued')
    db.run(
      'INSERT OR IGNORE INTO rm_cases_guarantees (guarantee_id, loan_id) VALUES (?, ?)',
      ev.data.guaranteeId,
      ev.data.loanId,
    );
  const disputeId = disputeOfEvent(e);
  const loanId = loanOf(db, e, disputeId);
  if (loanId !== undefined) onTimeline(loanId, e.stream);
  if (disputeId === undefined) return;
  const setStatus = (status: string, at: string) =>
    db.run(
      'UPDATE rm_cases_disputes SET status = ?, updated_at = ? WHERE dispute_id = ?',
      status,
      at,
      disputeId,
    );
  switch (ev.type) {
    case 'DisputeFiled': {
      const d = ev.data;
      // The body is named at filing; its role follows the forum until the body itself accepts.
      db.run(
        `INSERT OR IGNORE INTO rm_cases_disputes (dispute_id, loan_id, claimant, respondent, claim_amount, claim, body, body_role, status, filed_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'filed', ?, ?)`,
        disputeId,
        d.loanId,
        d.claimant.org,
        d.respondent.org,
        d.claimAmountFen,
        d.claims,
        d.body,
        d.forum === 'court' ? 'court' : 'arbitrator',
        d.filedAt,
        d.filedAt,
      );
      return;
    }
    case 'DisputeAccepted':
      db.run(
        `UPDATE rm_cases_disputes SET body_role = ?, status = 'accepted', updated_at = ? WHERE dispute_id = ?`,
        e.meta.actor.role,
        ev.data.acceptedAt,
        disputeId,
      );
      return;
    case 'TribunalAssigned':
      db.run(
        `UPDATE rm_cases_disputes SET tribunal = ?, status = 'assigned', updated_at = ? WHERE dispute_id = ?`,
        ev.data.memberIds.join(', '),
        ev.data.assignedAt,
        disputeId,
      );
      return;
    case 'EvidenceSubmitted': {
      const d = ev.data;
      db.run(
        `INSERT OR IGNORE INTO rm_cases_evidence (position, dispute_id, submitted_by, reference, sha256, description, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        e.position,
        disputeId,
        d.submittedBy.org,
        d.evidenceId,
        d.bundleSha256 ?? d.documentSha256s[0] ?? null,
        d.description,
        d.submittedAt,
      );
      return;
    }
    case 'HearingHeld':
      setStatus('heard', e.meta.recordedAt);
      return;
    case 'AwardIssued': {
      const { awardId, payments, obligations, issuedAt } = ev.data;
      db.run(
        `UPDATE rm_cases_disputes SET award = ?, status = 'awarded', updated_at = ? WHERE dispute_id = ?`,
        JSON.stringify({ awardId, payments, obligations }),
        issuedAt,
        disputeId,
      );
      return;
    }
    case 'EnforcementRequested':
      setStatus('enforcement', ev.data.requestedAt);
      return;
    case 'DisputeSettled':
      setStatus('settled', ev.data.settledAt);
      return;
    case 'DisputeWithdrawn':
      setStatus('withdrawn', ev.data.withdrawnAt);
      return;
    case 'DisputeClosed':
      setStatus('closed', ev.data.closedAt);
      return;
    default:
      return;
  }
}

export const caseFileView: View = {
  name: 'cases',
  version: 4,
  tables: ['rm_cases_disputes', 'rm_cases_evidence', 'rm_cases_loan_streams', 'rm_cases_guarantees'],
  schema: SCHEMA,
  handles,
  apply: applyAsBatch(batch),
  batch,
};
