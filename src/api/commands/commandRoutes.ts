import type { AccessId } from '../auth/policy.ts';

/**
 * Every command route as data: adding a route is adding a row. A row names the aggregate and command
 * type, where the target stream's id comes from (a path parameter, or a body field for creations), the
 * resource the access rule is checked against, and which path parameters fill which command fields.
 * Rows whose aggregate or command is not in the registry given to buildApp are not mounted
 * (see `unmountedRoutes`).
 */
export interface IdSource {
  category: string;
  /** Path parameter holding the id… */
  param?: string;
  /** …or body field holding it. */
  field?: string;
}

export interface CommandRoute {
  access: AccessId;
  url: string;
  aggregate: string;
  command: string;
  stream: IdSource;
  /** What the access rule is about; default: the stream. */
  resource?: IdSource;
  /** Command data fields filled from path parameters: field → param. */
  pathFields?: Record<string, string>;
  /** A body field that names the new resource; generated when absent (derived from the Idempotency-Key if given). */
  createsId?: string;
  summary: string;
  tag: string;
}

const loan = (param = 'loanId'): IdSource => ({ category: 'loan', param });
const onLoan = (
  access: AccessId,
  path: string,
  command: string,
  summary: string,
  aggregate = 'loan',
  streamCategory = aggregate,
): CommandRoute => ({
  access,
  url: `/v1/loans/:loanId${path}`,
  aggregate,
  command,
  stream: { category: streamCategory, param: 'loanId' },
  resource: loan(),
  pathFields: { loanId: 'loanId' },
  summary,
  tag: aggregate === 'loan' ? 'loans' : aggregate === 'guarantee' ? 'guarantees' : 'policies',
});

