import { newEventId } from '../../src/events/ids.ts';
import type { EventToAppend, Json, Role } from '../../src/events/envelope.ts';
import type { EventStore } from '../../src/store/eventStore.ts';
import { completeUscc } from '../../src/domain/identifiers.ts';
import type { PartyKind } from '../../src/domain/guarantee/config.ts';
import type { SignalKind } from '../../src/domain/riskMonitoring/rules.ts';

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
const GUARANTOR = (g: string) => ({ org: g, role: 'guarantor' as Role });

/** A party to a risk-sharing agreement, as the guarantee events carry it. */
export interface RiskParty {
  org: string;
  kind: PartyKind;
  shareBps: number;
}

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
  // Guarantee: stream `guarantee-<guaranteeId>`; only GuaranteeIssued names the loan.
  guaranteeIssued: (
    guaranteeId: string,
    loanId: string,
    guarantor: string,
    lender: string,
    borrowerUscc: string,
    principalFen: number,
    guaranteedShareBps: number,
    guaranteedAmountFen: number,
    at: string,
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'GuaranteeIssued',
      {
        guaranteeId,
        loanId,
        guarantor,
        lender,
        borrowerUscc,
        principalFen,
        guaranteedShareBps,
        guaranteedAmountFen,
        feeBps: 100,
        feeFen: Math.floor(guaranteedAmountFen / 100),
        feeCeilingBps: 100,
        issuedAt: at,
      },
      GUARANTOR(guarantor),
      at,
    ),
  riskSharingAgreed: (
    guaranteeId: string,
    guarantor: string,
    programmeId: string,
    parties: RiskParty[],
    lossRateCeilingBps: number,
    at: string,
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'RiskSharingAgreed',
      {
        programmeId,
        parties: parties.map((p) => ({ ...p })),
        lossRateCeilingBps,
        singleCustomerCeilingFen: 1_000_000_000,
      },
      GUARANTOR(guarantor),
      at,
    ),
  /** The loss's split per party is given by the caller (worked out by hand in the scenario). */
  guaranteeCompensated: (
    guaranteeId: string,
    guarantor: string,
    lossFen: number,
    compensatedFen: number,
    paidOn: string,
    shares: (RiskParty & { amountFen: number })[],
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'GuaranteeCompensated',
      { lossFen, compensatedFen, paidOn, shares: shares.map((p) => ({ ...p })) },
      GUARANTOR(guarantor),
      `${paidOn}T06:00:00.000Z`,
    ),
  reimbursementDue: (
    guaranteeId: string,
    guarantor: string,
    org: string,
    kind: PartyKind,
    amountFen: number,
    paidOn: string,
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'ReimbursementDue',
      { org, kind, amountFen },
      GUARANTOR(guarantor),
      `${paidOn}T06:00:00.000Z`,
    ),
  reimbursementPaid: (
    guaranteeId: string,
    org: string,
    amountFen: number,
    remainingFen: number,
    paidOn: string,
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'ReimbursementPaid',
      { org, amountFen, paidOn, remainingFen },
      { org, role: 'government_fund' },
      `${paidOn}T07:00:00.000Z`,
    ),
  recoveryShared: (
    guaranteeId: string,
    guarantor: string,
    recoveryId: string,
    amountFen: number,
    recoveredOn: string,
    allocations: { org: string; amountFen: number }[],
  ) =>
    stage(
      `guarantee-${guaranteeId}`,
      'RecoveryShared',
      { recoveryId, amountFen, recoveredOn, allocations: allocations.map((a) => ({ ...a })) },
      GUARANTOR(guarantor),
      `${recoveredOn}T08:00:00.000Z`,
    ),
  // Policy: stream `policy-<loanId>`.
  policyBenefitClaimed: (
    claimId: string,
    loanId: string,
    kind: 'risk_compensation' | 'interest_subsidy' | 'guarantee_fee_subsidy',
    amountFen: number,
    claimant: string,
    at: string,
  ) =>
    stage(
      `policy-${loanId}`,
      'PolicyBenefitClaimed',
      {
        claimId,
        loanId,
        policyId: `policy-${kind}`,
        kind,
        amountFen,
        claimant,
        eligiblePolicyIds: [`policy-${kind}`],
        claimedAt: at,
      },
      BANK(claimant),
      at,
    ),
  policyClaimApproved: (loanId: string, claimId: string, approvedAmountFen: number, at: string) =>
    stage(
      `policy-${loanId}`,
      'PolicyClaimApproved',
      { claimId, approvedAmountFen, approvedAt: at },
      { org: 'gov-fund', role: 'government_fund' },
      at,
    ),
  // Dispute: stream `dispute-<disputeId>`.
  disputeFiled: (
    disputeId: string,
    loanId: string,
    claimant: string,
    respondent: string,
    claimAmountFen: number,
    body: string,
    at: string,
  ) =>
    stage(
      `dispute-${disputeId}`,
      'DisputeFiled',
      {
        disputeId,
        loanId,
        claimant: { org: claimant, role: 'bank' },
        respondent: { org: respondent, role: 'enterprise' },
        forum: 'arbitration',
        body,
        claimAmountFen,
        claims: '偿还借款本息',
        filedAt: at,
      },
      BANK(claimant),
      at,
    ),
  disputeAccepted: (disputeId: string, body: string, at: string) =>
    stage(
      `dispute-${disputeId}`,
      'DisputeAccepted',
      { caseNumber: `(2026)湘仲字第${disputeId}号`, acceptedAt: at },
      { org: body, role: 'arbitrator' },
      at,
    ),
  tribunalAssigned: (disputeId: string, body: string, memberIds: string[], at: string) =>
    stage(
      `dispute-${disputeId}`,
      'TribunalAssigned',
      { memberIds, assignedAt: at },
      { org: body, role: 'arbitrator' },
      at,
    ),
  evidenceSubmitted: (disputeId: string, by: string, evidenceId: string, at: string) =>
    stage(
      `dispute-${disputeId}`,
      'EvidenceSubmitted',
      {
        evidenceId,
        submittedBy: { org: by, role: 'bank' },
        bundleSha256: fakeHash(evidenceId),
        documentSha256s: [fakeHash(`${evidenceId}/contract`)],
        description: 'loan contract and repayment records',
        submittedAt: at,
      },
      BANK(by),
      at,
    ),
  awardIssued: (
    disputeId: string,
    body: string,
    awardId: string,
    payments: { payer: string; payee: string; amountFen: number; item: string }[],
    at: string,
  ) =>
    stage(
      `dispute-${disputeId}`,
      'AwardIssued',
      { awardId, payments: payments.map((p) => ({ ...p })), obligations: [], issuedAt: at },
      { org: body, role: 'arbitrator' },
      at,
    ),
  // Risk monitoring: stream `risk-<uscc>`.
  warningRaised: (
    warningId: string,
    u: string,
    level: 'blue' | 'yellow' | 'orange' | 'red',
    rule: string,
    signal: { kind: SignalKind; value: number; sourceRef: string },
    at: string,
  ) =>
    stage(
      `risk-${u}`,
      'WarningRaised',
      { warningId, uscc: u, rule, level, signal: { ...signal }, raisedAt: at },
      { org: 'platform', role: 'system' },
      at,
    ),
  warningResolved: (warningId: string, u: string, at: string) =>
    stage(
      `risk-${u}`,
      'WarningResolved',
      { warningId, note: 'arrears paid', resolvedAt: at },
      { org: 'platform', role: 'operator' },
      at,
    ),
};

/** `day` at `time` UTC, as the fixtures' event times: at('2026-01-02') is 2026-01-02T08:00:00.000Z. */
export const at = (day: string, time = '08:00'): string => `${day}T${time}:00.000Z`;

/**
 * A loan applied for at 08:00 on `applied`, matched at 09:00 to one product (eligible or not) and that
 * product chosen at 10:00: the start every fixture loan shares.
 */
export const loanToChosenProduct = (
  id: string,
  borrower: string,
  amount: number,
  product: string,
  bank: string,
  applied: string,
  eligible = true,
): Staged[] => [
  ev.loanApplied(id, borrower, amount, at(applied)),
  ev.loanMatched(id, [{ productId: product, bank, eligible }], at(applied, '09:00')),
  ev.productChosen(id, borrower, product, bank, at(applied, '10:00')),
];

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
