import type { PositionedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../store/eventStore.ts';
import type { AggregateModule } from './registry.ts';
import { KeyedMutex } from '../keyedMutex.ts';
import { responseFromEvents, type IdempotencyRecord } from '../idempotency.ts';

/**
 * Folded state per stream at a revision, so a command does not read and fold its stream again. Entries
 * are immutable snapshots (deciders are pure and evolve returns new state), bounded (least recently used
 * out). An entry is trusted without a read: the append's expected revision is the entry's revision, so
 * if anyone else (another process, a direct store write) moved the stream, the store refuses the append
 * and handleCommand forgets the entry and decides again on what it reads. Outcomes that append nothing
 * (a refusal, a no-op, a 412) cannot be arbitrated by the store, so handleCommand `refresh`es an entry
 * before standing by them. Also remembers the idempotency keys seen in the stream (the durable replay record).
 */
export interface LoadedStream {
  revision: number | undefined;
  state: unknown;
  /** `${org}\0${key}` → the response its events make. */
  keyed: Map<string, IdempotencyRecord>;
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
      return { ...cached, unread: true };
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
      keyed: new Map(),
    };
    if (events.length === 0) return { ...base, unread: false };
    const next = fold(base, events, decider);
    this.put(stream, next);
    return { ...next, unread: false };
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
  let keyed = base.keyed;
  const byKey = new Map<string, PositionedEvent[]>();
  for (const e of events) {
    state = decider.evolve(state, { type: e.type, data: e.data });
    const { idempotencyKey, requestDigest, actor } = e.meta;
    if (idempotencyKey !== undefined && requestDigest !== undefined) {
      const k = `${actor.org}\u0000${idempotencyKey}`;
      byKey.set(k, [...(byKey.get(k) ?? []), e]);
    }
  }
  if (byKey.size > 0) {
    keyed = new Map(keyed);
    for (const [k, evs] of byKey) {
      if (!keyed.has(k))
        keyed.set(k, {
          digest: evs[0]!.meta.requestDigest!,
          response: responseFromEvents(evs[0]!.stream, evs),
        });
    }
  }
  return { revision: events[events.length - 1]!.revision, state, keyed };
}