export const commandRoutes: CommandRoute[] = [
  // Organizations and keys are mounted by routes/organizations.ts (keys are shown once, not events).
  {
    access: 'enterprise.register',
    url: '/v1/enterprises',
    aggregate: 'enterprise',
    command: 'RegisterEnterprise',
    stream: { category: 'enterprise', field: 'uscc' },
    resource: { category: 'enterprise', field: 'uscc' },
    summary: 'Register an enterprise (实名注册); the legal representative goes to the PII vault',
    tag: 'enterprises',
  },
  {
    access: 'enterprise.register',
    url: '/v1/enterprises/:uscc/legal-representative',
    aggregate: 'enterprise',
    command: 'ChangeLegalRepresentative',
    stream: { category: 'enterprise', param: 'uscc' },
    summary: 'Record a new legal representative; the personal data goes to the PII vault',
    tag: 'enterprises',
  },
  {
    access: 'enterprise.register',
    url: '/v1/enterprises/:uscc/erasure',
    aggregate: 'enterprise',
    command: 'EraseLegalRepresentative',
    stream: { category: 'enterprise', param: 'uscc' },
    summary:
      'Erase the personal data of the enterprise’s legal representatives (crypto-shredding in the vault)',
    tag: 'enterprises',
  },
  {
    access: 'enterprise.credit.submit',
    url: '/v1/enterprises/:uscc/credit-records',
    aggregate: 'credit',
    command: 'SubmitCreditInfo',
    stream: { category: 'credit', param: 'uscc' },
    resource: { category: 'enterprise', param: 'uscc' },
    pathFields: { uscc: 'uscc' },
    summary: 'Submit a credit-information record of an enterprise',
    tag: 'enterprises',
  },
  {
    access: 'credit.evaluate',
    url: '/v1/enterprises/:uscc/evaluations',
    aggregate: 'credit',
    command: 'EvaluateCredit',
    stream: { category: 'credit', param: 'uscc' },
    resource: { category: 'enterprise', param: 'uscc' },
    summary: 'Evaluate an enterprise’s credit (score, grade, white list) from its recorded information',
    tag: 'enterprises',
  },
  {
    access: 'authorization.grant',
    url: '/v1/enterprises/:uscc/authorizations',
    aggregate: 'authorization',
    command: 'GrantAuthorization',
    stream: { category: 'authorization', field: 'grantId' },
    resource: { category: 'enterprise', param: 'uscc' },
    pathFields: { enterpriseUscc: 'uscc' },
    createsId: 'grantId',
    summary: 'Authorize (经企业授权) a financial institution to read credit-data categories',
    tag: 'authorizations',
  },
  {
    access: 'authorization.revoke',
    url: '/v1/authorizations/:grantId/revocations',
    aggregate: 'authorization',
    command: 'RevokeAuthorization',
    stream: { category: 'authorization', param: 'grantId' },
    summary: 'Revoke an authorization',
    tag: 'authorizations',
  },
  {
    access: 'product.publish',
    url: '/v1/products',
    aggregate: 'product',
    command: 'PublishProduct',
    stream: { category: 'product', field: 'productId' },
    createsId: 'productId',
    summary: 'Publish a loan product to the product pool (贷款产品清单)',
    tag: 'products',
  },
  {
    access: 'product.amend',
    url: '/v1/products/:productId/amendments',
    aggregate: 'product',
    command: 'AmendProduct',
    stream: { category: 'product', param: 'productId' },
    summary: "Amend a product's terms",
    tag: 'products',
  },
  {
    access: 'product.withdraw',
    url: '/v1/products/:productId/withdrawal',
    aggregate: 'product',
    command: 'WithdrawProduct',
    stream: { category: 'product', param: 'productId' },
    summary: 'Withdraw a product from the pool',
    tag: 'products',
  },
  {
    access: 'loan.apply',
    url: '/v1/loans',
    aggregate: 'loan',
    command: 'ApplyForLoan',
    stream: { category: 'loan', field: 'loanId' },
    resource: { category: 'enterprise', field: 'borrowerUscc' },
    createsId: 'loanId',
    summary: 'File a loan application',
    tag: 'loans',
  },
  onLoan('loan.match', '/matches', 'MatchProducts', 'Record the ranked matching products, with reasons'),
  onLoan('loan.choose', '/choice', 'ChooseProduct', 'The enterprise picks a bank and product'),
  onLoan('loan.withdraw', '/withdrawal', 'WithdrawApplication', 'The enterprise withdraws its application'),
  onLoan('loan.approve', '/approval', 'ApproveLoan', 'The bank approves, with terms'),
  onLoan('loan.reject', '/rejection', 'RejectLoan', 'The bank rejects, with a reason'),
  onLoan('loan.contract.draft', '/contract', 'DraftContract', 'The bank drafts the contract (document hash)'),
  onLoan('loan.contract.sign', '/contract/signatures', 'SignContract', 'A party signs the contract'),
  onLoan('loan.disburse', '/disbursements', 'DisburseLoan', 'The bank disburses'),
  onLoan('loan.repay', '/repayments', 'RecordRepayment', 'Record a repayment'),
  onLoan('loan.repay', '/early-repayments', 'RepayEarly', 'Record an early repayment'),
  onLoan('loan.penalty', '/penalties', 'ChargePenalty', 'Charge penalty interest on overdue amounts'),
  onLoan('loan.recover', '/recoveries', 'RecordRecovery', 'Record a recovery on a written-off loan'),
  onLoan('loan.overdue', '/overdue', 'MarkOverdue', 'Mark the loan overdue with days past due'),
  onLoan('loan.default', '/default', 'DeclareDefault', 'Declare the loan in default'),
  onLoan('loan.write_off', '/write-off', 'WriteOffLoan', 'Write the loan off'),
  onLoan(
    'guarantee.issue',
    '/guarantee',
    'IssueGuarantee',
    'The guarantor issues a guarantee for the loan',
    'guarantee',
  ),
  onLoan(
    'guarantee.compensate',
    '/compensation',
    'CompensateBank',
    'The guarantor compensates the bank (代偿)',
    'guarantee',
  ),
  onLoan(
    'guarantee.reimburse',
    '/reimbursements',
    'RecordReimbursement',
    'An upper level reimburses its share',
    'guarantee',
  ),
  onLoan(
    'guarantee.recover',
    '/guarantee/recoveries',
    'ShareRecovery',
    'Record a recovery from the borrower (追偿)',
    'guarantee',
  ),
  onLoan(
    'guarantee.release',
    '/guarantee/release',
    'ReleaseGuarantee',
    'Release a live, uncompensated guarantee (the guarantor or the lender)',
    'guarantee',
  ),
  onLoan(
    'policy.claim',
    '/policy-claims',
    'ClaimPolicyBenefit',
    'Claim policy support for the loan',
    'policy',
  ),
  {
    access: 'policy.decide',
    url: '/v1/loans/:loanId/policy-claims/approval',
    aggregate: 'policy',
    command: 'ApprovePolicyClaim',
    stream: { category: 'policy', param: 'loanId' },
    resource: loan(),
    pathFields: { loanId: 'loanId' },
    summary: 'The fund approves the policy claim (one benefit per loan)',
    tag: 'policies',
  },
  {
    access: 'policy.decide',
    url: '/v1/loans/:loanId/policy-claims/refusal',
    aggregate: 'policy',
    command: 'RefusePolicyClaim',
    stream: { category: 'policy', param: 'loanId' },
    resource: loan(),
    pathFields: { loanId: 'loanId' },
    summary: 'The fund refuses the policy claim, with a reason',
    tag: 'policies',
  },
  {
    access: 'dispute.file',
    url: '/v1/disputes',
    aggregate: 'dispute',
    command: 'FileDispute',
    stream: { category: 'dispute', field: 'disputeId' },
    resource: { category: 'loan', field: 'loanId' },
    createsId: 'disputeId',
    summary: 'File a dispute over a loan',
    tag: 'disputes',
  },
  ...(
    [
      ['dispute.accept', '/acceptance', 'AcceptDispute', 'The arbitration body or court accepts the case'],
      ['dispute.tribunal', '/tribunal', 'AssignTribunal', 'Form the tribunal / assign the judge'],
      ['dispute.evidence', '/evidence', 'SubmitEvidence', 'Submit evidence (by reference)'],
      ['dispute.hearing', '/hearing', 'HoldHearing', 'Record the hearing'],
      ['dispute.award', '/award', 'IssueAward', 'Render the award'],
      ['dispute.settle', '/settlement', 'SettleDispute', 'The parties settle before the award'],
      ['dispute.withdraw', '/withdrawal', 'WithdrawDispute', 'The claimant withdraws before the award'],
      [
        'dispute.enforce',
        '/enforcement',
        'RequestEnforcement',
        'A payee under the award applies to a court for enforcement',
      ],
      ['dispute.close', '/closure', 'CloseDispute', 'The arbitration body or court closes the finished case'],
    ] as const
  ).map(([access, path, command, summary]): CommandRoute => ({
    access,
    url: `/v1/disputes/:disputeId${path}`,
    aggregate: 'dispute',
    command,
    stream: { category: 'dispute', param: 'disputeId' },
    summary,
    tag: 'disputes',
  })),
  // Risk monitoring (风险监测): warnings raised and resolved by the platform's monitoring or a regulator
  {
    access: 'risk.raise',
    url: '/v1/enterprises/:uscc/warnings',
    aggregate: 'riskMonitoring',
    command: 'RaiseWarning',
    stream: { category: 'risk', param: 'uscc' },
    resource: { category: 'enterprise', param: 'uscc' },
    pathFields: { uscc: 'uscc' },
    summary: 'Raise a risk warning about a borrower from a signal (the rule and level follow from it)',
    tag: 'risk',
  },
  {
    access: 'risk.resolve',
    url: '/v1/enterprises/:uscc/warnings/:warningId/resolution',
    aggregate: 'riskMonitoring',
    command: 'ResolveWarning',
    stream: { category: 'risk', param: 'uscc' },
    resource: { category: 'enterprise', param: 'uscc' },
    pathFields: { warningId: 'warningId' },
    summary: 'Resolve an open risk warning, with a note',
    tag: 'risk',
  },
  {
    access: 'notarization.apply',
    url: '/v1/notarizations',
    aggregate: 'notarization',
    command: 'ApplyForNotarization',
    stream: { category: 'notarization', field: 'notarizationId' },
    resource: { category: 'loan', field: 'loanId' },
    createsId: 'notarizationId',
    summary: 'Apply for enforceable notarization (赋强公证) of a loan contract',
    tag: 'notarizations',
  },
  ...(
    [
      ['notarization.identity', '/identity-checks', 'VerifyIdentity', 'Record the identity checks'],
      ['notarization.notarize', '/certificate', 'Notarize', 'Issue the notarial certificate'],
      [
        'notarization.verify_debtor',
        '/debtor-verification',
        'RecordDebtorVerification',
        'Record the verification with the debtor (催告/核实)',
      ],
      [
        'notarization.enforce',
        '/enforcement-certificate',
        'IssueEnforcementCertificate',
        'Issue the enforcement certificate (执行证书)',
      ],
    ] as const
  ).map(([access, path, command, summary]): CommandRoute => ({
    access,
    url: `/v1/notarizations/:notarizationId${path}`,
    aggregate: 'notarization',
    command,
    stream: { category: 'notarization', param: 'notarizationId' },
    summary,
    tag: 'notarizations',
  })),
];
