import type { Json } from '../src/events/envelope.ts';
import type { ReadModelDb } from './readModelDb.ts';

/** Anchor status of a log index, from the anchorer (injected: the read model does not store it). */
export type AnchorStatusOf = (logIndex: number) => Promise<string> | string;

export interface CaseFile {
  disputeId: string;
  loanId: string;
  status: string;
  parties: { claimant: string; respondent: string };
  claim: { amount: number; text: string };
  body: { org: string; role: string } | null;
  tribunal: string | null;
  filedAt: string;
  evidence: {
    logIndex: number;
    submittedBy: string;
    reference: string;
    sha256: string | null;
    description: string | null;
    at: string;
  }[];
  award: Json | null;
  timeline: {
    logIndex: number;
    eventId: string;
    stream: string;
    revision: number;
    type: string;
    recordedAt: string;
    actor: { org: string; role: string };
    anchor: string;
  }[];
}

interface DisputeRow {
  dispute_id: string;
  loan_id: string;
  claimant: string;
  respondent: string;
  claim_amount: number;
  claim: string;
  body: string;
  body_role: string;
  tribunal: string | null;
  status: string;
  award: string | null;
  filed_at: string;
}

/**
 * Who may read a case file: the body (court or arbitration commission) it is assigned to, and the
 * parties. Nobody else — not a regulator, not another bank — so this is checked here, next to the
 * data, and not only in the route.
 */
export const mayReadCase = (
  dispute: { body: string; claimant: string; respondent: string },
  org: string,
): boolean => org !== '' && (org === dispute.body || org === dispute.claimant || org === dispute.respondent);

export function findDispute(db: ReadModelDb, disputeId: string): DisputeRow | undefined {
  return db.get<DisputeRow>('SELECT * FROM rm_cases_disputes WHERE dispute_id = ?', disputeId);
}

/** The disputes an organization may read (as body or party). */
export function disputesFor(
  db: ReadModelDb,
  org: string,
): { disputeId: string; loanId: string; status: string; filedAt: string }[] {
  return db
    .all<DisputeRow>(
      'SELECT * FROM rm_cases_disputes WHERE body = ? OR claimant = ? OR respondent = ? ORDER BY filed_at, dispute_id',
      org,
      org,
      org,
    )
    .map((r) => ({ disputeId: r.dispute_id, loanId: r.loan_id, status: r.status, filedAt: r.filed_at }));
}

/** The case file, or undefined when there is no such dispute or `org` may not read it. */
export async function caseFile(
  db: ReadModelDb,
  disputeId: string,
  org: string,
  anchorStatus: AnchorStatusOf,
): Promise<CaseFile | undefined> {
  const r = findDispute(db, disputeId);
  if (!r || !mayReadCase(r, org)) return undefined;
  const evidence = db.all<{
    position: number;
    submitted_by: string;
    reference: string;
    sha256: string | null;
    description: string | null;
    at: string;
  }>('SELECT * FROM rm_cases_evidence WHERE dispute_id = ? ORDER BY position', disputeId);
  const events = db.all<{
    position: number;
    event_id: string;
    stream: string;
    revision: number;
    type: string;
    recorded_at: string;
    actor_org: string;
    actor_role: string;
  }>('SELECT * FROM rm_cases_timeline WHERE loan_id = ? ORDER BY position', r.loan_id);
  // The dispute's own events (filing, evidence, award) are on the timeline too when they name the loan.
  const timeline = await Promise.all(
    events.map(async (t) => ({
      logIndex: t.position,
      eventId: t.event_id,
      stream: t.stream,
      revision: t.revision,
      type: t.type,
      recordedAt: t.recorded_at,
      actor: { org: t.actor_org, role: t.actor_role },
      anchor: await anchorStatus(t.position),
    })),
  );
  return {
    disputeId: r.dispute_id,
    loanId: r.loan_id,
    status: r.status,
    parties: { claimant: r.claimant, respondent: r.respondent },
    claim: { amount: r.claim_amount, text: r.claim },
    body: r.body === '' ? null : { org: r.body, role: r.body_role },
    tribunal: r.tribunal,
    filedAt: r.filed_at,
    evidence: evidence.map((x) => ({
      logIndex: x.position,
      submittedBy: x.submitted_by,
      reference: x.reference,
      sha256: x.sha256,
      description: x.description,
      at: x.at,
    })),
    award: r.award === null ? null : (JSON.parse(r.award) as Json),
    timeline,
  };
}
