import type { DemoContext } from './context.ts';
import { ENTERPRISES, ORG } from './parties.ts';
import type { DemoState } from './state.ts';
import { lastOf, readTimeline } from './timeline.ts';

const D = '/v1/disputes/{disputeId}';

/** 线上仲裁: the guarantor claims its compensation back from the borrower; the commission awards it. */
export async function arbitrate(ctx: DemoContext, state: DemoState): Promise<void> {
  if (!state.defaulted) {
    ctx.skipped.push({ phase: 'dispute', reason: 'the loan did not default above' });
    ctx.log('  ! SKIPPED: the loan did not default above');
    return;
  }
  const e = ENTERPRISES[1];
  const loanId = state.guaranteedLoanId!;
  const compensated = lastOf(await readTimeline(ctx, ORG.bank, loanId), 'GuaranteeCompensated');
  const claimFen = (compensated?.compensatedFen as number | undefined) ?? state.defaulted.lossFen;
  const id = ctx.id('dispute');
  await ctx.command(
    `${ORG.guarantor} files for arbitration`,
    ORG.guarantor,
    'POST /v1/disputes',
    '/v1/disputes',
    {
      disputeId: id,
      loanId,
      respondent: { org: e.uscc, role: 'enterprise' },
      forum: 'arbitration',
      body: ORG.arbitration,
      claimAmountFen: claimFen,
      claims: '请求裁决被申请人偿还申请人代偿款及相应利息',
    },
  );
  state.disputeId = id;
  const p = (suffix: string) => `/v1/disputes/${id}${suffix}`;
  await ctx.command(
    'commission accepts the case',
    ORG.arbitration,
    `POST ${D}/acceptance`,
    p('/acceptance'),
    {
      caseNumber: `(2026)长仲网字第${ctx.runTag.slice(-4)}号`,
    },
  );
  await ctx.command('commission forms the tribunal', ORG.arbitration, `POST ${D}/tribunal`, p('/tribunal'), {
    memberIds: ['arbitrator-zhang'],
  });
  await ctx.command('guarantor submits evidence', ORG.guarantor, `POST ${D}/evidence`, p('/evidence'), {
    evidenceId: ctx.id('evidence-1'),
    bundleSha256: null,
    documentSha256s: [state.guaranteedContractSha256!],
    description: '借款合同、担保合同、代偿凭证',
  });
  await ctx.command('online hearing', ORG.arbitration, `POST ${D}/hearing`, p('/hearing'), {
    heldOn: '2026-09-15',
    mode: 'online',
  });
  await ctx.command('commission renders the award', ORG.arbitration, `POST ${D}/award`, p('/award'), {
    awardId: ctx.id('award'),
    payments: [{ payer: e.uscc, payee: ORG.guarantor, amountFen: claimFen, item: '代偿款' }],
    obligations: ['被申请人于裁决书送达之日起十五日内履行'],
  });
  state.awardedFen = claimFen;
}
