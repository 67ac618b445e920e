import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/events/envelope.ts';
import { aggregateForCommand, type DomainEvent } from '../../src/domain/index.ts';
import { hunan4321Parties } from '../../src/domain/guarantee/config.ts';
import {
  BANK,
  CONTRACT_HASH,
  GUARANTOR,
  keypair,
  legalRep,
  OPERATOR,
  ORGS,
  product,
  USCC,
} from './fixtures.ts';

/**
 * One financing from registration to the arbitration award, through every aggregate, the way the API
 * runs it: parse the command data with the registry's schema, fold the stream, decide, check each new
 * event against the catalogue, append.
 */
const streams = new Map<string, DomainEvent[]>();
const exec = (
  stream: string,
  type: string,
  data: unknown,
  actor: [Role, string],
  now = '2026-03-01T08:00:00.000Z',
) => {
  const aggregate = aggregateForCommand(type);
  if (!aggregate) throw new Error(`no aggregate handles ${type}`);
  expect(stream.startsWith(`${aggregate.streamPrefix}-`)).toBe(true);
  const parsed = aggregate.commandSchemas[type]?.parse(data);
  const history = streams.get(stream) ?? [];
  const state = history.reduce((s, e) => aggregate.decider.evolve(s, e), aggregate.decider.initialState());
  const events: DomainEvent[] = aggregate.decider.decide(
    { type, data: parsed, metadata: { actor: { role: actor[0], org: actor[1] }, now } },
    state,
  );
  for (const e of events) aggregate.eventSchemas[e.type]?.schema.parse(e.data);
  streams.set(stream, [...history, ...events]);
  return events;
};
const types = (events: DomainEvent[]) => events.map((e) => e.type);

