import { describe, expect, it } from 'vitest';
import { newEventId, UUID_PATTERN } from '../../src/events/ids.ts';

describe('UUIDv7 event ids', () => {
  it('carry version 7, the RFC 9562 variant and the millisecond timestamp', () => {
    const at = Date.UTC(2026, 10, 27, 8, 0, 0, 123);
    const id = newEventId(at);
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sort by creation time across milliseconds and do not repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => newEventId(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
