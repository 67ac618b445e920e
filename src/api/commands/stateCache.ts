import type { PositionedEvent } from '../../events/envelope.ts';
import type { EventStore } from '../../store/eventStore.ts';
import type { AggregateModule } from './registry.ts';
import { indexKey } from '../idempotency.ts';
import { KeyedMutex } from '../keyedMutex.ts';

/**
 * Folded state per stream at a revision, so a command does not read and fold its stream again. Entries
 * are immutable snapshots (deciders are pure and evolve returns new state), bounded (least recently used
 * out). An entry is trusted without a read: the append's expected revision is the entry's revision, so
 * if anyone else (another process, a direct store write) moved the stream, the store refuses the append
 * and handleCommand forgets the entry and decides again on what it reads. Outcomes that append nothing
 * (a refusal, a no-op, a 412) cannot be arbitrated by the store, so handleCommand `refresh`es an entry
 * before standing by them.
 *
 * Each entry also knows its stream's keyed commands (`StreamKeys`): every (org, Idempotency-Key) in the
 * events folded into it, collected on the same read. So a retry of any age is recognized on the state it
 * is decided on, without a key index in the store (an index leaf page of its own per keyed append, the
 * largest cost of a keyed command: docs/perf.md). The key set is shared by a stream's successive entries
 * and only grows, never copied (the soak once found a copy-on-write key map costing O(keys) per command);
 * the cache is bounded by its keys as well as by its streams.
 */
export interface LoadedStream {
  revision: number | undefined;
  state: unknown;
  keys: StreamKeys;
}

/** The revisions of one keyed command's events (consecutive: one append). */
export interface KeyedRun {
  from: number;
  to: number;
}

/** The keyed commands in a stream's events: (org, Idempotency-Key) → the revisions of its events. */
export class StreamKeys {
  private readonly runs = new Map<string, KeyedRun>();

  get size(): number {
    return this.runs.size;
  }

  /** Takes in one event of the stream, in revision order. */
  add(event: PositionedEvent): void {
    const key = event.meta.idempotencyKey;
    if (key === undefined) return;
    const id = indexKey(event.meta.actor.org, key);
    const run = this.runs.get(id);
    if (run === undefined) this.runs.set(id, { from: event.revision, to: event.revision });
    else if (event.revision > run.to) run.to = event.revision;
  }

  /** The events of this organization's key at or below `revision` (the state decided on), if any. */
  find(org: string, key: string, revision: number | undefined): KeyedRun | undefined {
    const run = this.runs.get(indexKey(org, key));
    return run !== undefined && revision !== undefined && run.from <= revision ? run : undefined;
  }
}

/** A loaded stream, and whether it came from the cache without reading the store (maybe behind). */
export type Loaded = LoadedStream & { unread: boolean };

type AnyDecider = AggregateModule['decider'];

/**
 * Keys held over all entries before the oldest entries go: ~50 MiB (~200 B a key with a UUID key and an
 * 18-character org, measured). A stream with more keyed commands than this still works: it is then the
 * only entry, and read again when it leaves.
 */
export const DEFAULT_STATE_CACHE_KEYS = 250_000;

export class StateCache {
  private readonly entries = new Map<string, LoadedStream>();
  /** Each entry's key count when it was put, and their sum (an entry's StreamKeys grows in place). */
  private readonly keysCounted = new Map<string, number>();
  private keysHeld = 0;
  /** Serializes this process's commands per stream (see KeyedMutex). */
  readonly streamLocks = new KeyedMutex();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly maxKeys = DEFAULT_STATE_CACHE_KEYS,
  ) {}

  /** The cached entry as it is (no read), or the stream read and folded. */
  async load(store: EventStore, stream: string, decider: AnyDecider): Promise<Loaded> {
    const cached = this.entries.get(stream);
    if (cached) {
      this.put(stream, cached);
      return { revision: cached.revision, state: cached.state, keys: cached.keys, unread: true };
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
      keys: new StreamKeys(),
    };
    if (events.length === 0)
      return { revision: base.revision, state: base.state, keys: base.keys, unread: false };
    const next = fold(base, events, decider);
    this.put(stream, next);
    return { revision: next.revision, state: next.state, keys: next.keys, unread: false };
  }

  committed(stream: string, base: LoadedStream, events: PositionedEvent[], decider: AnyDecider): void {
    this.put(stream, fold(base, events, decider));
  }

  forget(stream: string): void {
    this.entries.delete(stream);
    this.keysHeld -= this.keysCounted.get(stream) ?? 0;
    this.keysCounted.delete(stream);
  }

  private put(stream: string, entry: LoadedStream): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    this.keysHeld += entry.keys.size - (this.keysCounted.get(stream) ?? 0);
    this.keysCounted.set(stream, entry.keys.size);
    while (this.entries.size > this.maxEntries || (this.keysHeld > this.maxKeys && this.entries.size > 1))
      this.forget(this.entries.keys().next().value!);
  }
}

/** The entry after `events`; their keys join the stream's StreamKeys (shared with `base`). */
function fold(base: LoadedStream, events: PositionedEvent[], decider: AnyDecider): LoadedStream {
  let state = base.state;
  for (const e of events) {
    state = decider.evolve(state, { type: e.type, data: e.data });
    base.keys.add(e);
  }
  return { revision: events[events.length - 1]!.revision, state, keys: base.keys };
}
