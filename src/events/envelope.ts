import { z } from 'zod';
import { UUID_PATTERN } from './ids.ts';

/**
 * The recorded-event envelope (DESIGN.md "Events"). What is hashed into the Merkle log is exactly
 * `RecordedEvent` (no store position: the leaf index is the position, so it is implied, and
 * EventStoreDB's positions are not dense anyway).
 */

export const roles = [
  'bank',
  'guarantor',
  'reguarantor',
  'government_fund',
  'regulator',
  'court',
  'arbitrator',
  'notary',
  'enterprise',
  'operator',
  'system',
] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Stream names are `<category>-<id>`: a lowercase category, a dash, then an id without spaces. */
export const STREAM_NAME_MAX = 200;
export const StreamName = z
  .string()
  .min(3)
  .max(STREAM_NAME_MAX)
  .regex(/^[a-z][a-z0-9_]*-[A-Za-z0-9_.:-]+$/, 'stream name must look like "<category>-<id>"');

/** UTC instant with millisecond precision, always in this exact form so canonical bytes are stable. */
export const Instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    'must be a UTC instant like 2026-01-31T08:00:00.000Z',
  );

export const EventMeta = z.strictObject({
  actor: z.strictObject({ org: z.string().min(1).max(100), role: Role }),
  recordedAt: Instant,
  correlationId: z.string().min(1).max(100),
  causationId: z.string().min(1).max(100),
  idempotencyKey: z.string().min(1).max(200).optional(),
  /** HMAC of the HTTP request that caused the event (src/api/idempotency.ts): tells a retry from a reused key. */
  requestDigest: z.string().min(1).max(100).optional(),
});
export type EventMeta = z.infer<typeof EventMeta>;

/** Any JSON value that survives canonicalization unchanged (finite numbers only). */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export const JsonValue: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number().refine(Number.isFinite, 'must be finite'),
    z.string(),
    z.array(JsonValue),
    z.record(z.string(), JsonValue),
  ]),
);

export const EventType = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Z][A-Za-z0-9]*$/, 'event type must be PascalCase, like LoanDisbursed');

/** What a caller hands to `appendToStream`. */
export const EventToAppend = z.strictObject({
  id: z.string().regex(UUID_PATTERN, 'event id must be a lowercase UUID'),
  type: EventType,
  schemaVersion: z.number().int().min(1).max(1000),
  data: z.record(z.string(), JsonValue),
  meta: EventMeta,
});
export type EventToAppend = z.infer<typeof EventToAppend>;

/** What the store gives back and what the Merkle log hashes. */
export const RecordedEvent = EventToAppend.extend({
  stream: StreamName,
  revision: z.number().int().min(0),
});
export type RecordedEvent = z.infer<typeof RecordedEvent>;

/** A recorded event with its place in the store's total order (not hashed). */
export type PositionedEvent = RecordedEvent & {
  /** Store's global position: dense and 0-based on SQLite and PostgreSQL; EventStoreDB's commit position otherwise. */
  position: number;
};

/** The hashed form: field order does not matter (RFC 8785 sorts), but the set of fields does. */
export const toHashedForm = (e: RecordedEvent): RecordedEvent => ({
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  type: e.type,
  schemaVersion: e.schemaVersion,
  data: e.data,
  meta: e.meta,
});
