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
import type { CommandSchemas, EventSchemas } from './schema.ts';

/**
 * Every aggregate in one registry, so the API (routes, OpenAPI) and the event-catalogue generator
 * iterate over the same list. Stream of an aggregate instance: `${streamPrefix}-${id}`.
 */
export interface AggregateDefinition {
  name: string;
  streamPrefix: string;
  description: string;
  /** How the id of a new stream is read from its creating command (other commands address an existing stream). */
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
    creation: { command: 'IssueGuarantee', idField: 'guaranteeId' },
    decider: guaranteeDecider,
    commandSchemas: guaranteeCommands,
    requestSchemas: {},
    eventSchemas: guaranteeEvents,
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
