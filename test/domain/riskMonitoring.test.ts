import { describe, expect, it } from 'vitest';
import type { RiskMonitoringCommand } from '../../src/domain/riskMonitoring/commands.ts';
import { riskMonitoringDecider } from '../../src/domain/riskMonitoring/decider.ts';
import { riskMonitoringEvents } from '../../src/domain/riskMonitoring/events.ts';
import { signalFromEvent } from '../../src/domain/riskMonitoring/rules.ts';
import { BANK, USCC } from './fixtures.ts';
import { commands, DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(riskMonitoringDecider, riskMonitoringEvents);
const c = commands<RiskMonitoringCommand>();
const raise = (
  warningId: string,
  kind: 'overdue' | 'loss_rate_approaching' | 'tax_arrears',
  value: number,
  sourceRef = 'loan-L1@9',
) => c('RaiseWarning', { warningId, uscc: USCC, signal: { kind, value, sourceRef } }, ['system', 'platform']);

describe('risk monitoring decider', () => {
  it('grades by rule: overdue 10 / 45 / 95 days → yellow / orange / red', () => {
    for (const [days, level, rule] of [
      [10, 'yellow', 'risk.overdue.1_day'],
      [45, 'orange', 'risk.overdue.30_days'],
      [95, 'red', 'risk.overdue.90_days'],
    ] as const) {
      spec([])
        .when(raise('W1', 'overdue', days))
        .then([
          {
            type: 'WarningRaised',
            data: {
              warningId: 'W1',
              uscc: USCC,
              rule,
              level,
              signal: { kind: 'overdue', value: days, sourceRef: 'loan-L1@9' },
              raisedAt: NOW,
            },
          },
        ]);
    }
    spec([])
      .when(raise('W1', 'loss_rate_approaching', 9_200))
      .then(([e]) => expect(e?.data).toMatchObject({ level: 'orange', rule: 'risk.loss_rate.90_percent' }));
  });

  it('refuses a signal below every rule, a duplicate open warning, a bank as actor', () => {
    spec([])
      .when(raise('W1', 'loss_rate_approaching', 5_000))
      .thenThrows('risk.warning.below_threshold');
    const first = riskMonitoringDecider.decide(
      raise('W1', 'tax_arrears', 0),
      riskMonitoringDecider.initialState(),
    );
    spec(first)
      .when(raise('W2', 'tax_arrears', 0))
      .thenThrows('risk.warning.already_open');
    spec(first)
      .when(c('ResolveWarning', { warningId: 'W1', note: 'paid' }, ['operator', 'platform']))
      .then(([e]) => expect(e?.type).toBe('WarningResolved'));
    spec([])
      .when(c('ResolveWarning', { warningId: 'W1', note: 'x' }, ['operator', 'platform']))
      .thenThrows('risk.resolve.not_open');
    spec([])
      .when(c('RaiseWarning', raise('W1', 'overdue', 3).data, ['bank', BANK]))
      .thenThrows('risk.actor_not_allowed');
  });

  it('maps domain events to signals', () => {
    expect(signalFromEvent('LoanOverdue', { daysPastDue: 31 })).toEqual({ kind: 'overdue', value: 31 });
    expect(signalFromEvent('CreditInfoSubmitted', { record: { category: 'tax', taxArrears: true } })).toEqual(
      { kind: 'tax_arrears', value: 0 },
    );
    expect(
      signalFromEvent('CreditInfoSubmitted', { record: { category: 'tax', taxArrears: false } }),
    ).toBeUndefined();
    expect(signalFromEvent('AuthorizationRevoked', {})).toEqual({ kind: 'authorization_revoked', value: 0 });
  });
});
