import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ReadModelDb } from './readModelDb.ts';

/**
 * Pushes risk-warning notices (rm_risk_notices, written by the risk view) to each institution's
 * webhook. At-least-once: a notice is retried with exponential backoff until the endpoint answers 2xx
 * or the attempts run out; every attempt's outcome is recorded in `webhook_deliveries`, which belongs
 * to the dispatcher, not to the view, so rebuilding the view never re-sends what was delivered. The
 * receiver de-duplicates on the `X-Loan-Ledger-Delivery` id.
 *
 * Signature (like Stripe's): header `X-Loan-Ledger-Signature: t=<unix ms>,v1=<hex>` where
 * hex = HMAC-SHA256(secret, `${t}.${body}`). Signing the timestamp stops replays of an old body.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  delivery_id TEXT PRIMARY KEY, org TEXT NOT NULL, url TEXT,
  status TEXT NOT NULL,              -- delivered | retrying | failed | no_endpoint
  attempts INTEGER NOT NULL, next_attempt_at INTEGER, last_status INTEGER, last_error TEXT,
  delivered_at TEXT, updated_at TEXT NOT NULL
) STRICT;
`;

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface WebhookDispatcherOptions {
  db: ReadModelDb;
  /** The endpoint an institution registered, if any. */
  endpointOf: (org: string) => WebhookEndpoint | undefined;
  /** Attempts before giving up (default 8). */
  maxAttempts?: number;
  /** First retry delay (default 1 s); doubled each attempt up to maxDelayMs (default 10 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

export interface DeliveryRecord {
  deliveryId: string;
  org: string;
  url: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

export const signWebhook = (secret: string, timestamp: number, body: string): string =>
  `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

/** For receivers (and tests): checks the signature header against the raw body and a freshness window. */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  now = Date.now(),
  toleranceMs = 5 * 60_000,
): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts['t']);
  const v1 = parts['v1'];
  if (!Number.isSafeInteger(t) || !v1 || Math.abs(now - t) > toleranceMs) return false;
  const expected = Buffer.from(signWebhook(secret, t, body).split('v1=')[1]!, 'hex');
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookDispatcher {
  /** Sends every notice that is new or due for a retry; resolves when this round is done. */
  deliverDue(): Promise<{ attempted: number; delivered: number }>;
  start(intervalMs?: number): void;
  stop(): Promise<void>;
  deliveries(org?: string): DeliveryRecord[];
}

export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  const { db, endpointOf } = options;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.baseDelayMs ?? 1000;
  const maxDelay = options.maxDelayMs ?? 600_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  db.exec(SCHEMA);

  const record = (
    id: string,
    org: string,
    url: string | null,
    status: string,
    attempts: number,
    next: number | null,
    lastStatus: number | null,
    lastError: string | null,
  ) =>
    db.run(
      `INSERT INTO webhook_deliveries (delivery_id, org, url, status, attempts, next_attempt_at, last_status, last_error, delivered_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (delivery_id) DO UPDATE SET url = excluded.url, status = excluded.status, attempts = excluded.attempts,
         next_attempt_at = excluded.next_attempt_at, last_status = excluded.last_status, last_error = excluded.last_error,
         delivered_at = excluded.delivered_at, updated_at = excluded.updated_at`,
      id,
      org,
      url,
      status,
      attempts,
      next,
      lastStatus,
      lastError,
      status === 'delivered' ? new Date(now()).toISOString() : null,
      new Date(now()).toISOString(),
    );

  const send = async (n: { delivery_id: string; org: string; payload: string; attempts: number | null }) => {
    const endpoint = endpointOf(n.org);
    const attempts = n.attempts ?? 0;
    if (!endpoint) {
      // Kept and looked at again later: the institution may register an endpoint.
      record(n.delivery_id, n.org, null, 'no_endpoint', attempts, now() + maxDelay, null, null);
      return false;
    }
    const t = now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-loan-ledger-delivery': n.delivery_id,
          'x-loan-ledger-signature': signWebhook(endpoint.secret, t, n.payload),
        },
        body: n.payload,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).message.slice(0, 500);
    }
    const tried = attempts + 1;
    if (status !== null && status >= 200 && status < 300) {
      record(n.delivery_id, n.org, endpoint.url, 'delivered', tried, null, status, null);
      return true;
    }
    const giveUp = tried >= maxAttempts;
    const delay = Math.min(maxDelay, baseDelay * 2 ** (tried - 1));
    record(
      n.delivery_id,
      n.org,
      endpoint.url,
      giveUp ? 'failed' : 'retrying',
      tried,
      giveUp ? null : now() + delay,
      status,
      error ?? `HTTP ${status}`,
    );
    return false;
  };

  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const deliverDue = async () => {
    const due = db.all<{ delivery_id: string; org: string; payload: string; attempts: number | null }>(
      `SELECT n.delivery_id, n.org, n.payload, d.attempts FROM rm_risk_notices n
       LEFT JOIN webhook_deliveries d ON d.delivery_id = n.delivery_id
       WHERE d.delivery_id IS NULL OR (d.status IN ('retrying', 'no_endpoint') AND d.next_attempt_at <= ?)
       ORDER BY n.position, n.delivery_id LIMIT 200`,
      now(),
    );
    const results = await Promise.all(due.map(send));
    return { attempted: due.length, delivered: results.filter(Boolean).length };
  };

  return {
    deliverDue: () => {
      const p = (running ?? Promise.resolve()).then(deliverDue);
      running = p.catch(() => undefined);
      return p;
    },
    start(intervalMs = 1000) {
      if (timer) return;
      const tick = () => {
        running = (running ?? Promise.resolve()).then(deliverDue).catch(() => undefined);
      };
      timer = setInterval(tick, intervalMs);
      timer.unref();
      tick();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
    },
    deliveries: (org) =>
      db
        .all<{
          delivery_id: string;
          org: string;
          url: string | null;
          status: string;
          attempts: number;
          next_attempt_at: number | null;
          last_status: number | null;
          last_error: string | null;
          delivered_at: string | null;
        }>(
          `SELECT * FROM webhook_deliveries ${org === undefined ? '' : 'WHERE org = ?'} ORDER BY delivery_id`,
          ...(org === undefined ? [] : [org]),
        )
        .map((r) => ({
          deliveryId: r.delivery_id,
          org: r.org,
          url: r.url,
          status: r.status,
          attempts: r.attempts,
          nextAttemptAt: r.next_attempt_at,
          lastStatus: r.last_status,
          lastError: r.last_error,
          deliveredAt: r.delivered_at,
        })),
  };
}
