import { randomBytes } from 'node:crypto';
import { LedgerError } from '../src/errors.ts';
import { newEventId } from '../src/events/ids.ts';
import type { ReadModelDb } from './readModelDb.ts';
import type { WebhookEndpoint } from './webhooks.ts';

/**
 * Where each institution wants its risk notices pushed: one endpoint per organization (registering
 * again replaces it, with a new secret). Kept in the read-model database, in a table of the webhook
 * dispatcher's own (like `webhook_deliveries`: not a view table, so a rebuild never drops it).
 *
 * Not as events of the organization, unlike API keys: an API key is only ever *verified*, so its
 * SHA-256 in the event log is enough; a webhook secret is used to *sign*, so the ledger must keep the
 * secret itself, and an event would copy it into the immutable, Merkle-logged history (and every
 * replica and evidence export of it) where a replaced or leaked secret could never be removed. The
 * table holds it with the same protection as the rest of the database file; removing an endpoint
 * deletes the secret.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_endpoints (
  org TEXT PRIMARY KEY, endpoint_id TEXT NOT NULL UNIQUE, url TEXT NOT NULL, secret TEXT NOT NULL,
  created_at TEXT NOT NULL, idempotency_key TEXT
) STRICT;
`;
/** Tables made before registrations took an Idempotency-Key get the column. */
const ADD_IDEMPOTENCY_KEY = 'ALTER TABLE webhook_endpoints ADD COLUMN idempotency_key TEXT';

export interface RegisteredEndpoint {
  endpointId: string;
  org: string;
  url: string;
  createdAt: string;
}

export interface WebhookEndpointRegistry {
  /**
   * Registers (or replaces) the organization's endpoint; the secret is returned here only. With an
   * Idempotency-Key, a retry of the registration that is still current returns it again (same id and
   * secret, `replayed`) instead of replacing it with a new secret the caller never saw; the same key
   * with another URL is LL_IDEMPOTENCY_KEY_REUSED. Only the current registration is remembered: a key
   * used before a later replacement registers anew.
   */
  register(
    org: string,
    url: string,
    options?: { now?: Date; idempotencyKey?: string },
  ): RegisteredEndpoint & { secret: string; replayed: boolean };
  list(org: string): RegisteredEndpoint[];
  /** False when the organization has no endpoint with this id. */
  remove(org: string, endpointId: string): boolean;
  /** For the dispatcher. */
  endpointOf(org: string): WebhookEndpoint | undefined;
}

/** A webhook secret: 32 random bytes, prefixed so it is recognisable in a receiver's configuration. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export function webhookEndpointRegistry(db: ReadModelDb): WebhookEndpointRegistry {
  db.exec(SCHEMA);
  try {
    db.all('SELECT idempotency_key FROM webhook_endpoints WHERE 0 = 1');
  } catch {
    db.exec(ADD_IDEMPOTENCY_KEY);
  }
  const row = (r: { endpoint_id: string; org: string; url: string; created_at: string }) => ({
    endpointId: r.endpoint_id,
    org: r.org,
    url: r.url,
    createdAt: r.created_at,
  });
  return {
    register(org, url, { now = new Date(), idempotencyKey } = {}) {
      if (idempotencyKey !== undefined) {
        const current = db.get<{ endpoint_id: string; url: string; secret: string; created_at: string }>(
          'SELECT endpoint_id, url, secret, created_at FROM webhook_endpoints WHERE org = ? AND idempotency_key = ?',
          org,
          idempotencyKey,
        );
        if (current) {
          if (current.url !== url)
            throw new LedgerError(
              'LL_IDEMPOTENCY_KEY_REUSED',
              'this Idempotency-Key registered another URL; use a new key for a new registration',
            );
          return { ...row({ ...current, org }), secret: current.secret, replayed: true };
        }
      }
      const endpoint = {
        endpointId: `whk_${newEventId()}`,
        org,
        url,
        createdAt: now.toISOString(),
        secret: newSecret(),
      };
      db.run(
        `INSERT INTO webhook_endpoints (org, endpoint_id, url, secret, created_at, idempotency_key)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (org) DO UPDATE SET endpoint_id = excluded.endpoint_id, url = excluded.url,
           secret = excluded.secret, created_at = excluded.created_at,
           idempotency_key = excluded.idempotency_key`,
        org,
        endpoint.endpointId,
        url,
        endpoint.secret,
        endpoint.createdAt,
        idempotencyKey ?? null,
      );
      return { ...endpoint, replayed: false };
    },
    list: (org) =>
      db
        .all<{
          endpoint_id: string;
          org: string;
          url: string;
          created_at: string;
        }>('SELECT endpoint_id, org, url, created_at FROM webhook_endpoints WHERE org = ?', org)
        .map(row),
    remove: (org, endpointId) =>
      db.run('DELETE FROM webhook_endpoints WHERE org = ? AND endpoint_id = ?', org, endpointId) > 0,
    endpointOf: (org) =>
      db.get<WebhookEndpoint>('SELECT url, secret FROM webhook_endpoints WHERE org = ?', org),
  };
}
