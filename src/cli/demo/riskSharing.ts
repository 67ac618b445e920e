import type { DemoContext } from './context.ts';
import { ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { eventsOf, readTimeline } from './timeline.ts';

const skip = (ctx: DemoContext, phase: string, reason: string): void => {
  ctx.skipped.push({ phase, reason });
  ctx.log(`  ! SKIPPED: ${reason}`);
};

/** 先代偿、后分险: the guarantor compensates the bank, then every upper level reimburses its share. */
export async function compensateAndReimburse(ctx: DemoContext, state: DemoState): Promise<void> {
  if (!state.defaulted) return skip(ctx, 'compensation', 'the loan did not default above');
  const loanId = state.guaranteedLoanId!;
  await ctx.command(
    `${ORG.guarantor} compensates ${ORG.bank} (代偿)`,
    ORG.guarantor,
    'POST /v1/loans/{loanId}/compensation',
    `/v1/loans/${loanId}/compensation`,
    { lossFen: state.defaulted.lossFen, paidOn: '2026-06-25' },
  );
  state.compensated = true;
  const dues = eventsOf(await readTimeline(ctx, ORG.bank, loanId), 'ReimbursementDue') as {
    org: string;
    amountFen: number;
  }[];
  for (const due of dues) {
    await ctx.command(
      `${due.org} reimburses its share`,
      due.org,
      'POST /v1/loans/{loanId}/reimbursements',
      `/v1/loans/${loanId}/reimbursements`,
      { amountFen: due.amountFen, paidOn: '2026-07-15' },
    );
  }
  state.reimbursed = true;
}

/** 追偿: part of the loss is recovered from the borrower and shared back in the 4321 proportions. */
export async function shareRecovery(ctx: DemoContext, state: DemoState): Promise<void> {
  if (!state.reimbursed || !state.defaulted) {
    return skip(ctx, 'recovery', 'compensation and reimbursements did not complete above');
  }
  // About a third of the loss, rounded down to whole yuan (integer arithmetic).
  const amountFen = Math.floor(state.defaulted.lossFen / 300) * 100;
  await ctx.command(
    `${ORG.guarantor} records a partial recovery (追偿)`,
    ORG.guarantor,
    'POST /v1/loans/{loanId}/guarantee/recoveries',
    `/v1/loans/${state.guaranteedLoanId!}/guarantee/recoveries`,
    { recoveryId: ctx.id('recovery-1'), amountFen, recoveredOn: '2026-10-20' },
  );
}
