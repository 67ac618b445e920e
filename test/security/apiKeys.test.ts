import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';

/**
 * API keys are compared in constant time — shown structurally (timing tests are not allowed in the
 * suite): every comparison the directory makes goes through crypto.timingSafeEqual over two 32-byte
 * digests, and the presented key is never compared as a string. (Stored hashed: test/api/auth.test.ts
 * and insider.test.ts › finds no API key in any database file; in log lines: keysInLogs.test.ts.)
 */
const calls = vi.hoisted(() => ({ timingSafeEqual: [] as [number, number][] }));
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  const timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
    calls.timingSafeEqual.push([a.byteLength, b.byteLength]);
    return real.timingSafeEqual(a, b);
  };
  return { ...real, default: { ...real, timingSafeEqual }, timingSafeEqual };
});

const { KeyDirectory } = await import('../../src/api/auth/directory.ts');
const { generateApiKey, hashApiKey, sameHash } = await import('../../src/api/auth/keys.ts');
const { bearer, productBody, startTestServer } = await import('../api/support.ts');

beforeEach(() => {
  calls.timingSafeEqual.length = 0;
});

const issued = (orgId: string, keyId: string, key: string) => ({
  stream: `organization-${orgId}`,
  type: 'ApiKeyIssued',
  data: { orgId, keyId, role: 'bank', keyHash: hashApiKey(key) },
});

describe('constant-time key comparison', () => {
  it('sameHash compares two 32-byte digests with timingSafeEqual, and refuses anything else without comparing', () => {
    const h = hashApiKey(generateApiKey());
    expect(sameHash(h, h)).toBe(true);
    expect(calls.timingSafeEqual).toEqual([[32, 32]]);
    const other = hashApiKey(generateApiKey());
    expect(sameHash(h, other)).toBe(false);
    // a digest differing only in its last byte is still a full-length constant-time compare
    expect(sameHash(h, h.slice(0, 63) + (h.endsWith('0') ? '1' : '0'))).toBe(false);
    expect(calls.timingSafeEqual).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
    calls.timingSafeEqual.length = 0;
    // wrong lengths (a truncated or non-hex value) are refused before any comparison
    expect(sameHash(h, h.slice(0, 40))).toBe(false);
    expect(sameHash(h, 'zz'.repeat(32))).toBe(false);
    expect(calls.timingSafeEqual).toEqual([]);
  });

  it('the directory finds a key by its SHA-256 and confirms it with exactly one constant-time compare', () => {
    const dir = new KeyDirectory();
    const key = generateApiKey();
    dir.apply({
      stream: 'organization-bank-a',
      type: 'OrganizationRegistered',
      data: { orgId: 'bank-a', name: 'A', role: 'bank' },
    } as never);
    dir.apply(issued('bank-a', 'key_1', key) as never);

    expect(dir.authenticate(key)).toMatchObject({ orgId: 'bank-a', keyId: 'key_1' });
    expect(calls.timingSafeEqual).toEqual([[32, 32]]);
    calls.timingSafeEqual.length = 0;

    // a key that shares all but its last character: found by no hash, so nothing to compare; the
    // lookup's cost depends on the SHA-256 of what was sent, not on how much of a stored key it matches
    const near = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expect(dir.authenticate(near)).toBeUndefined();
    expect(dir.authenticate(generateApiKey())).toBeUndefined();
    // malformed keys are refused before hashing
    expect(dir.authenticate('ll_short')).toBeUndefined();
    expect(dir.authenticate(key + 'x')).toBeUndefined();
    expect(calls.timingSafeEqual).toEqual([]);

    // the directory holds the digest, never the key
    const inside = JSON.stringify(Object.values(dir).map((v) => (v instanceof Map ? [...v.entries()] : v)));
    expect(inside).toContain(hashApiKey(key));
    expect(inside).not.toContain(key.slice(3));
  });
});

describe('over HTTP', () => {
  let t: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.close());

  it('every authenticated request goes through the same one constant-time compare of digests', async () => {
    const key = await t.org('bank-ct', 'bank');
    calls.timingSafeEqual.length = 0;
    const used = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: bearer(key),
      payload: productBody(),
    });
    expect(used.statusCode).toBe(201);
    expect(calls.timingSafeEqual).toEqual([[32, 32]]);
    calls.timingSafeEqual.length = 0;
    const wrong = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/products',
      headers: bearer(wrong),
      payload: productBody(),
    });
    expect(refused.statusCode).toBe(401);
    expect(calls.timingSafeEqual).toEqual([]); // no stored key was compared with what was sent
  });
});
