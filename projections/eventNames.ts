/**
 * Domain event types the views react to that are not yet typed in domainEvents.ts (their aggregates'
 * events.ts had not landed when the views were written): each meaning lists the names the domain may
 * use. The view tests append the real names, so a rename fails them until this table follows.
 */
export const eventTypes = {
  guaranteeIssued: ['GuaranteeIssued'],
  riskSharingAgreed: ['RiskSharingAgreed', 'RiskSharingAgreementMade'],
  programmeSuspended: ['ProgrammeSuspended', 'RiskSharingSuspended'],
  compensationPaid: ['CompensationPaid', 'GuarantorCompensated'],
  reimbursementDue: ['ReimbursementDue', 'ShareReimbursementDue'],
  reimbursementPaid: ['ReimbursementPaid', 'ShareReimbursed'],
  recoveryShared: ['RecoveryShared', 'RecoveryDistributed'],
  policySupportApproved: ['PolicySupportApproved', 'PolicySupportPaid'],
  disputeFiled: ['DisputeFiled'],
  disputeAccepted: ['DisputeAccepted'],
  tribunalAssigned: ['TribunalAssigned', 'JudgeAssigned'],
  evidenceSubmitted: ['EvidenceSubmitted'],
  hearingHeld: ['HearingHeld'],
  awardIssued: ['AwardIssued', 'AwardMade', 'JudgmentIssued'],
  enforcementRequested: ['EnforcementRequested'],
  disputeClosed: ['DisputeClosed', 'DisputeSettled', 'DisputeWithdrawn'],
  riskWarningRaised: ['RiskWarningRaised'],
  riskWarningCleared: ['RiskWarningCleared', 'RiskWarningResolved'],
} as const;

export type EventKind = keyof typeof eventTypes;

const byType = new Map<string, EventKind>();
for (const [kind, types] of Object.entries(eventTypes) as [EventKind, readonly string[]][]) {
  for (const t of types) byType.set(t, kind);
}

/** What an event type means to the views, or undefined when no view cares. */
export const kindOf = (type: string): EventKind | undefined => byType.get(type);

/** The set of event types behind some kinds, plus typed domain event names (a view's `handles`). */
export const typesOf = (kinds: EventKind[], typed: string[] = []): ReadonlySet<string> =>
  new Set([...kinds.flatMap((k) => eventTypes[k]), ...typed]);
