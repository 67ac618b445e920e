import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { canonicalJson } from '../../events/canonicalJson.ts';
import type { EventMeta, EventToAppend, Json, PositionedEvent } from '../../events/envelope.ts';
import { LedgerError, isLedgerError } from '../../errors.ts';
import { wrongExpectedRevision } from '../appendRules.ts';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
} from '../eventStore.ts';
import { Listeners } from '../listeners.ts';
import { validateAppend, validateStreamName } from '../validateAppend.ts';

/**
 * EventStoreDB / KurrentDB adapter (@eventstore/db-client). The mapping (docs/storage.md):
 * - an event is a JSON event: ESDB event id = our id, type = our type, data = our data,
 *   metadata = { ll: 1, schemaVersion, meta }; revisions are ESDB's (0-based) as numbers;
 * - expectedRevision: number ↔ bigint, "no_stream"/"stream_exists"/"any" ↔ the client's constants;
 *   WrongExpectedVersionError → LL_WRONG_EXPECTED_REVISION { stream, expected, actual };
 * - positions are $all commit positions as numbers: a total order, increasing, NOT dense (the Merkle log
 *   assigns dense leaf indexes itself). readAll skips system events ($-streams) and events not written
 *   by this adapter;
 * - idempotency is the server's (by event id); the adapter reads the appended range back to give each
 *   event's position and to reject a retry whose content differs (LL_EVENT_ID_CONFLICT).
 * Limits that ESDB imposes: ids are unique per stream, not across streams, and the server's id check
 * covers recent writes only (docs/storage.md).
 */

export interface EsdbEventStoreOptions {
  /** e.g. esdb://localhost:2113?tls=false, or esdb://node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=ca.crt */
  connectionString: string;
}

interface LedgerMetadata {
  ll: 1;
  schemaVersion: number;
  meta: EventMeta;
}

type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

const isOurs = (e: EsdbRecorded): boolean => {
  if (e.streamId.startsWith('$') || e.type.startsWith('$') || !e.isJson) return false;
  const m = e.metadata as Partial<LedgerMetadata> | undefined;
  return typeof m === 'object' && m !== null && m.ll === 1;
};

/** $all positions as numbers: commit positions (equal to the prepare positions of events on ESDB ≥ 20). */
const positionOf = (e: EsdbRecorded): number => {
  const p = e.position;
  return p === undefined || p.commit >= 2n ** 63n ? -1 : Number(p.commit);
};

const toEvent = (e: EsdbRecorded): PositionedEvent => {
  const m = e.metadata as unknown as LedgerMetadata;
  return {
    id: e.id,
    stream: e.streamId,
    revision: Number(e.revision),
    type: e.type,
    schemaVersion: m.schemaVersion,
    data: e.data as Record<string, Json>,
    meta: m.meta,
    position: positionOf(e),
  };
};

const bodyOf = (e: PositionedEvent): string =>
  canonicalJson({ id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: e.data, meta: e.meta });

const toEsdbExpected = (r: ExpectedRevision): AppendExpectedRevision =>
  r === 'any' ? ANY : r === 'no_stream' ? NO_STREAM : r === 'stream_exists' ? STREAM_EXISTS : BigInt(r);

const UNAVAILABLE_TYPES = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.NOT_LEADER,
  ErrorType.CANCELLED,
]);

const toStoreError = (e: unknown, stream?: string, expected?: ExpectedRevision): LedgerError => {
  if (isLedgerError(e)) return e;
  if (e instanceof WrongExpectedVersionError && stream !== undefined && expected !== undefined) {
    const actual = e.actualVersion === NO_STREAM ? 'no_stream' : Number(e.actualVersion as bigint);
    return wrongExpectedRevision(stream, expected, actual);
  }
  const type = (e as { type?: string })?.type;
  if (type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) {
    return new LedgerError(
      'LL_EVENT_TOO_LARGE',
      `the EventStoreDB server refused the append: ${(e as Error).message}`,
      {},
      { cause: e },
    );
  }
  return new LedgerError(
    'LL_STORE_UNAVAILABLE',
    type !== undefined && UNAVAILABLE_TYPES.has(type)
      ? `EventStoreDB cannot be reached: ${(e as Error).message}`
      : `EventStoreDB failed: ${(e as Error)?.message ?? String(e)}`,
    {},
    { cause: e },
  );
};

