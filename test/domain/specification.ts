import { expect } from 'vitest';
import type { Role } from '../../src/events/envelope.ts';
import type { Command, Decider, DomainEvent } from '../../src/domain/decider.ts';
import type { EventSchemas } from '../../src/domain/schema.ts';
import { isLedgerError } from '../../src/errors.ts';

/**
 * Emmett-style given/when/then for deciders: given(events).when(command).then(events) or
 * .thenThrows(rule). Every event a decider produces is also parsed with its catalogue schema, so a
 * decider cannot emit what the event catalogue does not describe.
 */
export const DeciderSpecification = {
  for<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>, schemas?: EventSchemas) {
    return (given: readonly E[]) => ({
      when: (command: C) => {
        const run = (): E[] => {
          const state = given.reduce((s, e) => decider.evolve(s, e), decider.initialState());
          return decider.decide(command, state);
        };
        const checked = (): E[] => {
          const events = run();
          if (schemas) {
            for (const e of events) {
              const entry = schemas[e.type];
              expect(entry, `event type ${e.type} is in the catalogue`).toBeDefined();
              const parsed = entry?.schema.safeParse(e.data);
              expect(
                parsed?.success,
                `${e.type} matches its schema: ${JSON.stringify(parsed?.error?.issues)}`,
              ).toBe(true);
            }
          }
          return events;
        };
        return {
          then: (expected: readonly E[] | ((events: E[]) => void)): E[] => {
            const events = checked();
            if (typeof expected === 'function') expected(events);
            else expect(events).toEqual(expected);
            return events;
          },
          thenThrows: (rule: string): void => {
            let thrown: unknown;
            try {
              run();
            } catch (e) {
              thrown = e;
            }
            expect(thrown, `expected rule ${rule} to be broken`).toBeDefined();
            expect(isLedgerError(thrown) && thrown.code).toBe('LL_DOMAIN_RULE_VIOLATED');
            expect(isLedgerError(thrown) && thrown.details.rule).toBe(rule);
          },
        };
      },
    });
  },
};

export const NOW = '2026-03-01T08:00:00.000Z';

/** `const c = commands<LoanCommand>()`, then `c('ApplyForLoan', data, ['enterprise', USCC])`: typed per command type. */
export const commands =
  <C extends Command>() =>
  <T extends C['type']>(
    type: T,
    data: Extract<C, { type: T }>['data'],
    actor: [Role, string],
    now: string = NOW,
  ): Extract<C, { type: T }> =>
    ({ type, data, metadata: { actor: { role: actor[0], org: actor[1] }, now } }) as unknown as Extract<
      C,
      { type: T }
    >;
