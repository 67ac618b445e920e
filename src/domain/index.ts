import type { z } from 'zod';
import { authorizationCommands } from './authorization/commands.ts';
import { authorizationDecider } from './authorization/decider.ts';
import { authorizationEvents } from './authorization/events.ts';
import { creditCommands } from './credit/commands.ts';
import { creditDecider } from './credit/decider.ts';
import { creditEvents } from './credit/events.ts';
import type { Command, Decider, DomainEvent } from './decider.ts';
import { enterpriseCommands, enterpriseRequests } from './enterprise/commands.ts';
import { enterpriseDecider } from './enterprise/decider.ts';
import { enterpriseEvents } from './enterprise/events.ts';
import { guaranteeCommands } from './guarantee/commands.ts';
import { guaranteeDecider } from './guarantee/decider.ts';
import { guaranteeEvents } from './guarantee/events.ts';
import { loanCommands } from './loan/commands.ts';
import { loanDecider } from './loan/decider.ts';
import { loanEvents } from './loan/events.ts';
import { productCommands } from './product/commands.ts';
import { productDecider } from './product/decider.ts';
import { productEvents } from './product/events.ts';
import { policyCommands } from './policy/commands.ts';
import { policyDecider } from './policy/decider.ts';
import { policyEvents } from './policy/events.ts';
import { disputeCommands } from './dispute/commands.ts';
import { disputeDecider } from './dispute/decider.ts';
import { disputeEvents } from './dispute/events.ts';
import { notarizationCommands } from './notarization/commands.ts';
import { notarizationDecider } from './notarization/decider.ts';
import { notarizationEvents } from './notarization/events.ts';
import { riskMonitoringCommands } from './riskMonitoring/commands.ts';
import { riskMonitoringDecider } from './riskMonitoring/decider.ts';
import { riskMonitoringEvents } from './riskMonitoring/events.ts';
import type { CommandSchemas, EventSchemas } from './schema.ts';

/**
 * Every aggregate in one registry, so the API (routes, OpenAPI) and the event-catalogue generator
 * iterate over the same list. Stream of an aggregate instance: `${streamPrefix}-${id}`.
 */
export interface AggregateDefinition {
  name: string;
  streamPrefix: string;
  description: string;
  /**
   * The command whose data names the stream id (`data[idField]`). It creates the stream; for credit,
   * policy and risk streams it may also be sent again to an existing stream. Other commands take the id from the route.
   */
  creation: { command: string; idField: string };
  // The registry is heterogeneous: callers parse with commandSchemas first, then decide.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  decider: Decider<any, any, any>;
  commandSchemas: CommandSchemas;
  /** Where the HTTP body differs from the decider's command (personal data that must be vaulted first). */
  requestSchemas: Partial<Record<string, z.ZodType>>;
  eventSchemas: EventSchemas;
}

