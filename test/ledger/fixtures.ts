import type { EventToAppend } from '../../src/events/envelope.ts';
import { newEventId } from '../../src/events/ids.ts';

/** A plausible loan event; `n` varies the content so every leaf differs. */
export const loanEvent = (n: number): EventToAppend => ({
  id: newEventId(),
  type: 'LoanDisbursed',
  schemaVersion: 1,
  data: { loanId: `L${n}`, amountFen: 1_000_000 + n, rateBps: 435 },
  meta: {
    actor: { org: 'bank-001', role: 'bank' },
    recordedAt: '2026-01-31T08:00:00.000Z',
    correlationId: `c-${n}`,
    causationId: `c-${n}`,
  },
});
