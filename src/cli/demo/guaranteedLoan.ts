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

/**
 * Enterprise 2: a guaranteed loan under Hunan 4321. The guarantor issues the guarantee (with the
 * risk-sharing agreement), the ledger drafts the contract PDF and the three parties sign it.
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

  await issueGuarantee(ctx, loanId, e.uscc, PRINCIPAL_FEN);

  // The ledger drafts the contract from the approved terms and the guarantee; the three parties sign.
  state.guaranteedContractSha256 = await draftAndSign(
    ctx,
    loanId,
    {
      startDate: GUARANTEED_DISBURSED_ON,
      signingPlace: '长沙',
      riskProgramme: '湖南省“4321”政银担风险分担（湘政办发〔2019〕64号）',
    },
    [
      { org: e.uscc, role: 'enterprise' },
      { org: ORG.bank, role: 'bank' },
      { org: ORG.guarantor, role: 'guarantor' },
    ],
    ORG.bank,
  );
}

/** The body of the demo's guarantee: 80 % of the loan under Hunan 4321 (the bank keeps its 20 %). */
export const guaranteeRequest = (guaranteeId: string, borrowerUscc: string, principalFen: number) => ({
  guaranteeId,
  lender: ORG.bank,
  borrowerUscc,
  principalFen,
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
});

/** The guarantor guarantees 80 % of the loan under Hunan 4321 (the bank keeps its 20 %). */
export async function issueGuarantee(
  ctx: DemoContext,
  loanId: string,
  borrowerUscc: string,
  principalFen: number,
): Promise<void> {
  await ctx.command(
    `${ORG.guarantor} issues the guarantee of ${loanId} (4321)`,
    ORG.guarantor,
    'POST /v1/loans/{loanId}/guarantee',
    `/v1/loans/${loanId}/guarantee`,
    guaranteeRequest(ctx.id(`guarantee-${loanId.slice(-24)}`), borrowerUscc, principalFen),
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
