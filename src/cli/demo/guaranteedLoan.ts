import { buildSchedule } from '../../domain/money.ts';
import { contractSha256, renderLoanContract } from '../../evidence/pdf/contract.ts';
import type { DemoContext } from './context.ts';
import { draftAndSign } from './contract.ts';
import { originate } from './origination.ts';
import { ENTERPRISES, ORG, RISK_PARTIES } from './parties.ts';
import type { DemoState } from './state.ts';
import { Instalments, lastOf, readTimeline } from './timeline.ts';

export const GUARANTEED_DISBURSED_ON = '2026-01-10';
const PRINCIPAL_FEN = 200_000_000;
const RATE_BPS = 420;
const TERM_MONTHS = 12;

const ROLE_OF_KIND = {
  national_fund: 'government_fund',
  provincial_finance: 'government_fund',
  provincial_reguarantee: 'reguarantor',
  guarantor: 'guarantor',
  bank: 'bank',
  local_government: 'government_fund',
} as const;

const NAMES: Record<string, string> = {
  [ORG.bank]: '湘江示范银行长沙分行',
  [ORG.guarantor]: '湘潭市融资担保有限公司',
  [ORG.reguarantee]: '湖南省融资再担保有限公司',
  [ORG.nationalFund]: '国家融资担保基金',
  [ORG.provincialFinance]: '湖南省财政厅',
  [ORG.cityFund]: '长沙市融资担保风险补偿资金',
};

/** The 借款合同 PDF of the guaranteed loan, from the approved terms (the same bytes for the same terms). */
export async function contractPdf(loanId: string): Promise<Uint8Array> {
  const e = ENTERPRISES[1];
  const schedule = buildSchedule({
    principalFen: PRINCIPAL_FEN,
    annualRateBps: RATE_BPS,
    termMonths: TERM_MONTHS,
    type: 'equal_instalment',
    startDate: GUARANTEED_DISBURSED_ON,
  });
  return renderLoanContract({
    contractNo: `XJ-DB-${loanId.slice(-20)}`,
    loanId,
    draftedAt: '2026-01-08T02:00:00.000Z',
    platform: '湖南省融资信用服务平台',
    signingPlace: '长沙',
    // Illustrative USCCs for the financial institutions (the demo orgs sign in under short codes).
    lender: { name: NAMES[ORG.bank]!, uscc: '91430100MA4LXJ0001' },
    borrower: { name: e.name, uscc: e.uscc, legalRepresentative: e.legalRepresentative.name },
    guarantor: { name: NAMES[ORG.guarantor]!, uscc: '91430300MA4LDB0001' },
    principalFen: PRINCIPAL_FEN,
    annualRateBps: RATE_BPS,
    termMonths: TERM_MONTHS,
    startDate: GUARANTEED_DISBURSED_ON,
    endDate: schedule.at(-1)!.dueDate,
    purpose: '春茶收购及加工流动资金',
    repaymentMethod: 'equal_instalment',
    schedule: schedule.map((i) => ({
      dueDate: i.dueDate,
      principalFen: i.principalFen,
      interestFen: i.interestFen,
    })),
    guarantee: { coverageBps: 8000, feeRateBps: 100 },
    riskShares: RISK_PARTIES.map((p) => ({
      name: NAMES[p.org]!,
      role: ROLE_OF_KIND[p.kind],
      bps: p.shareBps,
    })),
    riskProgramme: '湖南省“4321”政银担风险分担（湘政办发〔2019〕64号）',
    arbitration: { institution: '长沙仲裁委员会' },
    notarization: { notaryOffice: '湖南省长沙市长沙公证处' },
  });
}

/**
 * Enterprise 2: a guaranteed loan under Hunan 4321. The guarantor issues the guarantee (with the
 * risk-sharing agreement) and the three parties sign the contract.
 */
export async function guaranteedLoanContract(ctx: DemoContext, state: DemoState): Promise<void> {
  const e = ENTERPRISES[1];
  const product = state.guaranteedProduct!;
  const loanId = await originate(ctx, {
    name: 'loan-guaranteed',
    enterprise: e,
    amountFen: PRINCIPAL_FEN,
    termMonths: TERM_MONTHS,
    purpose: '春茶收购及加工流动资金',
    products: [state.creditProduct!, product],
    choose: product,
    rateBps: RATE_BPS,
  });
  state.guaranteedLoanId = loanId;

  await ctx.command(
    `${ORG.guarantor} issues the guarantee of ${loanId} (4321)`,
    ORG.guarantor,
    'POST /v1/loans/{loanId}/guarantee',
    `/v1/loans/${loanId}/guarantee`,
    {
      guaranteeId: ctx.id('guarantee'),
      lender: ORG.bank,
      borrowerUscc: e.uscc,
      principalFen: PRINCIPAL_FEN,
      // The bank bears its 20 % itself: the guarantor covers the other 80 % (4321).
      guaranteedShareBps: 8000,
      feeBps: 100,
      borrowerExistingGuaranteedFen: 0,
      programme: {
        programmeId: 'hunan-4321-2026',
        parties: RISK_PARTIES,
        lossRateCeilingBps: 400,
        singleCustomerCeilingFen: 1_000_000_000,
        currentLossRateBps: 0,
      },
    },
  );

  const pdf = await contractPdf(loanId);
  const hash = contractSha256(pdf);
  state.guaranteedContractSha256 = hash;
  await draftAndSign(
    ctx,
    loanId,
    hash,
    [
      { org: e.uscc, role: 'enterprise' },
      { org: ORG.bank, role: 'bank' },
      { org: ORG.guarantor, role: 'guarantor' },
    ],
    ORG.bank,
  );
}

/** Disbursed; one instalment paid, then the borrower stops paying: overdue, then default. */
export async function guaranteedLoanDefault(ctx: DemoContext, state: DemoState): Promise<void> {
  const loanId = state.guaranteedLoanId!;
  await ctx.command(
    `disburse ${loanId}`,
    ORG.bank,
    'POST /v1/loans/{loanId}/disbursements',
    `/v1/loans/${loanId}/disbursements`,
    { disbursedOn: GUARANTEED_DISBURSED_ON },
  );
  const schedule = Instalments.parse(
    lastOf(await readTimeline(ctx, ORG.bank, loanId), 'LoanDisbursed')?.schedule,
  );
  const first = schedule[0]!;
  await ctx.command(
    `repay instalment 1/${schedule.length} of ${loanId}`,
    ORG.bank,
    'POST /v1/loans/{loanId}/repayments',
    `/v1/loans/${loanId}/repayments`,
    { paymentId: `${loanId}-pay-1`, amountFen: first.totalFen, paidOn: first.dueDate },
  );
  // Instalment 2 (due 2026-03-10) is never paid.
  await ctx.command(
    `mark ${loanId} overdue`,
    ORG.bank,
    'POST /v1/loans/{loanId}/overdue',
    `/v1/loans/${loanId}/overdue`,
    { asOf: '2026-04-10' },
  );
  const asOf = '2026-06-15';
  await ctx.command(
    `declare ${loanId} in default`,
    ORG.bank,
    'POST /v1/loans/{loanId}/default',
    `/v1/loans/${loanId}/default`,
    { asOf, minDaysPastDue: 90 },
  );
  const d = lastOf(await readTimeline(ctx, ORG.bank, loanId), 'LoanDefaulted') as
    { lossFen: number; outstandingInterestFen: number; penaltyFen: number } | undefined;
  if (d)
    state.defaulted = {
      asOf,
      lossFen: d.lossFen,
      outstandingInterestFen: d.outstandingInterestFen,
      penaltyFen: d.penaltyFen,
    };
}
