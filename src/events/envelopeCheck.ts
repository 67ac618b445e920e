import { roles, type EventToAppend } from './envelope.ts';
import { UUID_PATTERN } from './ids.ts';

/**
 * A hand-written acceptance check for the common case of `EventToAppend`: true only when the zod schema
 * in envelope.ts would accept the value unchanged (test/events/envelopeCheck.test.ts holds the two
 * together with generated values). The store runs it first and falls back to the zod parse, for the
 * error with its paths, whenever it answers false — so it may refuse more than zod (a key present with
 * `undefined`, an array with extra properties, a class instance), never less. Why: the recursive zod
 * `JsonValue` union costs tens of µs per event on the command path, this walk a few.
 */

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EVENT_TYPE = /^[A-Z][A-Za-z0-9]*$/;
const ROLES: ReadonlySet<string> = new Set(roles);
const META_KEYS: ReadonlySet<string> = new Set([
  'actor',
  'recordedAt',
  'correlationId',
  'causationId',
  'idempotencyKey',
  'requestDigest',
]);
const ENVELOPE_KEYS = 5; // id, type, schemaVersion, data, meta

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * Own keys when they are all enumerable string keys holding values (no accessor: a getter could answer
 * differently twice) and none is `__proto__` (zod's copy would set the prototype instead of a key).
 */
const ownDataKeys = (o: object): string[] | undefined => {
  const keys = Object.keys(o);
  if (Reflect.ownKeys(o).length !== keys.length) return undefined;
  for (const k of keys) {
    if (k === '__proto__') return undefined;
    const d = Object.getOwnPropertyDescriptor(o, k);
    if (!d || !('value' in d)) return undefined;
  }
  return keys;
};

const boundedString = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;

const MAX_DEPTH = 200;

/** A JSON value that survives canonicalization unchanged (JsonValue in envelope.ts). */
function isJson(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      if (v === null) return true;
      if (depth > MAX_DEPTH) return false;
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype) return false;
        // Holes and extra properties: leave them to zod.
        if (Reflect.ownKeys(v).length !== v.length + 1) return false;
        for (let i = 0; i < v.length; i++) if (!isJson(v[i], depth + 1)) return false;
        return true;
      }
      return isJsonObject(v, depth);
    default:
      return false;
  }
}

function isJsonObject(v: unknown, depth: number): boolean {
  if (!isPlainObject(v)) return false;
  const keys = ownDataKeys(v);
  if (!keys) return false;
  for (const k of keys) if (!isJson(v[k], depth + 1)) return false;
  return true;
}

function isMeta(m: unknown): boolean {
  if (!isPlainObject(m)) return false;
  const keys = ownDataKeys(m);
  if (!keys) return false;
  for (const k of keys) if (!META_KEYS.has(k)) return false;
  const actor = m.actor;
  if (!isPlainObject(actor)) return false;
  const actorKeys = ownDataKeys(actor);
  if (!actorKeys || actorKeys.length !== 2 || !('org' in actor) || !('role' in actor)) return false;
  if (!boundedString(actor.org, 1, 100) || typeof actor.role !== 'string' || !ROLES.has(actor.role))
    return false;
  if (typeof m.recordedAt !== 'string' || !INSTANT.test(m.recordedAt)) return false;
  if (!boundedString(m.correlationId, 1, 100) || !boundedString(m.causationId, 1, 100)) return false;
  if ('idempotencyKey' in m && !boundedString(m.idempotencyKey, 1, 200)) return false;
  if ('requestDigest' in m && !boundedString(m.requestDigest, 1, 100)) return false;
  return true;
}

/** True only if `EventToAppend.safeParse(raw)` succeeds and its data is `raw` itself, value for value. */
export function isPlainEventToAppend(raw: unknown): raw is EventToAppend {
  if (!isPlainObject(raw)) return false;
  const keys = ownDataKeys(raw);
  if (!keys || keys.length !== ENVELOPE_KEYS) return false;
  const { id, type, schemaVersion, data, meta } = raw;
  return (
    typeof id === 'string' &&
    UUID_PATTERN.test(id) &&
    boundedString(type, 1, 100) &&
    EVENT_TYPE.test(type) &&
    typeof schemaVersion === 'number' &&
    Number.isSafeInteger(schemaVersion) &&
    schemaVersion >= 1 &&
    schemaVersion <= 1000 &&
    isJsonObject(data, 0) &&
    isMeta(meta)
  );
}
