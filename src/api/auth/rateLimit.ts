/**
 * Per-API-key token bucket (限流). Pure: the caller passes the time, so tests drive the clock and the
 * request path pays one Map lookup and a few float operations, no allocation once a key has its bucket.
 * Buckets are made only for authenticated keys (the hook runs after authentication), so the map is
 * bounded by the number of issued keys, not by what strangers send.
 */
export interface RateLimits {
  /** Sustained requests per second per key (the refill rate). */
  perSecond: number;
  /** Bucket size: how many requests a key may send at once after being idle. */
  burst: number;
}

interface Bucket {
  tokens: number;
  /** Milliseconds timestamp of the last refill. */
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(readonly limits: RateLimits) {
    if (!(limits.perSecond > 0) || !(limits.burst >= 1))
      throw new RangeError('rate limits need perSecond > 0 and burst ≥ 1');
    this.perMs = limits.perSecond / 1000;
  }

  /**
   * Takes one token for `id` at `nowMs`. Returns the whole tokens left (≥ 0) when allowed, or, when the
   * bucket is empty, minus the milliseconds until a token is back (≤ -1). One number, so no result object.
   */
  take(id: string, nowMs: number): number {
    let b = this.buckets.get(id);
    if (b === undefined) {
      b = { tokens: this.limits.burst, at: nowMs };
      this.buckets.set(id, b);
    } else if (nowMs > b.at) {
      b.tokens = Math.min(this.limits.burst, b.tokens + (nowMs - b.at) * this.perMs);
      b.at = nowMs;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return Math.floor(b.tokens);
    }
    return -Math.max(1, Math.ceil((1 - b.tokens) / this.perMs));
  }

  /** Whole seconds until `id`'s bucket is full again (the RateLimit-Reset header), as of its last take. */
  secondsToFull(id: string): number {
    const b = this.buckets.get(id);
    return b === undefined ? 0 : Math.ceil((this.limits.burst - b.tokens) / this.perMs / 1000);
  }
}
