import type { DemoContext } from './context.ts';
import { draftAndSign } from './contract.ts';
import { originate } from './origination.ts';
import { ENTERPRISES, ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { Instalments, lastOf, readTimeline } from './timeline.ts';

export const CREDIT_DISBURSED_ON = '2026-01-05';

/** Enterprise 1: a pure credit loan (纯信用贷款), disbursed, repaid in full instalment by instalment. */
export async function creditLoan(ctx: DemoContext, state: DemoState): Promise<void> {
  const e = ENTERPRISES[0];
  const product = state.creditProduct!;
  const loanId = await originate(ctx, {
    name: 'loan-credit',
    enterprise: e,
    amountFen: 100_000_000,
    termMonths: 6,
    purpose: '采购数控机床零部件原材料',
    products: [state.creditProduct!, state.guaranteedProduct!],
    choose: product,
    rateBps: 435,
  });
  state.creditLoanId = loanId;
  // A pure credit loan (no guarantor): the ledger drafts the two-party contract.
  await draftAndSign(
    ctx,
    loanId,
    { startDate: CREDIT_DISBURSED_ON, signingPlace: '长沙' },
    [
      { org: e.uscc, role: 'enterprise' },
      { org: ORG.bank, role: 'bank' },
    ],
    ORG.bank,
  );
  await ctx.command(
    `disburse ${loanId}`,
    ORG.bank,
    'POST /v1/loans/{loanId}/disbursements',
    `/v1/loans/${loanId}/disbursements`,
    { disbursedOn: CREDIT_DISBURSED_ON },
  );
  const timeline = await readTimeline(ctx, ORG.bank, loanId);
  const schedule = Instalments.parse(lastOf(timeline, 'LoanDisbursed')?.schedule);
  for (const i of schedule) {
    await ctx.command(
      `repay instalment ${i.number}/${schedule.length} of ${loanId}`,
      ORG.bank,
      'POST /v1/loans/{loanId}/repayments',
      `/v1/loans/${loanId}/repayments`,
      { paymentId: `${loanId}-pay-${i.number}`, amountFen: i.totalFen, paidOn: i.dueDate },
    );
  }
}
