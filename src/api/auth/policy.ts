import { LedgerError } from '../../errors.ts';
import type { Principal } from './directory.ts';
import type { PartyIndex, PartyKind } from './parties.ts';
import type { OrgRole } from './organization.ts';

/**
 * THE access table: for every route (by access id), which roles may call it and whether the caller
 * must be a party to the resource (the loan, dispute, enterprise… the route is about). A role absent
 * from a row is refused (403). Public routes (the log API for auditors, health) are not in this table.
 *
 *   'any'      the role suffices
 *   PartyKind  the caller must be that kind of party to the resource (see parties.ts)
 *   'party'    any kind of party
 *   'self'     the resource is the caller's own organization (`organization-<orgId>`)
 *
 * `borrower` for an enterprise is decided by USCC: the caller acts for the enterprise the resource belongs to.
 */
export type Requirement = 'any' | 'party' | 'self' | PartyKind;
export type Rule = Partial<Record<OrgRole, Requirement>>;

const sharers: Rule = { reguarantor: 'sharer', government_fund: 'sharer' };
const tribunal: Rule = { arbitrator: 'assigned', court: 'assigned' };
const disputants: Rule = { bank: 'party', guarantor: 'party', enterprise: 'borrower' };
const ownOrg: Rule = {
  bank: 'self',
  guarantor: 'self',
  reguarantor: 'self',
  government_fund: 'self',
  regulator: 'self',
  court: 'self',
  arbitrator: 'self',
  notary: 'self',
  enterprise: 'self',
  operator: 'any',
};

export const accessTable = {
  // Organizations and keys (the operator onboards; every organization rotates its own keys)
  'organization.register': { operator: 'any' },
  'organization.read': ownOrg,
  'organization.key.issue': ownOrg,
  'organization.key.revoke': ownOrg,
  // Where its risk notices are pushed (projections/webhooks.ts): each organization its own
  'organization.webhook.register': ownOrg,
  'organization.webhook.read': ownOrg,
  'organization.webhook.remove': ownOrg,
  // Enterprises and their authorizations (经企业授权)
  'enterprise.register': { enterprise: 'borrower', operator: 'any' },
  'enterprise.read': {
    enterprise: 'borrower',
    bank: 'any',
    guarantor: 'any',
    reguarantor: 'any',
    government_fund: 'any',
    regulator: 'any',
    operator: 'any',
  },
  'enterprise.credit.submit': { enterprise: 'borrower', operator: 'any' },
  'credit.evaluate': { operator: 'any' },
  'enterprise.credit.read': { enterprise: 'borrower', bank: 'grantee', guarantor: 'grantee' },
  'authorization.grant': { enterprise: 'borrower' },
  'authorization.revoke': { enterprise: 'borrower' },
  // Product pool (贷款产品清单)
  'product.publish': { bank: 'any' },
  'product.amend': { bank: 'creator' },
  'product.withdraw': { bank: 'creator' },
  // Loans
  'loan.apply': { enterprise: 'borrower' },
  'loan.match': { enterprise: 'borrower', operator: 'any' },
  'loan.choose': { enterprise: 'borrower' },
  'loan.withdraw': { enterprise: 'borrower' },
  'loan.approve': { bank: 'lender' },
  'loan.reject': { bank: 'lender' },
  'loan.contract.draft': { bank: 'lender' },
  'loan.contract.sign': { bank: 'lender', enterprise: 'borrower', guarantor: 'guarantor' },
  'loan.disburse': { bank: 'lender' },
  'loan.repay': { bank: 'lender' },
  'loan.overdue': { bank: 'lender' },
  'loan.penalty': { bank: 'lender' },
  'loan.recover': { bank: 'lender' },
  'loan.default': { bank: 'lender' },
  'loan.write_off': { bank: 'lender' },
  'loan.timeline': {
    bank: 'lender',
    guarantor: 'guarantor',
    enterprise: 'borrower',
    ...sharers,
    ...tribunal,
    regulator: 'any',
    operator: 'any',
  },
  // Guarantee and risk sharing (4321)
  'guarantee.issue': { guarantor: 'any' },
  'guarantee.compensate': { guarantor: 'guarantor' },
  'guarantee.reimburse': sharers,
  'guarantee.recover': { guarantor: 'guarantor', bank: 'lender' },
  'guarantee.release': { guarantor: 'guarantor', bank: 'lender' },
  // Policy support
  'policy.claim': { bank: 'lender', guarantor: 'guarantor' },
  'policy.decide': { government_fund: 'any' },
  // Disputes (线上仲裁)
  'dispute.file': disputants,
  'dispute.accept': tribunal,
  'dispute.tribunal': tribunal,
  'dispute.evidence': { ...disputants, ...tribunal },
  'dispute.hearing': tribunal,
  'dispute.award': tribunal,
  'dispute.settle': disputants,
  'dispute.withdraw': disputants,
  'dispute.enforce': disputants,
  'dispute.close': tribunal,
  'dispute.read': { ...disputants, ...tribunal, operator: 'any' },
  // Risk monitoring (风险监测)
  'risk.raise': { operator: 'any', regulator: 'any' },
  'risk.resolve': { operator: 'any', regulator: 'any' },
  // Notarization (线上赋强公证)
  'notarization.apply': { bank: 'lender' },
  'notarization.identity': { notary: 'assigned' },
  'notarization.notarize': { notary: 'assigned' },
  'notarization.verify_debtor': { notary: 'assigned' },
  'notarization.enforce': { notary: 'assigned' },
  'notarization.read': { notary: 'assigned', bank: 'party', enterprise: 'borrower', ...tribunal },
  // Evidence bundles (issue 7): the parties and the assigned court, arbitrator or notary only
  'evidence.loan': {
    bank: 'lender',
    guarantor: 'guarantor',
    enterprise: 'borrower',
    ...sharers,
    ...tribunal,
    notary: 'assigned',
  },
  'evidence.dispute': { ...disputants, ...tribunal },
  // The contract PDF the ledger drafted (issue 7): the same readers as the loan's evidence
  'loan.contract.read': {
    bank: 'lender',
    guarantor: 'guarantor',
    enterprise: 'borrower',
    ...sharers,
    ...tribunal,
    notary: 'assigned',
  },
  // Raw streams and the log's full entries
  'stream.read': { operator: 'any', regulator: 'any' },
  'log.entries': { operator: 'any', regulator: 'any' },
  'log.anchor': { operator: 'any' },
} as const satisfies Record<string, Rule>;

