import type { z } from 'zod';
import type { Command, Decider, DomainEvent } from '../../domain/decider.ts';
import type { EventStore } from '../../store/eventStore.ts';

/** What a prepare step may use: read the store (never write), know who acts on which stream. */
export interface PrepareContext {
  store: EventStore;
  stream: string;
  actor: { org: string; role: string };
  /** The stream's folded state the command is first decided on (the decider checks again on fresh state). */
  state: unknown;
}

/**
 * What the API needs from an aggregate: its decider, the zod schema of each command's data (the HTTP
 * body is that schema minus the fields taken from the path) and the schema version of each event.
 * The composition root builds this from src/domain/index.ts; the API adds its own `organization`.
 */
export interface AggregateModule {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  decider: Decider<Command<string, any>, DomainEvent, any>;
  commands: Record<string, z.ZodType>;
  /**
   * HTTP body schemas where they differ from the command's (clear personal data that must stop at the
   * vault), with the step turning such a body into the command's data.
   */
  requests?: Record<string, z.ZodType>;
  prepare?: Record<string, (body: unknown, ctx: PrepareContext) => Promise<unknown>>;
  /** Event type → schema version (default 1). */
  eventVersions?: Record<string, number>;
}

export type AggregateRegistry = Record<string, AggregateModule>;
