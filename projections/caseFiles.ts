import type { Json, PositionedEvent } from '../src/events/envelope.ts';
import type { ReadModelDb } from './readModelDb.ts';
import { readCheckpoint } from './checkpoints.ts';
import { caseFileView, loanOf } from './views/caseFile.ts';

/** Anchor status of a log index, from the anchorer (injected: the read model does not store it). */
export type AnchorStatusOf = (logIndex: number) => Promise<string> | string;

/** A stream's events from the store (EventStore.readStream): the case file's timeline is read there. */
export type ReadStream = (stream: string) => Promise<PositionedEvent[]>;

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
  readStream: ReadStream,
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
  const events = await loanTimeline(db, r.loan_id, readStream);
  // The dispute's own events (filing, evidence, award) are on the timeline too: they belong to its loan.
  const timeline = await Promise.all(
    events.map(async (e) => ({
      logIndex: e.position,
      eventId: e.id,
      stream: e.stream,
      revision: e.revision,
      type: e.type,
      recordedAt: e.meta.recordedAt,
      actor: { org: e.meta.actor.org, role: e.meta.actor.role },
      anchor: await anchorStatus(e.position),
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

/**
 * The events about a loan, in log order: those of the streams the case-file view recorded for it that
 * belong to it by the view's own rule (`loanOf`). Only events the view has applied count, so the
 * timeline is the one the view saw, not events still on their way through the runner.
 */
async function loanTimeline(
  db: ReadModelDb,
  loanId: string,
  readStream: ReadStream,
): Promise<PositionedEvent[]> {
  const applied = readCheckpoint(db, caseFileView.name)?.position ?? 0;
  const streams = db
    .all<{ stream: string }>(
      'SELECT stream FROM rm_cases_loan_streams WHERE loan_id = ? ORDER BY stream',
      loanId,
    )
    .map((s) => s.stream);
  const perStream = await Promise.all(streams.map((s) => readStream(s)));
  return perStream
    .flat()
    .filter((e) => e.position < applied && loanOf(db, e) === loanId)
    .sort((a, b) => a.position - b.position);
}
