import { canonicalJson } from '../events/canonicalJson.ts';
import { EventToAppend, StreamName } from '../events/envelope.ts';
import { isPlainEventToAppend } from '../events/envelopeCheck.ts';
import { LedgerError } from '../errors.ts';
import type { ExpectedRevision } from './eventStore.ts';

/**
 * Input checks shared by every adapter, run before anything touches storage: a failed check throws a
 * LedgerError with its own code and writes nothing.
 */

/** Limit on the RFC 8785 canonical bytes of one event's `data`; the envelope (bounded by its schema) comes on top. */
export const MAX_EVENT_DATA_BYTES = 1_048_576;
/** Limit on events in one append (one transaction). */
export const MAX_EVENTS_PER_APPEND = 10_000;

export interface ValidatedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: EventToAppend[];
  /** Canonical JSON of each event as given (id, type, schemaVersion, data, meta): what is stored and compared on retry. */
  bodies: string[];
}

const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

export function validateStreamName(stream: unknown): string {
  const parsed = StreamName.safeParse(stream);
  if (!parsed.success) {
    throw new LedgerError(
      'LL_INVALID_STREAM_NAME',
      `stream name ${JSON.stringify(String(stream).slice(0, 60))} is not valid: ${parsed.error.issues[0]?.message ?? ''}`,
      { issues: issuesOf(parsed.error) },
    );
  }
  return parsed.data;
}

export function validateExpectedRevision(value: unknown): ExpectedRevision {
  if (value === undefined) return 'any';
  if (value === 'any' || value === 'no_stream' || value === 'stream_exists') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  throw new LedgerError(
    'LL_INVALID_EXPECTED_REVISION',
    `expectedRevision must be a revision (integer ≥ 0), "no_stream", "stream_exists" or "any"; got ${JSON.stringify(value) ?? String(value)}`,
    { expectedRevision: typeof value === 'string' || typeof value === 'number' ? value : String(value) },
  );
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

export function validateAppend(
  stream: unknown,
  events: unknown,
  options?: { expectedRevision?: unknown },
): ValidatedAppend {
  const name = validateStreamName(stream);
  const expectedRevision = validateExpectedRevision(options?.expectedRevision);
  if (!Array.isArray(events) || events.length === 0) {
    throw new LedgerError('LL_VALIDATION_FAILED', 'events must be a non-empty array', {
      issues: [{ path: 'events', message: 'expected a non-empty array' }],
    });
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new LedgerError('LL_VALIDATION_FAILED', `at most ${MAX_EVENTS_PER_APPEND} events per append`, {
      issues: [{ path: 'events', message: `more than ${MAX_EVENTS_PER_APPEND} events` }],
    });
  }
  const parsedEvents: EventToAppend[] = [];
  const bodies: string[] = [];
  const ids = new Set<string>();
  for (const [index, raw] of events.entries()) {
    // The common case is checked by hand (same acceptance, a fraction of the cost); zod parses the
    // rest, and gives the refusal its paths.
    const parsed = isPlainEventToAppend(raw)
      ? { success: true as const, data: raw }
      : EventToAppend.safeParse(raw);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error).map((i) => ({
        ...i,
        path: `events.${index}${i.path ? `.${i.path}` : ''}`,
      }));
      throw new LedgerError(
        'LL_VALIDATION_FAILED',
        `event ${index} is not a valid event: ${issues[0]?.path}: ${issues[0]?.message}`,
        { issues },
      );
    }
    const event = parsed.data;
    if (ids.has(event.id)) {
      throw new LedgerError(
        'LL_VALIDATION_FAILED',
        `event ${index} repeats id ${event.id} within one append`,
        {
          issues: [{ path: `events.${index}.id`, message: 'duplicate id in this append' }],
        },
      );
    }
    ids.add(event.id);
    const body = canonicalJson(event);
    // The body bounds the data's size from above; measure the data exactly only when it might be too big.
    if (utf8Length(body) > MAX_EVENT_DATA_BYTES) {
      const dataBytes = utf8Length(canonicalJson(event.data));
      if (dataBytes > MAX_EVENT_DATA_BYTES) {
        throw new LedgerError(
          'LL_EVENT_TOO_LARGE',
          `event ${index} (${event.id}) has ${dataBytes} bytes of canonical data; the limit is ${MAX_EVENT_DATA_BYTES}`,
          { index, id: event.id, bytes: dataBytes, limit: MAX_EVENT_DATA_BYTES },
        );
      }
    }
    parsedEvents.push(event);
    bodies.push(body);
  }
  return { stream: name, expectedRevision, events: parsedEvents, bodies };
}
