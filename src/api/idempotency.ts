import { createHmac } from 'node:crypto';
import { canonicalJson } from '../events/canonicalJson.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { LedgerError } from '../errors.ts';
import { KeyedMutex } from './keyedMutex.ts';

/**
 * Idempotency-Key support (see docs/api.md "Retries"). The durable record is the events themselves:
 * every event a keyed command appends carries meta.idempotencyKey and meta.requestDigest, and the
 * response is a pure function of those events, so a retry after a crash finds them in the target stream
 * and answers the same. This in-memory index (org, key) → digest + response is the fast path and also
 * catches a key reused on another route; it is rebuilt from the store by the follower on start.
 */

export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

export interface CommandResponseEvent {
  id: string;
  type: string;
  revision: number;
  /** The event's global position: its Merkle log index on dense stores (SQLite, PostgreSQL). */
  position: number;
}
export interface CommandResponse {
  stream: string;
  streamRevision: number;
  events: CommandResponseEvent[];
}

export interface IdempotencyRecord {
  digest: string;
  response: CommandResponse;
}

export const responseFromEvents = (
  stream: string,
  events: (RecordedEvent & { position: number })[],
): CommandResponse => ({
  stream,
  streamRevision: events[events.length - 1]!.revision,
  events: events.map((e) => ({ id: e.id, type: e.type, revision: e.revision, position: e.position })),
});

export function checkIdempotencyKey(key: string): string {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new LedgerError(
      'LL_VALIDATION_FAILED',
      'Idempotency-Key must be 1 to 200 visible ASCII characters',
      {
        issues: [{ path: 'headers.idempotency-key', message: 'expected 1 to 200 visible ASCII characters' }],
      },
    );
  }
  return key;
}

/**
 * HMAC-SHA256 under a server secret, not a plain hash: bodies may hold personal data (an ID number has
 * so little entropy that a plain digest stored in the log would be reversible by enumeration).
 */
export const requestDigest = (secret: Uint8Array | string, request: unknown): string =>
  createHmac('sha256', secret).update(canonicalJson(request), 'utf8').digest('base64url');

/** A stable resource id for a create command retried with the same key (so the retry targets the same stream). */
export const derivedId = (secret: Uint8Array | string, orgId: string, key: string): string =>
  createHmac('sha256', secret)
    .update(`id\u0000${orgId}\u0000${key}`, 'utf8')
    .digest('base64url')
    .slice(0, 26);

export const DEFAULT_IDEMPOTENCY_ENTRIES = 100_000;

/** One string for an organization's Idempotency-Key (keys are scoped per organization). */
export const indexKey = (orgId: string, key: string) => `${orgId}\u0000${key}`;

export class IdempotencyIndex {
  private readonly records = new Map<string, IdempotencyRecord>();
  private readonly locks = new KeyedMutex();

  /**
   * About 0.5 KiB of heap per entry (measured with 200,000 entries), so the window is bounded by memory,
   * not by the log: 1,000,000 entries would be ~0.5 GiB for a bank that keys every command.
   */
  constructor(private readonly maxEntries = DEFAULT_IDEMPOTENCY_ENTRIES) {}

  get(orgId: string, key: string): IdempotencyRecord | undefined {
    return this.records.get(indexKey(orgId, key));
  }

  set(orgId: string, key: string, record: IdempotencyRecord): void {
    const k = indexKey(orgId, key);
    this.records.delete(k);
    this.records.set(k, record);
    // Oldest first out; past the window a same-stream retry is still caught by the stream itself.
    if (this.records.size > this.maxEntries) this.records.delete(this.records.keys().next().value!);
  }

  /** Follower sink: learns keyed commands from the events (also those of other processes). */
  apply(event: RecordedEvent & { position?: number }): void {
    const { idempotencyKey, requestDigest: digest, actor } = event.meta;
    if (idempotencyKey === undefined || digest === undefined || event.position === undefined) return;
    const existing = this.get(actor.org, idempotencyKey);
    const e = { id: event.id, type: event.type, revision: event.revision, position: event.position };
    if (existing && existing.response.stream === event.stream && existing.digest === digest) {
      if (!existing.response.events.some((x) => x.id === e.id)) {
        existing.response.events.push(e);
        existing.response.streamRevision = Math.max(existing.response.streamRevision, e.revision);
      }
      return;
    }
    if (existing) return; // the first use of a key wins
    this.set(actor.org, idempotencyKey, {
      digest,
      response: { stream: event.stream, streamRevision: e.revision, events: [e] },
    });
  }

  /** Runs `fn` with no other request of this (org, key) in flight in this process. */
  withLock<T>(orgId: string, key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(indexKey(orgId, key), fn);
  }
}
