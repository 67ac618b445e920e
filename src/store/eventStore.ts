import type { EventToAppend, PositionedEvent } from '../events/envelope.ts';

/**
 * The EventStore port (DESIGN.md "Store"). Every adapter (SQLite, PostgreSQL, EventStoreDB) passes the
 * one contract suite in test/store/. Revisions are 0-based; an empty stream is "no stream".
 */

export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedRevision?: ExpectedRevision; // default 'any'
}

export interface AppendResult {
  /** Revision of the last event now in the stream: pass it as expectedRevision for the next append. */
  nextExpectedRevision: number;
  /** Global position of each appended event, in order. */
  positions: number[];
}

export interface ReadStreamOptions {
  from?: number; // first revision, default 0
  max?: number; // default: all
}

export interface ReadAllOptions {
  /** First global position to return (inclusive). Default 0. */
  fromPosition?: number;
  max?: number; // default 1000
  /**
   * Set by followers of new commits: the adapter may answer from its memory of the rows this process
   * just committed (SQLite) instead of querying the table, possibly with a shorter page. Integrity
   * checks must not set it: a row changed or deleted in the table since its commit would not be seen.
   */
  recent?: boolean;
}

export interface ReadAllPage {
  events: PositionedEvent[];
  /** Pass as fromPosition to continue; equals fromPosition when nothing new was found. */
  nextPosition: number;
}

export interface EventStore {
  readonly kind: 'sqlite' | 'postgres' | 'esdb';
  /**
   * Appends atomically. Resolves only after the events are durable. A conflict throws LedgerError
   * LL_WRONG_EXPECTED_REVISION (details: stream, expected, actual) and writes nothing. Re-appending
   * events whose ids are already stored at the same stream and revisions returns the original result.
   */
  appendToStream(stream: string, events: EventToAppend[], options?: AppendOptions): Promise<AppendResult>;
  readStream(stream: string, options?: ReadStreamOptions): Promise<PositionedEvent[]>;
  /** Current revision of a stream, or undefined when it has no events. */
  streamRevision(stream: string): Promise<number | undefined>;
  /** The store's total order. A follower never misses an event that commits later. */
  readAll(options?: ReadAllOptions): Promise<ReadAllPage>;
  /** Position one past the last committed event (the number of events, on dense stores). */
  headPosition(): Promise<number>;
  /** Wakes followers after commits. Returns an unsubscribe function. Followers then call readAll. */
  onAppended(listener: () => void): () => void;
  close(): Promise<void>;
}
