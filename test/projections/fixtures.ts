import { newEventId } from '../../src/events/ids.ts';
import type { EventToAppend, Json, Role } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/store/eventStore.ts';
import { completeUscc } from '../../src/domain/identifiers.ts';

/**
 * Builders for the events the views read, shaped as src/domain/<aggregate>/events.ts declares them
 * (views.test.ts parses them with those schemas, so a builder cannot drift from the domain unnoticed).
 */
export interface Staged {
  stream: string;
  event: EventToAppend;
}

const HEX = '0123456789abcdef';
const fakeHash = (seed: string): string => {
  let h = 2166136261;
  let out = '';
  for (let i = 0; out.length < 64; i++) {
    h = Math.imul(h ^ seed.charCodeAt(i % Math.max(1, seed.length)) ^ i, 16777619) >>> 0;
    out += HEX[h & 15]!;
  }
  return out;
};

export const uscc = (n: number): string => completeUscc(`91430100${String(n).padStart(8, '0')}`);

export function stage(
  stream: string,
  type: string,
  data: Record<string, Json>,
  actor: { org: string; role: Role },
  at: string,
  id: string = newEventId(),
): Staged {
  return {
    stream,
    event: {
      id,
      type,
      schemaVersion: 1,
      data,
      meta: { actor, recordedAt: at, correlationId: `c-${stream}`, causationId: `c-${stream}` },
    },
  };
}

const ENT = (u: string) => ({ org: u, role: 'enterprise' as Role });
const BANK = (b: string) => ({ org: b, role: 'bank' as Role });
const OP = { org: 'platform', role: 'operator' as Role };

