import { z } from 'zod';

/** What can raise a warning, with the number that grades it (days, fen or bps, per kind). */
export const SignalKind = z.enum([
  'overdue',
  'new_penalty',
  'tax_arrears',
  'utility_arrears',
  'authorization_revoked',
  'loss_rate_approaching',
]);
export type SignalKind = z.infer<typeof SignalKind>;
export const WarningLevel = z.enum(['blue', 'yellow', 'orange', 'red']);
export type WarningLevel = z.infer<typeof WarningLevel>;

/**
 * The warning rules (预警规则), most severe first within a kind. `value`: overdue = days past due;
 * new_penalty = penalty fen; loss_rate_approaching = the programme's loss rate as bps of its ceiling
 * (10,000 = at the ceiling); others ignore it.
 */
export const warningRules: { rule: string; kind: SignalKind; minValue: number; level: WarningLevel }[] = [
  { rule: 'risk.overdue.90_days', kind: 'overdue', minValue: 90, level: 'red' },
  { rule: 'risk.overdue.30_days', kind: 'overdue', minValue: 30, level: 'orange' },
  { rule: 'risk.overdue.1_day', kind: 'overdue', minValue: 1, level: 'yellow' },
  { rule: 'risk.penalty.charged', kind: 'new_penalty', minValue: 1, level: 'yellow' },
  { rule: 'risk.tax.arrears', kind: 'tax_arrears', minValue: 0, level: 'orange' },
  { rule: 'risk.utility.arrears', kind: 'utility_arrears', minValue: 0, level: 'yellow' },
  { rule: 'risk.authorization.revoked', kind: 'authorization_revoked', minValue: 0, level: 'blue' },
  { rule: 'risk.loss_rate.at_ceiling', kind: 'loss_rate_approaching', minValue: 10_000, level: 'red' },
  { rule: 'risk.loss_rate.90_percent', kind: 'loss_rate_approaching', minValue: 9_000, level: 'orange' },
  { rule: 'risk.loss_rate.80_percent', kind: 'loss_rate_approaching', minValue: 8_000, level: 'yellow' },
];

export const ruleFor = (kind: SignalKind, value: number) =>
  warningRules.find((r) => r.kind === kind && value >= r.minValue);

/**
 * Maps a domain event to the signal it carries, if any, so a projection can feed RaiseWarning
 * commands without re-implementing the rules.
 */
export const signalFromEvent = (
  type: string,
  data: Record<string, unknown>,
): { kind: SignalKind; value: number } | undefined => {
  switch (type) {
    case 'LoanOverdue':
      return { kind: 'overdue', value: data.daysPastDue as number };
    case 'PenaltyCharged':
      return (data.amountFen as number) > 0
        ? { kind: 'new_penalty', value: data.amountFen as number }
        : undefined;
    case 'AuthorizationRevoked':
      return { kind: 'authorization_revoked', value: 0 };
    case 'CreditInfoSubmitted': {
      const r = data.record as { category: string; taxArrears?: boolean; arrears?: boolean };
      if (r.category === 'tax' && r.taxArrears) return { kind: 'tax_arrears', value: 0 };
      if (r.category === 'utilities' && r.arrears) return { kind: 'utility_arrears', value: 0 };
      return undefined;
    }
    default:
      return undefined;
  }
};
