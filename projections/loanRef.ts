import type { PositionedEvent } from '../src/events/envelope.ts';
import { str, streamCategory, streamId } from './eventData.ts';

/** Streams named after their loan: `loan-<loanId>` and the loan's policy claims, `policy-<loanId>`. */
const LOAN_NAMED = new Set(['loan', 'policy']);

/** The loan an event is about: its `loanId`, else the id of a loan-named stream. */
export const loanIdOf = (e: PositionedEvent): string | undefined =>
  str(e.data, 'loanId') ?? (LOAN_NAMED.has(streamCategory(e.stream)) ? streamId(e.stream) : undefined);

/** The dispute an event is about. */
export const disputeIdOf = (e: PositionedEvent): string | undefined =>
  str(e.data, 'disputeId') ?? (streamCategory(e.stream) === 'dispute' ? streamId(e.stream) : undefined);