export const ev = {
  enterpriseRegistered: (u: string, regionCode: string, industry: string, sizeClass: string, at: string) =>
    stage(
      `enterprise-${u}`,
      'EnterpriseRegistered',
      {
        uscc: u,
        name: `企业${u.slice(8, 16)}`,
        regionCode,
        industry,
        sizeClass,
        legalRepresentative: {
          name: { vaultRef: `v:${u}:n`, commitment: fakeHash(`${u}n`) },
          idNumber: { vaultRef: `v:${u}:i`, commitment: fakeHash(`${u}i`) },
          subjectId: `s-${u}`,
        },
        registeredAt: at,
      },
      OP,
      at,
    ),
  authorizationGranted: (grantId: string, u: string, grantee: string, at: string, expiresAt: string) =>
    stage(
      `authorization-${grantId}`,
      'AuthorizationGranted',
      {
        grantId,
        enterpriseUscc: u,
        grantee,
        categories: ['tax', 'utilities'],
        purpose: 'financing_support',
        grantedAt: at,
        expiresAt,
      },
      ENT(u),
      at,
    ),
  authorizationRevoked: (grantId: string, u: string, at: string) =>
    stage(
      `authorization-${grantId}`,
      'AuthorizationRevoked',
      { grantId, reason: 'no longer needed', revokedAt: at },
      ENT(u),
      at,
    ),
  creditEvaluated: (u: string, grade: string, score: number, at: string) =>
    stage(
      `enterprise-${u}`,
      'CreditEvaluated',
      {
        uscc: u,
        evaluationId: `ev-${u}`,
        modelId: 'gbt45255',
        modelVersion: '1',
        inputRecordIds: [],
        score,
        grade,
        gradeScale: [
          { grade: 'A', minScore: 700 },
          { grade: 'B', minScore: 500 },
          { grade: 'C', minScore: 0 },
        ],
      },
      OP,
      at,
    ),
  whiteListDecided: (u: string, listed: boolean, reasons: string[], at: string) =>
    stage(
      `enterprise-${u}`,
      'WhiteListDecided',
      { uscc: u, evaluationId: `ev-${u}`, listed, reasons },
      OP,
      at,
    ),
  productPublished: (
    productId: string,
    bank: string,
    kind: 'pure_credit' | 'guaranteed' | 'pledge',
    at: string,
  ) =>
    stage(
      `product-${productId}`,
      'ProductPublished',
      {
        productId,
        bank,
        name: `产品${productId}`,
        kind,
        pledgeType: kind === 'pledge' ? 'receivables' : null,
        amountMinFen: 1_000_000,
        amountMaxFen: 500_000_000,
        termMinMonths: 3,
        termMaxMonths: 36,
        rateMinBps: 350,
        rateMaxBps: 800,
        targetIndustries: [],
        targetRegions: ['43'],
        eligibility: { whiteListOnly: false, minGrade: null },
        publishedAt: at,
      },
      BANK(bank),
      at,
    ),
  productWithdrawn: (productId: string, bank: string, at: string) =>
    stage(
      `product-${productId}`,
      'ProductWithdrawn',
      { productId, reason: 'replaced', withdrawnAt: at },
      BANK(bank),
      at,
    ),
  loanApplied: (loanId: string, u: string, amountFen: number, at: string) =>
    stage(
      `loan-${loanId}`,
      'LoanApplied',
      { loanId, borrowerUscc: u, amountFen, termMonths: 12, purpose: '流动资金', appliedAt: at },
      ENT(u),
      at,
    ),
  loanMatched: (
    loanId: string,
    candidates: { productId: string; bank: string; eligible: boolean }[],
    at: string,
  ) =>
    stage(
      `loan-${loanId}`,
      'LoanMatched',
      {
        candidates: candidates.map((c, i) => ({
          rank: i + 1,
          productId: c.productId,
          bank: c.bank,
          eligible: c.eligible,
          reasons: [{ criterion: 'amount', ok: c.eligible, detail: 'within range' }],
          amountMinFen: 1_000_000,
          amountMaxFen: 500_000_000,
          termMinMonths: 3,
          termMaxMonths: 36,
          rateMinBps: 350,
          rateMaxBps: 800,
        })),
        matchedAt: at,
      },
      OP,
      at,
    ),
  productChosen: (loanId: string, u: string, productId: string, bank: string, at: string) =>
    stage(`loan-${loanId}`, 'ProductChosen', { productId, bank }, ENT(u), at),
  loanApproved: (loanId: string, bank: string, amountFen: number, at: string) =>
    stage(
      `loan-${loanId}`,
      'LoanApproved',
      { amountFen, rateBps: 435, termMonths: 12, scheduleType: 'equal_principal', approvedAt: at },
      BANK(bank),
      at,
    ),
  loanRejected: (loanId: string, bank: string, at: string) =>
    stage(
      `loan-${loanId}`,
      'LoanRejected',
      { reason: 'insufficient cash flow', rejectedAt: at },
      BANK(bank),
      at,
    ),
  contractExecuted: (loanId: string, at: string) =>
    stage(`loan-${loanId}`, 'ContractExecuted', { documentSha256: fakeHash(loanId), executedAt: at }, OP, at),
  loanDisbursed: (loanId: string, bank: string, amountFen: number, on: string) =>
    stage(
      `loan-${loanId}`,
      'LoanDisbursed',
      { amountFen, disbursedOn: on, rateBps: 435, scheduleType: 'equal_principal', schedule: [] },
      BANK(bank),
      `${on}T09:00:00.000Z`,
    ),
  repaymentReceived: (
    loanId: string,
    bank: string,
    paymentId: string,
    principalFen: number,
    interestFen: number,
    on: string,
  ) =>
    stage(
      `loan-${loanId}`,
      'RepaymentReceived',
      {
        paymentId,
        amountFen: principalFen + interestFen,
        paidOn: on,
        penaltyFen: 0,
        interestFen,
        principalFen,
        allocations: [{ instalment: 1, interestFen, principalFen }],
      },
      BANK(bank),
      `${on}T10:00:00.000Z`,
    ),
  loanOverdue: (
    loanId: string,
    bank: string,
    daysPastDue: number,
    overduePrincipalFen: number,
    asOf: string,
  ) =>
    stage(
      `loan-${loanId}`,
      'LoanOverdue',
      { asOf, daysPastDue, overdueInstalments: [1], overduePrincipalFen, overdueInterestFen: 0 },
      BANK(bank),
      `${asOf}T01:00:00.000Z`,
    ),
  loanDefaulted: (loanId: string, bank: string, outstandingPrincipalFen: number, asOf: string) =>
    stage(
      `loan-${loanId}`,
      'LoanDefaulted',
      {
        asOf,
        daysPastDue: 95,
        outstandingPrincipalFen,
        outstandingInterestFen: 0,
        penaltyFen: 0,
        lossFen: outstandingPrincipalFen,
      },
      BANK(bank),
      `${asOf}T02:00:00.000Z`,
    ),
  loanWrittenOff: (loanId: string, bank: string, amountFen: number, on: string) =>
    stage(
      `loan-${loanId}`,
      'LoanWrittenOff',
      { amountFen, writtenOffOn: on, reason: 'uncollectable' },
      BANK(bank),
      `${on}T03:00:00.000Z`,
    ),
  loanRecoveryReceived: (
    loanId: string,
    org: string,
    paymentId: string,
    amountFen: number,
    total: number,
    on: string,
  ) =>
    stage(
      `loan-${loanId}`,
      'LoanRecoveryReceived',
      { paymentId, amountFen, paidOn: on, recoveredTotalFen: total },
      { org, role: 'bank' },
      `${on}T04:00:00.000Z`,
    ),
  loanClosed: (loanId: string, on: string, reason: 'repaid' | 'repaid_early' | 'recovered' = 'repaid') =>
    stage(`loan-${loanId}`, 'LoanClosed', { closedOn: on, reason }, OP, `${on}T05:00:00.000Z`),
  // Guarantee, policy, dispute and risk events: shapes as eventNames.ts expects until their schemas land.
  riskSharingAgreed: (
    programmeId: string,
    parties: { party: string; level: string; shareBps: number }[],
    lossRateCapBps: number,
    at: string,
  ) =>
    stage(
      `risksharing-${programmeId}`,
      'RiskSharingAgreed',
      { programmeId, parties, lossRateCapBps },
      OP,
      at,
    ),
  guaranteeIssued: (
    loanId: string,
    guarantor: string,
    programmeId: string,
    guaranteedShareBps: number,
    at: string,
  ) =>
    stage(
      `guarantee-${loanId}`,
      'GuaranteeIssued',
      { loanId, guarantor, programmeId, guaranteedShareBps, feeBps: 100 },
      { org: guarantor, role: 'guarantor' },
      at,
    ),
  compensationPaid: (loanId: string, guarantor: string, bank: string, amountFen: number, at: string) =>
    stage(
      `guarantee-${loanId}`,
      'CompensationPaid',
      { loanId, guarantor, bank, amountFen },
      { org: guarantor, role: 'guarantor' },
      at,
    ),
  reimbursementDue: (
    loanId: string,
    party: string,
    level: string,
    to: string,
    amountFen: number,
    dueDate: string,
    at: string,
  ) =>
    stage(
      `guarantee-${loanId}`,
      'ReimbursementDue',
      { loanId, party, level, to, amountFen, dueDate },
      OP,
      at,
    ),
  reimbursementPaid: (
    loanId: string,
    party: string,
    level: string,
    to: string,
    amountFen: number,
    at: string,
  ) =>
    stage(
      `guarantee-${loanId}`,
      'ReimbursementPaid',
      { loanId, party, level, to, amountFen },
      { org: party, role: 'reguarantor' },
      at,
    ),
  policySupportApproved: (loanId: string, policyKind: string, amountFen: number, at: string) =>
    stage(
      `policy-${loanId}`,
      'PolicySupportApproved',
      { loanId, policyKind, amountFen },
      { org: 'gov-fund', role: 'government_fund' },
      at,
    ),
  disputeFiled: (
    disputeId: string,
    loanId: string,
    claimant: string,
    respondent: string,
    claimAmount: number,
    body: string,
    at: string,
  ) =>
    stage(
      `dispute-${disputeId}`,
      'DisputeFiled',
      { disputeId, loanId, claimant, respondent, claimAmount, claim: '偿还借款本息', body },
      { org: claimant, role: 'bank' },
      at,
    ),
  disputeAccepted: (disputeId: string, body: string, at: string) =>
    stage(
      `dispute-${disputeId}`,
      'DisputeAccepted',
      { disputeId, body },
      { org: body, role: 'arbitrator' },
      at,
    ),
  evidenceSubmitted: (disputeId: string, by: string, reference: string, at: string) =>
    stage(
      `dispute-${disputeId}`,
      'EvidenceSubmitted',
      { disputeId, reference, sha256: fakeHash(reference) },
      { org: by, role: 'bank' },
      at,
    ),
  awardIssued: (disputeId: string, body: string, award: Record<string, Json>, at: string) =>
    stage(`dispute-${disputeId}`, 'AwardIssued', { disputeId, award }, { org: body, role: 'arbitrator' }, at),
  riskWarningRaised: (
    warningId: string,
    subject: { uscc?: string; loanId?: string },
    level: string,
    rule: string,
    at: string,
  ) =>
    stage(
      `risk-${warningId}`,
      'RiskWarningRaised',
      { warningId, ...subject, level, rule, reason: `rule ${rule} fired`, raisedAt: at },
      { org: 'platform', role: 'system' },
      at,
    ),
  riskWarningCleared: (warningId: string, at: string) =>
    stage(
      `risk-${warningId}`,
      'RiskWarningCleared',
      { warningId, clearedAt: at },
      { org: 'platform', role: 'system' },
      at,
    ),
};

/** Appends in order, one append per event (each waits for the one before, so positions follow the list). */
export async function appendAll(store: EventStore, staged: readonly Staged[]): Promise<void> {
  for (const s of staged) await store.appendToStream(s.stream, [s.event]);
}

/**
 * Appends many events fast: consecutive events of the same stream go in one append, and up to
 * `inFlight` appends are outstanding at once (the store group-commits them). Positions follow the list
 * order, because the SQLite store commits its queue in arrival order.
 */
export async function appendBulk(
  store: EventStore,
  staged: Iterable<Staged>,
  inFlight = 2000,
): Promise<number> {
  const pending = new Set<Promise<unknown>>();
  let run: Staged[] = [];
  let count = 0;
  const flush = async () => {
    if (run.length === 0) return;
    const batch = run;
    run = [];
    const p = store.appendToStream(
      batch[0]!.stream,
      batch.map((s) => s.event),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
    if (pending.size >= inFlight) await Promise.race(pending);
  };
  for (const s of staged) {
    if (run.length > 0 && run[0]!.stream !== s.stream) await flush();
    run.push(s);
    count++;
  }
  await flush();
  await Promise.all(pending);
  return count;
}
