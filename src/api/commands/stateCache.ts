import type { PositionedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../store/eventStore.ts';
import type { AggregateModule } from './registry.ts';
import { KeyedMutex } from '../keyedMutex.ts';

/**
 * Folded state per stream at a revision, so a command does not read and fold its stream again. Entries
 * are immutable snapshots (deciders are pure and evolve returns new state), bounded (least recently used
 * out). An entry is trusted without a read: the append's expected revision is the entry's revision, so
 * if anyone else (another process, a direct store write) moved the stream, the store refuses the append
 * and handleCommand forgets the entry and decides again on what it reads. Outcomes that append nothing
 * (a refusal, a no-op, a 412) cannot be arbitrated by the store, so handleCommand `refresh`es an entry
 * before standing by them. Keys of keyed commands are not kept here: a stream's entry would grow with every
 * keyed command on it (the soak found a product stream's copy-on-write key map costing O(keys) per command);
 * handleCommand asks the store (`readByIdempotencyKey`, an index) instead.
 */
export interface LoadedStream {
  revision: number | undefined;
  state: unknown;
}

/** A loaded stream, and whether it came from the cache without reading the store (maybe behind). */
export type Loaded = LoadedStream & { unread: boolean };

type AnyDecider = AggregateModule['decider'];

export class StateCache {
  private readonly entries = new Map<string, LoadedStream>();
  /** Serializes this process's commands per stream (see KeyedMutex). */
  readonly streamLocks = new KeyedMutex();

  constructor(private readonly maxEntries = 10_000) {}

  /** The cached entry as it is (no read), or the stream read and folded. */
  async load(store: EventStore, stream: string, decider: AnyDecider): Promise<Loaded> {
    const cached = this.entries.get(stream);
    if (cached) {
      this.put(stream, cached);
      return { revision: cached.revision, state: cached.state, unread: true };
    }
    return this.refresh(store, stream, decider);
  }

  /** The entry brought up to date with what the store holds past its revision. */
  async refresh(store: EventStore, stream: string, decider: AnyDecider): Promise<Loaded> {
    const cached = this.entries.get(stream);
    const from = cached?.revision === undefined ? 0 : cached.revision + 1;
    const events = await store.readStream(stream, { from });
    const base: LoadedStream = cached ?? {
      revision: undefined,
      state: decider.initialState(),
    };
    if (events.length === 0) return { revision: base.revision, state: base.state, unread: false };
    const next = fold(base, events, decider);
    this.put(stream, next);
    return { revision: next.revision, state: next.state, unread: false };
  }

  committed(stream: string, base: LoadedStream, events: PositionedEvent[], decider: AnyDecider): void {
    this.put(stream, fold(base, events, decider));
  }

  forget(stream: string): void {
    this.entries.delete(stream);
  }

  private put(stream: string, entry: LoadedStream): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

function fold(base: LoadedStream, events: PositionedEvent[], decider: AnyDecider): LoadedStream {
  let state = base.state;
  for (const e of events) state = decider.evolve(state, { type: e.type, data: e.data });
  return { revision: events[events.length - 1]!.revision, state };
}