export type AccessId = keyof typeof accessTable;

export interface AccessContext {
  /** The resource the request is about (a stream name), when the rule needs one. */
  resource?: string;
  /** For 'grantee' on credit data: the category read and the instant. */
  category?: string;
  now?: string;
}

/** Not a closure in `authorize`: one per request cost an allocation and, under tsx, a defineProperty. */
const forbidden = (principal: Principal, access: AccessId, why: string): LedgerError =>
  new LedgerError('LL_FORBIDDEN', `a ${principal.role} key may not ${access}: ${why}`, {
    access,
    role: principal.role,
  });

/** Decides; throws LL_FORBIDDEN (or LL_AUTHORIZATION_REQUIRED for credit data without a live grant). */
export function authorize(
  principal: Principal,
  access: AccessId,
  parties: PartyIndex,
  ctx: AccessContext,
): void {
  const rule: Rule = accessTable[access];
  const need = rule[principal.role];
  if (need === undefined) throw forbidden(principal, access, `the ${principal.role} role has no access`);
  if (need === 'any') return;
  const resource = ctx.resource;
  if (resource === undefined) throw forbidden(principal, access, 'the request does not name the resource');
  if (need === 'self') {
    if (resource === `organization-${principal.orgId}`) return;
    throw forbidden(principal, access, 'this is not your organization');
  }
  if (need === 'grantee') {
    const uscc = parties.usccOfResource(resource);
    const grant =
      uscc === undefined
        ? undefined
        : parties.liveGrant(uscc, principal.orgId, ctx.category ?? '', ctx.now ?? new Date().toISOString());
    if (grant) return;
    throw new LedgerError(
      'LL_AUTHORIZATION_REQUIRED',
      "reading this enterprise's credit data needs its live authorization for this category",
      { access, category: ctx.category },
    );
  }
  if (need === 'borrower' && principal.role === 'enterprise') {
    const uscc = parties.usccOfResource(resource);
    if (uscc !== undefined && uscc === principal.uscc) return;
    throw forbidden(principal, access, 'you do not act for this enterprise');
  }
  const kinds = parties.kindsOf(resource, principal.orgId);
  if (need === 'party' ? kinds.size > 0 : kinds.has(need)) return;
  throw forbidden(
    principal,
    access,
    `you are not ${need === 'party' ? 'a party' : `the ${need}`} of ${resource}`,
  );
}
