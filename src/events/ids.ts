import { randomFillSync } from 'node:crypto';

/**
 * Event ids are UUIDv7 (RFC 9562 §5.7): 48-bit Unix milliseconds, then random bits, so ids sort
 * roughly in recording order across processes. Twelve lines of code, so no dependency for it.
 */
export const newEventId = (now: number = Date.now()): string => {
  const b = Buffer.from(randomPool(16));
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

// One CSPRNG call per 256 ids instead of one per id (a per-id call cost ~20 µs on a busy machine, a
// visible share of a command); the bytes are still the OS CSPRNG's, each handed out once.
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;
function randomPool(n: number): Buffer {
  if (used + n > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  used += n;
  return pool.subarray(used - n, used);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
