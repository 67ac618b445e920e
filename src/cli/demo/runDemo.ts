import { randomBytes } from 'node:crypto';
import { DemoContext, StepFailed, type DemoLog } from './context.ts';
import { creditLoan } from './creditLoan.ts';
import { arbitrate } from './dispute.ts';
import { guaranteedLoanContract, guaranteedLoanDefault } from './guaranteedLoan.ts';
import type { KeysByOrg } from './keys.ts';
import { enforcementCertificate, notarizeContract } from './notarization.ts';
import { publishProducts, registerEnterprises } from './onboarding.ts';
import { compensateAndReimburse, shareRecovery } from './riskSharing.ts';
import type { DemoState } from './state.ts';
import { renderSummary, summarize, type DemoSummary } from './summary.ts';
import { waitForFinal, type AnchorWait } from './anchors.ts';
import { writeLoanFiles } from './outputs.ts';

export interface DemoOptions {
  url: string;
  keys: KeysByOrg;
  outDir: string;
  /** How long to wait for anchors to reach `final`; 0 = do not wait (only report). */
  waitFinalMs: number;
  log?: DemoLog;
  /** Makes ids unique to this run (default: time + random). */
  runTag?: string;
}

export interface DemoResult {
  /** 0 every step ran and anchors reached final; 1 a step failed; 3 steps skipped (routes missing) or final not reached. */
  exitCode: 0 | 1 | 3;
  steps: string[];
  skipped: { phase: string; reason: string }[];
  summary?: DemoSummary;
  anchors?: AnchorWait;
  files: string[];
  loanIds: string[];
  failure?: StepFailed;
}

export const EXIT_PARTIAL = 3;

/** The whole demo scenario over the HTTP API: the phases in order, then anchors, summary and files. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const runTag = options.runTag ?? `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const ctx = await DemoContext.open(options.url, options.keys, runTag, log);
  const state: DemoState = {};
  const result: DemoResult = { exitCode: 0, steps: ctx.steps, skipped: ctx.skipped, files: [], loanIds: [] };
  try {
    await ctx.phase('1. Enterprises register (实名注册) and authorize the bank', () =>
      registerEnterprises(ctx),
    );
    await ctx.phase('2. The bank publishes its products (贷款产品清单)', () => publishProducts(ctx, state));
    if (!state.creditProduct)
      throw new StepFailed('publish products', new Error('no products: cannot go on'));
    await ctx.phase('3. Pure credit loan: apply, match, choose, approve, sign, disburse, repay in full', () =>
      creditLoan(ctx, state),
    );
    await ctx.phase('4. Guaranteed loan under Hunan 4321: apply … guarantee … three signatures', () =>
      guaranteedLoanContract(ctx, state),
    );
    if (state.guaranteedLoanId) {
      await ctx.phase('5. Enforceable notarization (赋强公证) of the contract', () =>
        notarizeContract(ctx, state),
      );
      await ctx.phase('6. Disbursement, one instalment paid, overdue, default', () =>
        guaranteedLoanDefault(ctx, state),
      );
      await ctx.phase('7. Compensation (代偿) and reimbursements by every level', () =>
        compensateAndReimburse(ctx, state),
      );
      await ctx.phase('8. Online arbitration (线上仲裁) to an award', () => arbitrate(ctx, state));
      await ctx.phase('9. Enforcement certificate (执行证书)', () => enforcementCertificate(ctx, state));
      await ctx.phase('10. Partial recovery (追偿) shared back', () => shareRecovery(ctx, state));
    }
    result.loanIds = [state.creditLoanId, state.guaranteedLoanId].filter((x): x is string => x !== undefined);

    log('\n11. Anchoring');
    result.anchors = await waitForFinal(ctx, options.waitFinalMs);
    const a = result.anchors;
    if (a.reachedFinal)
      log(`  ✓ an anchor covering the log (size ${a.treeSize}) is final (tree size ${a.finalTreeSize})`);
    else {
      const reason = `no anchor covering log size ${a.treeSize} reached final within ${Math.round(options.waitFinalMs / 1000)} s`;
      ctx.skipped.push({ phase: 'anchoring', reason });
      log(`  ! ${reason}`);
    }

    result.summary = await summarize(ctx, state);
    log(renderSummary(result.summary));

    log(`\n12. Files in ${options.outDir}`);
    result.files = await writeLoanFiles(ctx, options.outDir, result.loanIds);
  } catch (e) {
    if (!(e instanceof StepFailed)) throw e;
    result.failure = e;
    result.exitCode = 1;
    return result;
  }
  result.exitCode = ctx.skipped.length > 0 ? EXIT_PARTIAL : 0;
  return result;
}
