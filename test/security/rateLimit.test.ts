import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenBuckets } from '../../src/api/auth/rateLimit.ts';
import { loadConfig } from '../../src/app/config.ts';
import { bearer, productBody, startTestServer, type TestServer } from '../api/support.ts';

/**
 * Per-API-key rate limit: the pure token bucket under a driven clock, then the API with a tiny limit
 * (burst 3, 1 request/s) and an injected clock: the 4th request of a key is 429 problem+json with
 * Retry-After and RateLimit-* headers and writes nothing, another key of the same server is unaffected,
 * and after the clock moves the key is served again.
 */
describe('TokenBuckets (pure)', () => {
  it('allows a burst, refuses with the wait until the next token, refills at the rate, caps at the burst', () => {
    const b = new TokenBuckets({ perSecond: 2, burst: 3 });
    expect([b.take('k', 0), b.take('k', 0), b.take('k', 0)]).toEqual([2, 1, 0]);
    expect(b.take('k', 0)).toBe(-500); // 2/s: the next token is 500 ms away
    expect(b.take('k', 100)).toBe(-400);
    expect(b.take('other', 100)).toBe(2); // buckets are per key
    expect(b.take('k', 500)).toBe(0); // one token refilled, taken
    expect(b.take('k', 500)).toBeLessThan(0);
    expect(b.take('k', 60_000)).toBe(2); // a long idle fills to the burst, not beyond
    expect(b.secondsToFull('k')).toBe(1);
    // a clock that goes backwards never mints tokens
    expect(b.take('k', 59_000)).toBe(1);
    expect(b.take('k', 59_000)).toBe(0);
    expect(b.take('k', 59_000)).toBeLessThan(0);
  });

  it('refuses nonsensical limits', () => {
    expect(() => new TokenBuckets({ perSecond: 0, burst: 10 })).toThrow(RangeError);
    expect(() => new TokenBuckets({ perSecond: 10, burst: 0 })).toThrow(RangeError);
  });

  it('the server settings default to a generous limit and can switch it off', () => {
    const c = loadConfig({});
    expect(c.RATE_LIMIT_PER_SECOND).toBeGreaterThanOrEqual(1000);
    expect(c.RATE_LIMIT_BURST).toBeGreaterThanOrEqual(c.RATE_LIMIT_PER_SECOND);
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '0' }).RATE_LIMIT_PER_SECOND).toBe(0);
    expect(() => loadConfig({ RATE_LIMIT_BURST: '0' })).toThrow(/RATE_LIMIT_BURST/);
  });
});

describe('rate limit over HTTP', () => {
  let t: TestServer & { operatorKey: string };
  let bankA: string;
  let bankB: string;
  let nowMs = 1_000_000;

  beforeAll(async () => {
    t = await startTestServer({ rateLimit: { perSecond: 1, burst: 3, now: () => nowMs } });
    bankA = await t.org('bank-rl-a', 'bank');
    bankB = await t.org('bank-rl-b', 'bank');
  });
  afterAll(async () => t.close());

  const post = (key: string) =>
    t.app.inject({ method: 'POST', url: '/v1/products', headers: bearer(key), payload: productBody() });

  it('a key over its limit gets 429 problem+json with Retry-After, writes nothing; another key is unaffected; the bucket refills', async () => {
    nowMs += 10_000; // org setup above used the operator key's bucket, not the banks'
    const ok = [await post(bankA), await post(bankA), await post(bankA)];
    expect(ok.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(ok.map((r) => r.headers['ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(ok[0]!.headers['ratelimit-limit']).toBe('3');

    const before = await t.store.headPosition();
    const limited = await post(bankA);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'LL_RATE_LIMITED', status: 429 });
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(await t.store.headPosition()).toBe(before);
    // reads count too: the limit is per key, not per route
    const read = await t.app.inject({
      method: 'GET',
      url: '/v1/loans/loan-x/timeline',
      headers: bearer(bankA),
    });
    expect(read.statusCode).toBe(429);

    // another key on the same server is unaffected
    const other = await post(bankB);
    expect(other.statusCode).toBe(201);
    expect(other.headers['ratelimit-remaining']).toBe('2');

    // an unknown key is 401 (authentication comes first; strangers get no bucket)
    const stranger = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: bearer('ll_' + 'x'.repeat(43)),
      payload: productBody(),
    });
    expect(stranger.statusCode).toBe(401);

    // one second later one token is back: one request passes, the next is refused again
    nowMs += 1000;
    expect((await post(bankA)).statusCode).toBe(201);
    expect((await post(bankA)).statusCode).toBe(429);
    // idle long enough, the full burst is back
    nowMs += 5000;
    const refilled = await post(bankA);
    expect(refilled.statusCode).toBe(201);
    expect(refilled.headers['ratelimit-remaining']).toBe('2');

    // public routes are not limited
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.headers['ratelimit-limit']).toBeUndefined();
  });
});
