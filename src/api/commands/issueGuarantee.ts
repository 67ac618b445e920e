import type { GuaranteeCommand } from '../../domain/guarantee/commands.ts';
import type { PartyKind } from '../../domain/guarantee/config.ts';
import { domainError } from '../../domain/decider.ts';
import { loanDecider } from '../../domain/loan/decider.ts';
import type { LoanState } from '../../domain/loan/state.ts';
import { registeredRoleOf } from '../auth/admin.ts';
import type { OrgRole } from '../auth/organization.ts';
import type { PrepareContext } from './registry.ts';

/**
 * POST /v1/loans/:loanId/guarantee names the loan's lender, its borrower and the programme's risk
 * sharers, and the API's party index (auth/parties.ts) makes every organization an event names a party
 * of the loan: the lender may then read its timeline, the sharers post reimbursements. The guarantee
 * decider cannot see the loan (another aggregate), so this step checks against the loan's own stream
 * that the guarantee names the loan's real lender and borrower, and that each sharer is a registered
 * organization of the role its kind stands for. Without it any guarantor could make any bank the
 * "lender" of a stranger's loan and read it (found in the session-5 audit).
 */
type IssueGuarantee = Extract<GuaranteeCommand, { type: 'IssueGuarantee' }>['data'];

/** The roles that may bear each kind of 4321 share. */
const ROLES_OF_KIND: Record<PartyKind, readonly OrgRole[]> = {
  national_fund: ['government_fund'],
  provincial_finance: ['government_fund'],
  local_government: ['government_fund'],
  provincial_reguarantee: ['reguarantor'],
  guarantor: ['guarantor'],
  bank: ['bank'],
  other: ['guarantor', 'reguarantor', 'government_fund'],
};

async function loanOf(ctx: PrepareContext, loanId: string): Promise<LoanState> {
  const events = await ctx.store.readStream(`loan-${loanId}`);
  return events.reduce(
    (state, e) => loanDecider.evolve(state, { type: e.type, data: e.data } as never),
    loanDecider.initialState(),
  );
}

/** The product's kind as last published or amended (ProductPublished / ProductAmended carry the full terms). */
async function productKindOf(ctx: PrepareContext, productId: string): Promise<string | undefined> {
  const events = await ctx.store.readStream(`product-${productId}`);
  let kind: string | undefined;
  for (const e of events) if (typeof e.data.kind === 'string') kind = e.data.kind;
  return kind;
}

export async function prepareIssueGuarantee(body: unknown, ctx: PrepareContext): Promise<unknown> {
  const d = body as IssueGuarantee;
  const loan = await loanOf(ctx, d.loanId);
  if (loan.status === 'none')
    throw domainError('guarantee.issue.loan_unknown', `there is no loan ${d.loanId}`, { loanId: d.loanId });
  if (loan.lender === null)
    throw domainError(
      'guarantee.issue.no_lender',
      'the loan has no lender yet: the borrower has not chosen a product',
    );
  // 纯信用: a pure-credit loan has no guarantee by definition (and the statistics count it as such).
  const productId = loan.chosen?.productId;
  if (productId !== undefined && (await productKindOf(ctx, productId)) === 'pure_credit')
    throw domainError(
      'guarantee.issue.pure_credit_loan',
      `the loan's product ${productId} is a pure credit product: it takes no guarantee`,
      { productId },
    );
  if (d.lender !== loan.lender)
    throw domainError('guarantee.issue.lender_mismatch', `the loan's lender is ${loan.lender}`, {
      lender: loan.lender,
    });
  if (d.borrowerUscc !== loan.borrower)
    throw domainError('guarantee.issue.borrower_mismatch', `the loan's borrower is ${loan.borrower}`, {
      borrowerUscc: loan.borrower,
    });
  for (const party of d.programme.parties) {
    const role = await registeredRoleOf(ctx.store, party.org);
    if (role === undefined || !ROLES_OF_KIND[party.kind].includes(role))
      throw domainError(
        'guarantee.issue.party_role_mismatch',
        `${party.org} cannot bear a ${party.kind} share: ${role === undefined ? 'not a registered organization' : `its role is ${role}`}`,
        { org: party.org, kind: party.kind, role: role ?? null },
      );
  }
  return body;
}
