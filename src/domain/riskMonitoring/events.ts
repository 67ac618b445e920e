import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { Id, Instant, ShortText, type EventOf, type EventSchemas } from '../schema.ts';
import { SignalKind, WarningLevel } from './rules.ts';

export const Signal = z.strictObject({
  kind: SignalKind,
  value: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The event or stream that raised it, e.g. "loan-L1@7". */
  sourceRef: z.string().min(1).max(200),
});

export const riskMonitoringEvents = {
  WarningRaised: {
    schemaVersion: 1,
    description: 'An early warning (预警) about a borrower, with its level and the rule that raised it.',
    schema: z.strictObject({
      warningId: Id,
      uscc: Uscc,
      rule: ShortText,
      level: WarningLevel,
      signal: Signal,
      raisedAt: Instant,
    }),
  },
  WarningResolved: {
    schemaVersion: 1,
    description: 'A warning was resolved, with a note.',
    schema: z.strictObject({ warningId: Id, note: ShortText, resolvedAt: Instant }),
  },
} satisfies EventSchemas;

export type RiskMonitoringEvent = EventOf<typeof riskMonitoringEvents>;
