import type { Json, Role } from '../events/envelope.ts';
import { LedgerError } from '../errors.ts';

/**
 * Emmett-style decider: pure functions, no I/O, no clock. Time and the acting organization come in
 * with the command, so the same command on the same state always yields the same events.
 */
export interface CommandMetadata {
  actor: { org: string; role: Role };
  /** The instant the command is decided at (UTC, ms precision ISO string). */
  now: string;
}

export interface Command<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
  metadata: CommandMetadata;
}

export interface DomainEvent<
  Type extends string = string,
  Data extends Record<string, Json> = Record<string, Json>,
> {
  type: Type;
  data: Data;
}

export interface Decider<C extends Command, E extends DomainEvent, S> {
  initialState: () => S;
  /** Returns the new events, or throws a domain error (see domainError) naming the broken rule. */
  decide: (command: C, state: S) => E[];
  evolve: (state: S, event: E) => S;
}

/** A rule of the financing process was broken. `rule` is stable (e.g. "loan.disburse.contract_not_executed"). */
export const domainError = (
  rule: string,
  message: string,
  details: Record<string, unknown> = {},
): LedgerError => new LedgerError('LL_DOMAIN_RULE_VIOLATED', message, { rule, ...details });
