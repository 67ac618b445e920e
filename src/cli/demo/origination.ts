import type { ProductTerms } from '../../domain/product/terms.ts';
import type { DemoContext } from './context.ts';
import { ENTERPRISES } from './parties.ts';

type Enterprise = (typeof ENTERPRISES)[number];

/** Apply → matched against the product pool → choose → the bank approves. Returns the loan id. */
export async function originate(
  ctx: DemoContext,
  input: {
    name: string;
    enterprise: Enterprise;
    amountFen: number;
    termMonths: number;
    purpose: string;
    products: ProductTerms[];
    choose: ProductTerms;
    rateBps: number;
  },
): Promise<string> {
  const { enterprise: e } = input;
  const loanId = ctx.id(input.name);
  await ctx.command(`${e.name} applies (${input.name})`, e.uscc, 'POST /v1/loans', '/v1/loans', {
    loanId,
    borrowerUscc: e.uscc,
    amountFen: input.amountFen,
    termMonths: input.termMonths,
    purpose: input.purpose,
  });
  // Matching explains every criterion; the profile comes from the enterprise's registration.
  await ctx.command(
    `match products for ${loanId}`,
    e.uscc,
    'POST /v1/loans/{loanId}/matches',
    `/v1/loans/${loanId}/matches`,
    {
      profile: {
        industry: e.industry,
        regionCode: e.regionCode,
        grade: null,
        whiteListed: false,
        gradeScale: ['AAA', 'AA', 'A', 'B', 'C'],
      },
      products: input.products,
    },
  );
  await ctx.command(
    `${e.name} chooses ${input.choose.name}`,
    e.uscc,
    'POST /v1/loans/{loanId}/choice',
    `/v1/loans/${loanId}/choice`,
    { productId: input.choose.productId },
  );
  await ctx.command(
    `${input.choose.bank} approves ${loanId}`,
    input.choose.bank,
    'POST /v1/loans/{loanId}/approval',
    `/v1/loans/${loanId}/approval`,
    {
      amountFen: input.amountFen,
      rateBps: input.rateBps,
      termMonths: input.termMonths,
      scheduleType: 'equal_instalment',
    },
  );
  return loanId;
}
