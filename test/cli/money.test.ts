import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatYuan } from '../../src/cli/demo/money.ts';

describe('formatYuan (integer fen → yuan with 2 decimals)', () => {
  it('formats known amounts', () => {
    expect(formatYuan(0)).toBe('0.00');
    expect(formatYuan(5)).toBe('0.05');
    expect(formatYuan(100)).toBe('1.00');
    expect(formatYuan(123_456_789)).toBe('1,234,567.89');
    expect(formatYuan(-1_050)).toBe('-10.50');
    expect(formatYuan(Number.MAX_SAFE_INTEGER)).toBe('90,071,992,547,409.91');
  });
  it('refuses non-integers', () => {
    expect(() => formatYuan(1.5)).toThrow(RangeError);
    expect(() => formatYuan(Number.NaN)).toThrow(RangeError);
  });
  it('round-trips: removing separators and the point gives back the fen', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (fen) => {
        expect(BigInt(formatYuan(fen).replace(/[,.]/g, ''))).toBe(BigInt(fen));
      }),
    );
  });
});
