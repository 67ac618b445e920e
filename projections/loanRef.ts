import type { PositionedEvent } from '../src/events/envelope.ts';
import { str, streamCategory, streamId } from './eventData.ts';

/** The loan an event is about: its `loanId`, else the id of a `loan-<id>` stream. */
export const loanIdOf = (e: PositionedEvent): string | undefined =>
  str(e.data, 'loanId') ?? (streamCategory(e.stream) === 'loan' ? streamId(e.stream) : undefined);

/** The dispute an event is about. */
export const disputeIdOf = (e: PositionedEvent): string | undefined =>
  str(e.data, 'disputeId') ?? (streamCategory(e.stream) === 'dispute' ? streamId(e.stream) : undefined);