export const aggregates = [
  {
    name: 'enterprise',
    streamPrefix: 'enterprise',
    description:
      'Real-name registration (统一社会信用代码) and the legal representative, through the PII vault.',
    creation: { command: 'RegisterEnterprise', idField: 'uscc' },
    decider: enterpriseDecider,
    commandSchemas: enterpriseCommands,
    requestSchemas: enterpriseRequests,
    eventSchemas: enterpriseEvents,
  },
  {
    name: 'credit',
    streamPrefix: 'credit',
    description:
      'Credit information by category, credit evaluation and the white list (白名单); one stream per enterprise (USCC).',
    creation: { command: 'SubmitCreditInfo', idField: 'uscc' },
    decider: creditDecider,
    commandSchemas: creditCommands,
    requestSchemas: {},
    eventSchemas: creditEvents,
  },
  {
    name: 'authorization',
    streamPrefix: 'authorization',
    description:
      'An enterprise’s grant (经企业授权) to one institution for named credit-data categories, and each access under it.',
    creation: { command: 'GrantAuthorization', idField: 'grantId' },
    decider: authorizationDecider,
    commandSchemas: authorizationCommands,
    requestSchemas: {},
    eventSchemas: authorizationEvents,
  },
  {
    name: 'product',
    streamPrefix: 'product',
    description: 'A bank’s loan product in the product pool (贷款产品清单).',
    creation: { command: 'PublishProduct', idField: 'productId' },
    decider: productDecider,
    commandSchemas: productCommands,
    requestSchemas: {},
    eventSchemas: productEvents,
  },
  {
    name: 'loan',
    streamPrefix: 'loan',
    description:
      'One financing from application and matching through contract, disbursement, repayment, default and write-off.',
    creation: { command: 'ApplyForLoan', idField: 'loanId' },
    decider: loanDecider,
    commandSchemas: loanCommands,
    requestSchemas: {},
    eventSchemas: loanEvents,
  },
  {
    name: 'guarantee',
    streamPrefix: 'guarantee',
    description:
      'A guarantee on a loan with its risk-sharing agreement (4321): compensation, reimbursements, recoveries.',
    creation: { command: 'IssueGuarantee', idField: 'loanId' },
    decider: guaranteeDecider,
    commandSchemas: guaranteeCommands,
    requestSchemas: {},
    eventSchemas: guaranteeEvents,
  },
  {
    name: 'policy',
    streamPrefix: 'policy',
    description:
      'Policy benefits for one loan (风险补偿, 贴息, 担保补贴): one benefit per loan (不重复享受). Stream id = loan id.',
    creation: { command: 'ClaimPolicyBenefit', idField: 'loanId' },
    decider: policyDecider,
    commandSchemas: policyCommands,
    requestSchemas: {},
    eventSchemas: policyEvents,
  },
  {
    name: 'dispute',
    streamPrefix: 'dispute',
    description:
      'A dispute over a loan: online arbitration or internet court, from filing to award, enforcement and closing.',
    creation: { command: 'FileDispute', idField: 'disputeId' },
    decider: disputeDecider,
    commandSchemas: disputeCommands,
    requestSchemas: {},
    eventSchemas: disputeEvents,
  },
  {
    name: 'notarization',
    streamPrefix: 'notarization',
    description:
      'Online enforceable notarization (线上赋强公证) of a loan contract and the enforcement certificate (执行证书).',
    creation: { command: 'ApplyForNotarization', idField: 'notarizationId' },
    decider: notarizationDecider,
    commandSchemas: notarizationCommands,
    requestSchemas: {},
    eventSchemas: notarizationEvents,
  },
  {
    name: 'riskMonitoring',
    streamPrefix: 'risk',
    description:
      'Early warnings about a borrower, each with a level and the rule that raised it. Stream id = USCC.',
    creation: { command: 'RaiseWarning', idField: 'uscc' },
    decider: riskMonitoringDecider,
    commandSchemas: riskMonitoringCommands,
    requestSchemas: {},
    eventSchemas: riskMonitoringEvents,
  },
] as const satisfies readonly AggregateDefinition[];

export type AggregateName = (typeof aggregates)[number]['name'];

export const aggregateByName = (name: string): AggregateDefinition | undefined =>
  (aggregates as readonly AggregateDefinition[]).find((a) => a.name === name);

/** The aggregate whose deciders handle `commandType` (command types are unique across aggregates). */
export const aggregateForCommand = (commandType: string): AggregateDefinition | undefined =>
  (aggregates as readonly AggregateDefinition[]).find((a) => commandType in a.commandSchemas);

export const streamName = (aggregate: AggregateDefinition, id: string): string =>
  `${aggregate.streamPrefix}-${id}`;

/** Folds recorded events (type + data) into a state. */
export const foldState = <S>(decider: Decider<Command, DomainEvent, S>, events: readonly DomainEvent[]): S =>
  events.reduce((s, e) => decider.evolve(s, e), decider.initialState());

export type { Command, CommandMetadata, Decider, DomainEvent } from './decider.ts';
export { domainError } from './decider.ts';
