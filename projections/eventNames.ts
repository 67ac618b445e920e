import { disputeEvents } from '../src/domain/dispute/events.ts';
import type { KnownEventType } from './domainEvents.ts';

/**
 * A view's `handles`: the domain event types it reacts to. Typed against the domain's catalogues
 * (domainEvents.ts), so a renamed or removed event fails the type-check instead of silently matching
 * nothing.
 */
export const typesOf = (types: readonly KnownEventType[]): ReadonlySet<string> => new Set(types);

/** Every event of the dispute aggregate (its stream is `dispute-<disputeId>`). */
export const disputeEventTypes: ReadonlySet<string> = new Set(Object.keys(disputeEvents));