export async function openEsdbEventStore(options: EsdbEventStoreOptions): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const listeners = new Listeners();
  let subscription: ReturnType<EventStoreDBClient['subscribeToAll']> | undefined;
  let closed = false;

  /** Last event of $all (system events included) as the head; proves the connection on open. */
  const lastPosition = async (): Promise<number | undefined> => {
    for await (const r of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
      if (r.event?.position) return Number(r.event.position.commit);
    }
    return undefined;
  };
  try {
    await lastPosition();
  } catch (e) {
    await client.dispose().catch(() => {});
    throw toStoreError(e);
  }

  const readStreamRange = async (stream: string, from: number, max: number | undefined) => {
    const out: PositionedEvent[] = [];
    try {
      const read = client.readStream(stream, {
        fromRevision: BigInt(from),
        ...(max !== undefined ? { maxCount: BigInt(max) } : {}),
      });
      for await (const r of read) if (r.event && isOurs(r.event)) out.push(toEvent(r.event));
    } catch (e) {
      if ((e as { type?: string })?.type === ErrorType.STREAM_NOT_FOUND) return out;
      throw toStoreError(e);
    }
    return out;
  };

  const subscribe = () => {
    if (subscription || closed) return;
    const s = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    let pending = false;
    s.on('data', () => {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        listeners.notify();
      });
    });
    s.on('error', () => {
      subscription = undefined;
      if (!closed && listeners.size > 0) setTimeout(subscribe, 1000).unref();
    });
    subscription = s;
  };

  return {
    kind: 'esdb',

    async appendToStream(
      stream: string,
      events: EventToAppend[],
      opts?: AppendOptions,
    ): Promise<AppendResult> {
      const a = validateAppend(stream, events, opts);
      if (closed) throw toStoreError(new Error('the store is closed'));
      let next: number;
      try {
        const result = await client.appendToStream(
          a.stream,
          a.events.map((e) =>
            jsonEvent({
              id: e.id,
              type: e.type,
              data: e.data as JSONType,
              metadata: { ll: 1, schemaVersion: e.schemaVersion, meta: e.meta } satisfies LedgerMetadata,
            }),
          ),
          { expectedRevision: toEsdbExpected(a.expectedRevision) },
        );
        next = Number(result.nextExpectedRevision);
      } catch (e) {
        throw toStoreError(e, a.stream, a.expectedRevision);
      }
      // Read the range back: it gives each event's position, and tells a real write (or a faithful
      // retry) from a retry whose ids the server recognised but whose content differs.
      const first = next - a.events.length + 1;
      const stored = await readStreamRange(a.stream, first, a.events.length);
      for (let i = 0; i < a.events.length; i++) {
        const s = stored[i];
        if (!s || s.id !== a.events[i]!.id || bodyOf(s) !== a.bodies[i]) {
          throw new LedgerError(
            'LL_EVENT_ID_CONFLICT',
            `event id ${a.events[i]!.id} is already stored with other content`,
            {
              id: a.events[i]!.id,
              stream: a.stream,
            },
          );
        }
      }
      listeners.notify();
      return { nextExpectedRevision: next, positions: stored.map((s) => s.position) };
    },

    async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<PositionedEvent[]> {
      return readStreamRange(validateStreamName(stream), opts.from ?? 0, opts.max);
    },

    async streamRevision(stream: string): Promise<number | undefined> {
      const name = validateStreamName(stream);
      try {
        for await (const r of client.readStream(name, {
          direction: BACKWARDS,
          fromRevision: END,
          maxCount: 1,
        })) {
          if (r.event) return Number(r.event.revision);
        }
      } catch (e) {
        if ((e as { type?: string })?.type === ErrorType.STREAM_NOT_FOUND) return undefined;
        throw toStoreError(e);
      }
      return undefined;
    },

    /**
     * Positions handed out are "a real $all position + 1", so reading from fromPosition − 1 always starts
     * at a record boundary; events before fromPosition (that one record) are dropped.
     */
    async readAll(opts: ReadAllOptions = {}): Promise<ReadAllPage> {
      const from = opts.fromPosition ?? 0;
      const max = opts.max ?? 1000;
      const events: PositionedEvent[] = [];
      let start: ReadPosition = from === 0 ? START : { commit: BigInt(from - 1), prepare: BigInt(from - 1) };
      let lastSeen = from - 1;
      try {
        for (;;) {
          const chunk = max + 1;
          let got = 0;
          for await (const r of client.readAll({ fromPosition: start, maxCount: chunk })) {
            got++;
            const e = (r as AllStreamResolvedEvent).event;
            if (!e) continue;
            const pos = Number(e.position.commit);
            if (pos <= lastSeen) continue;
            lastSeen = pos;
            if (isOurs(e)) events.push(toEvent(e));
            if (events.length === max) break;
          }
          if (events.length === max || got < chunk) break;
          start = { commit: BigInt(lastSeen), prepare: BigInt(lastSeen) };
        }
      } catch (e) {
        throw toStoreError(e);
      }
      return { events, nextPosition: events.length > 0 ? events[events.length - 1]!.position + 1 : from };
    },

    async headPosition(): Promise<number> {
      try {
        const last = await lastPosition();
        return last === undefined ? 0 : last + 1;
      } catch (e) {
        throw toStoreError(e);
      }
    },

    onAppended(listener: () => void): () => void {
      const off = listeners.add(listener);
      subscribe();
      return off;
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await subscription?.unsubscribe().catch(() => {});
      await client.dispose();
    },
  };
}
