import { join } from 'node:path';
import { DemoContext } from '../../../src/cli/demo/context.ts';
import { draftAndSign } from '../../../src/cli/demo/contract.ts';
import { guaranteedLoanContract, guaranteedLoanDefault } from '../../../src/cli/demo/guaranteedLoan.ts';
import { readKeysFile, type KeysByOrg } from '../../../src/cli/demo/keys.ts';
import { publishProducts, registerEnterprises } from '../../../src/cli/demo/onboarding.ts';
import { originate } from '../../../src/cli/demo/origination.ts';
import { ENTERPRISES, ORG } from '../../../src/cli/demo/parties.ts';
import type { DemoState } from '../../../src/cli/demo/state.ts';

/**
 * Loans to put load on, made through the HTTP API with the demo scenario's own steps (so they go
 * through the same routes, deciders and checks as a real client's).
 */
export const DISBURSED_ON = '2026-01-05';

export interface Seeded {
  keys: KeysByOrg;
  /** orgId → API key. */
  key(orgId: string): string;
  loanIds: string[];
}

export const keysOf = (dataDir: string): KeysByOrg => readKeysFile(join(dataDir, 'demo-keys.json'));

const quiet = () => undefined;

async function onboard(url: string, keys: KeysByOrg, tag: string): Promise<DemoState> {
  const ctx = await DemoContext.open(url, keys, tag, quiet);
  const state: DemoState = {};
  await registerEnterprises(ctx);
  await publishProducts(ctx, state);
  return state;
}

/** `count` large pure-credit loans, disbursed, so thousands of small repayments fit. */
export async function seedDisbursedLoans(url: string, dataDir: string, count: number): Promise<Seeded> {
  const keys = keysOf(dataDir);
  const state = await onboard(url, keys, 'seed');
  const loanIds: string[] = [];
  for (let k = 0; k < count; k++) {
    const ctx = await DemoContext.open(url, keys, `seed${k}`, quiet);
    const e = ENTERPRISES[k % 2]!;
    const loanId = await originate(ctx, {
      name: 'loan',
      enterprise: e,
      amountFen: 300_000_000,
      termMonths: 36,
      purpose: '流动资金',
      products: [state.creditProduct!],
      choose: state.creditProduct!,
      rateBps: 435,
    });
    await draftAndSign(
      ctx,
      loanId,
      { startDate: DISBURSED_ON, signingPlace: '长沙' },
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
      {
        disbursedOn: DISBURSED_ON,
      },
    );
    loanIds.push(loanId);
  }
  return { keys, key: (org) => keys.get(org)!.apiKey, loanIds };
}

/**
 * `count` guaranteed loans under Hunan 4321 (the demo's terms), disbursed, one instalment paid, then
 * overdue and in default: ready for compensation, reimbursements and recoveries.
 */
export async function seedDefaultedGuaranteedLoans(
  url: string,
  dataDir: string,
  count: number,
): Promise<Seeded & { lossFen: Map<string, number> }> {
  const keys = keysOf(dataDir);
  const base = await onboard(url, keys, 'seedg');
  const loanIds: string[] = [];
  const lossFen = new Map<string, number>();
  for (let k = 0; k < count; k++) {
    const ctx = await DemoContext.open(url, keys, `seedg${k}`, quiet);
    const state: DemoState = {
      creditProduct: base.creditProduct!,
      guaranteedProduct: base.guaranteedProduct!,
    };
    await guaranteedLoanContract(ctx, state);
    await guaranteedLoanDefault(ctx, state);
    if (!state.defaulted) throw new Error(`loan ${state.guaranteedLoanId} did not default`);
    loanIds.push(state.guaranteedLoanId!);
    lossFen.set(state.guaranteedLoanId!, state.defaulted.lossFen);
  }
  return { keys, key: (org) => keys.get(org)!.apiKey, loanIds, lossFen };
}
