import type { AuthorizationEvent } from '../src/domain/authorization/events.ts';
import type { CreditEvent } from '../src/domain/credit/events.ts';
import type { DisputeEvent } from '../src/domain/dispute/events.ts';
import type { EnterpriseEvent } from '../src/domain/enterprise/events.ts';
import type { GuaranteeEvent } from '../src/domain/guarantee/events.ts';
import type { LoanEvent } from '../src/domain/loan/events.ts';
import type { PolicyEvent } from '../src/domain/policy/events.ts';
import type { ProductEvent } from '../src/domain/product/events.ts';
import type { RiskMonitoringEvent } from '../src/domain/riskMonitoring/events.ts';
import type { PositionedEvent } from '../src/events/envelope.ts';

/** The domain events whose schemas the views are typed against (src/domain/<aggregate>/events.ts). */
export type KnownEvent =
  | EnterpriseEvent
  | AuthorizationEvent
  | CreditEvent
  | ProductEvent
  | LoanEvent
  | GuaranteeEvent
  | PolicyEvent
  | DisputeEvent
  | RiskMonitoringEvent;

export type KnownEventType = KnownEvent['type'];

/**
 * The stored event seen as a domain event, so a `switch (ev.type)` narrows its data. Sound because the
 * store only holds events the domain's schemas accepted on append; an unknown type simply matches no
 * case.
 */
export const known = (e: PositionedEvent): KnownEvent => e as unknown as KnownEvent;