describe('happy path: registration → loan → default → 4321 → notarization → arbitration award', () => {
  it('runs end to end', () => {
    const ent = `enterprise-${USCC}`;
    exec(
      ent,
      'RegisterEnterprise',
      {
        uscc: USCC,
        name: '长沙示例科技有限公司',
        regionCode: '430102',
        industry: 'C3911',
        sizeClass: 'small',
        legalRepresentative: legalRep,
      },
      ['enterprise', USCC],
    );

    const credit = `credit-${USCC}`;
    exec(
      credit,
      'SubmitCreditInfo',
      {
        uscc: USCC,
        recordId: 'tax-2026',
        source: { kind: 'data_source', org: 'hn-tax' },
        asOf: '2026-02-01',
        record: {
          category: 'tax',
          taxArrears: false,
          monthsContinuousNormal: 60,
          annualTaxPaidFen: 12_000_000,
        },
      },
      ['system', 'hn-tax'],
    );
    exec(
      credit,
      'SubmitCreditInfo',
      {
        uscc: USCC,
        recordId: 'env-2026',
        source: { kind: 'data_source', org: 'hn-env' },
        asOf: '2026-02-01',
        record: { category: 'environment_rating', rating: 'green' },
      },
      ['system', 'hn-env'],
    );
    const evaluation = exec(
      credit,
      'EvaluateCredit',
      {
        evaluationId: 'ev-1',
        modelId: 'hn-basic',
        modelVersion: '1',
        gradeScale: [
          { grade: 'AAA', minScore: 850 },
          { grade: 'AA', minScore: 750 },
          { grade: 'A', minScore: 650 },
          { grade: 'B', minScore: 500 },
          { grade: 'C', minScore: 0 },
        ],
        whiteList: {
          minGrade: 'AA',
          requireNoTaxArrears: true,
          minMonthsNormalTax: 24,
          requireNoUtilityArrears: true,
          maxAdministrativePenalties: 0,
        },
      },
      ['system', OPERATOR],
    );
    expect(evaluation[1]?.data).toMatchObject({ listed: true });

    exec(
      'authorization-g1',
      'GrantAuthorization',
      {
        grantId: 'g1',
        enterpriseUscc: USCC,
        grantee: BANK,
        categories: ['tax', 'environment_rating'],
        purpose: 'financing_support',
        expiresAt: '2027-03-01T00:00:00.000Z',
      },
      ['enterprise', USCC],
    );
    exec(
      'authorization-g1',
      'RecordCreditDataAccess',
      { accessId: 'acc-1', category: 'tax', purpose: 'financing_support' },
      ['bank', BANK],
    );

    const { productId, bank: _b, ...terms } = product;
    exec(`product-${productId}`, 'PublishProduct', { productId, ...terms }, ['bank', BANK]);

    const loan = 'loan-L1';
    exec(
      loan,
      'ApplyForLoan',
      { loanId: 'L1', borrowerUscc: USCC, amountFen: 100_000_000, termMonths: 12, purpose: '流动资金' },
      ['enterprise', USCC],
    );
    exec(
      loan,
      'MatchProducts',
      {
        profile: {
          industry: 'C3911',
          regionCode: '430102',
          grade: 'AA',
          whiteListed: true,
          gradeScale: ['AAA', 'AA', 'A', 'B', 'C'],
        },
        products: [product],
      },
      ['system', OPERATOR],
    );
    exec(loan, 'ChooseProduct', { productId }, ['enterprise', USCC]);
    exec(
      loan,
      'ApproveLoan',
      { amountFen: 100_000_000, rateBps: 365, termMonths: 12, scheduleType: 'equal_instalment' },
      ['bank', BANK],
    );

    exec(
      'guarantee-G1',
      'IssueGuarantee',
      {
        guaranteeId: 'G1',
        loanId: 'L1',
        lender: BANK,
        borrowerUscc: USCC,
        principalFen: 100_000_000,
        guaranteedShareBps: 8000,
        feeBps: 100,
        borrowerExistingGuaranteedFen: 0,
        programme: {
          programmeId: 'hn-4321',
          parties: hunan4321Parties(ORGS),
          lossRateCeilingBps: 400,
          singleCustomerCeilingFen: 1_000_000_000,
          currentLossRateBps: 100,
        },
      },
      ['guarantor', GUARANTOR],
    );

    const [kb, kl, kg] = [keypair(), keypair(), keypair()];
    exec(
      loan,
      'DraftContract',
      { documentSha256: CONTRACT_HASH, additionalSigners: [{ org: GUARANTOR, role: 'guarantor' }] },
      ['bank', BANK],
    );
    exec(loan, 'SignContract', { signature: kb.sign(CONTRACT_HASH), publicKey: kb.publicKey }, [
      'enterprise',
      USCC,
    ]);
    exec(loan, 'SignContract', { signature: kl.sign(CONTRACT_HASH), publicKey: kl.publicKey }, [
      'bank',
      BANK,
    ]);
    expect(
      types(
        exec(loan, 'SignContract', { signature: kg.sign(CONTRACT_HASH), publicKey: kg.publicKey }, [
          'guarantor',
          GUARANTOR,
        ]),
      ),
    ).toEqual(['ContractSigned', 'ContractExecuted']);

    const notary = 'notarization-N1';
    exec(
      notary,
      'ApplyForNotarization',
      {
        notarizationId: 'N1',
        loanId: 'L1',
        contractSha256: CONTRACT_HASH,
        debtorUscc: USCC,
        notary: 'cs-notary',
      },
      ['bank', BANK],
    );
    exec(
      notary,
      'VerifyIdentity',
      { party: 'creditor', method: 'digital_certificate', consequencesExplained: true },
      ['notary', 'cs-notary'],
    );
    exec(
      notary,
      'VerifyIdentity',
      { party: 'debtor', method: 'face_recognition', consequencesExplained: true },
      ['notary', 'cs-notary'],
    );
    exec(notary, 'Notarize', { certificateNumber: 'N-2026-1' }, ['notary', 'cs-notary']);

    const disbursed = exec(loan, 'DisburseLoan', { disbursedOn: '2026-03-02' }, ['bank', BANK]);
    const first = (disbursed[0]?.data as { schedule: { totalFen: number }[] }).schedule[0]
      ?.totalFen as number;
    exec(loan, 'RecordRepayment', { paymentId: 'pay-1', amountFen: first, paidOn: '2026-04-02' }, [
      'bank',
      BANK,
    ]);
    exec(
      'policy-L1',
      'ClaimPolicyBenefit',
      {
        claimId: 'C1',
        loanId: 'L1',
        policyId: 'subsidy',
        kind: 'interest_subsidy',
        amountFen: 100_000,
        eligiblePolicyIds: ['subsidy', 'fee-subsidy'],
      },
      ['enterprise', USCC],
    );
    exec('policy-L1', 'ApprovePolicyClaim', { claimId: 'C1', approvedAmountFen: 100_000 }, [
      'government_fund',
      'hn-fund',
    ]);

    const overdue = exec(loan, 'MarkOverdue', { asOf: '2026-06-01' }, ['system', OPERATOR]);
    exec(
      `risk-${USCC}`,
      'RaiseWarning',
      {
        warningId: 'W1',
        uscc: USCC,
        signal: {
          kind: 'overdue',
          value: (overdue[0]?.data as { daysPastDue: number }).daysPastDue,
          sourceRef: 'loan-L1',
        },
      },
      ['system', OPERATOR],
    );
    const defaulted = exec(loan, 'DeclareDefault', { asOf: '2026-08-10', minDaysPastDue: 90 }, [
      'bank',
      BANK,
    ]);
    const loss = (defaulted[0]?.data as { lossFen: number }).lossFen;

    const comp = exec('guarantee-G1', 'CompensateBank', { lossFen: loss, paidOn: '2026-08-20' }, [
      'guarantor',
      GUARANTOR,
    ]);
    const shares = (comp[0]?.data as { shares: { amountFen: number }[] }).shares;
    expect(shares.reduce((s, x) => s + x.amountFen, 0)).toBe(loss);
    for (const due of comp.slice(1)) {
      const d = due.data as { org: string; amountFen: number };
      exec('guarantee-G1', 'RecordReimbursement', { amountFen: d.amountFen, paidOn: '2026-09-01' }, [
        'government_fund',
        d.org,
      ]);
    }

    exec(notary, 'RecordDebtorVerification', { contactedOn: '2026-08-15', outcome: 'default_confirmed' }, [
      'notary',
      'cs-notary',
    ]);
    const cert = exec(
      notary,
      'IssueEnforcementCertificate',
      {
        certificateNumber: 'E-1',
        principalFen: 100_000_000,
        interestFen: 0,
        penaltyFen: 0,
        paidFen: first,
        timeLimitDays: 730,
      },
      ['notary', 'cs-notary'],
    );
    expect(cert[0]?.data).toMatchObject({ amountFen: 100_000_000 - first });

    const dispute = 'dispute-D1';
    exec(
      dispute,
      'FileDispute',
      {
        disputeId: 'D1',
        loanId: 'L1',
        respondent: { org: USCC, role: 'enterprise' },
        forum: 'arbitration',
        body: 'cs-arb',
        claimAmountFen: loss,
        claims: '偿还借款本息',
      },
      ['guarantor', GUARANTOR],
    );
    exec(dispute, 'AcceptDispute', { caseNumber: '(2026)长仲网字第1号' }, ['arbitrator', 'cs-arb']);
    exec(dispute, 'AssignTribunal', { memberIds: ['arb-1'] }, ['arbitrator', 'cs-arb']);
    exec(
      dispute,
      'SubmitEvidence',
      {
        evidenceId: 'E1',
        bundleSha256: 'ab'.repeat(32),
        documentSha256s: [CONTRACT_HASH],
        description: 'loan evidence bundle',
      },
      ['guarantor', GUARANTOR],
    );
    exec(dispute, 'HoldHearing', { heldOn: '2026-10-10', mode: 'written' }, ['arbitrator', 'cs-arb']);
    const award = exec(
      dispute,
      'IssueAward',
      {
        awardId: 'A1',
        payments: [{ payer: USCC, payee: GUARANTOR, amountFen: loss, item: '代偿款' }],
        obligations: [],
      },
      ['arbitrator', 'cs-arb'],
    );
    expect(types(award)).toEqual(['AwardIssued']);

    // Nothing anywhere holds the legal representative in clear: only vault refs and commitments.
    const all = JSON.stringify([...streams.values()]);
    expect(all).toContain('pii:id-1');
    expect([...streams.keys()].sort()).toEqual(
      [
        'authorization-g1',
        `credit-${USCC}`,
        'dispute-D1',
        `enterprise-${USCC}`,
        'guarantee-G1',
        'loan-L1',
        'notarization-N1',
        'policy-L1',
        `product-${productId}`,
        `risk-${USCC}`,
      ].sort(),
    );
  });
});
