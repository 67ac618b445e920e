import type { DemoContext } from './context.ts';
import { ENTERPRISES, ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { eventsOf, readTimeline } from './timeline.ts';

const N = '/v1/notarizations/{notarizationId}';

/** 赋强公证: the bank applies, the notary checks both parties' identities and notarizes the contract. */
export async function notarizeContract(ctx: DemoContext, state: DemoState): Promise<void> {
  const id = ctx.id('notarization');
  await ctx.command(
    'bank applies for enforceable notarization',
    ORG.bank,
    'POST /v1/notarizations',
    '/v1/notarizations',
    {
      notarizationId: id,
      loanId: state.guaranteedLoanId!,
      contractSha256: state.guaranteedContractSha256!,
      debtorUscc: ENTERPRISES[1].uscc,
      notary: ORG.notary,
    },
  );
  state.notarizationId = id;
  for (const [party, method] of [
    ['creditor', 'digital_certificate'],
    ['debtor', 'face_recognition'],
  ] as const) {
    await ctx.command(
      `notary checks the ${party}'s identity`,
      ORG.notary,
      `POST ${N}/identity-checks`,
      `/v1/notarizations/${id}/identity-checks`,
      {
        party,
        method,
        consequencesExplained: true,
      },
    );
  }
  await ctx.command(
    'notary issues the notarial certificate',
    ORG.notary,
    `POST ${N}/certificate`,
    `/v1/notarizations/${id}/certificate`,
    {
      certificateNumber: `(2026)湘长证经字第${ctx.runTag.slice(-4)}号`,
    },
  );
  state.notarized = true;
}

/**
 * After the default: the notary verifies with the debtor and issues the 执行证书, whose amounts come
 * from the loan stream (principal lent, interest due so far, penalty, paid).
 */
export async function enforcementCertificate(ctx: DemoContext, state: DemoState): Promise<void> {
  if (!state.notarized || !state.defaulted) {
    const reason = !state.notarized
      ? 'the contract was not notarized above'
      : 'the loan did not default above';
    ctx.skipped.push({ phase: 'enforcement certificate', reason });
    ctx.log(`  ! SKIPPED: ${reason}`);
    return;
  }
  const id = state.notarizationId!;
  await ctx.command(
    'notary verifies the default with the debtor',
    ORG.notary,
    `POST ${N}/debtor-verification`,
    `/v1/notarizations/${id}/debtor-verification`,
    {
      contactedOn: '2026-06-20',
      outcome: 'default_confirmed',
    },
  );
  const t = await readTimeline(ctx, ORG.bank, state.guaranteedLoanId!);
  const principalFen = eventsOf(t, 'LoanDisbursed').reduce((s, d) => s + (d.amountFen as number), 0);
  const repayments = eventsOf(t, 'RepaymentReceived');
  const paidFen = repayments.reduce((s, d) => s + (d.amountFen as number), 0);
  const interestPaidFen = repayments.reduce((s, d) => s + (d.interestFen as number), 0);
  await ctx.command(
    'notary issues the enforcement certificate (执行证书)',
    ORG.notary,
    `POST ${N}/enforcement-certificate`,
    `/v1/notarizations/${id}/enforcement-certificate`,
    {
      certificateNumber: `(2026)湘长证执字第${ctx.runTag.slice(-4)}号`,
      principalFen,
      interestFen: interestPaidFen + state.defaulted.outstandingInterestFen,
      penaltyFen: state.defaulted.penaltyFen,
      paidFen,
      timeLimitDays: 730,
    },
  );
}
