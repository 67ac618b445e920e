import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  allocateInOrder,
  allocateRepayment,
  applyBps,
  buildSchedule,
  daysBetween,
  interestForPeriod,
  split,
} from '../../src/domain/money.ts';

const fen = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

describe('split (largest remainder)', () => {
  it('splits 4321 exactly and breaks ties by position', () => {
    expect(split(100_000_000, [2000, 1000, 1000, 3000, 2000, 1000])).toEqual([
      20_000_000, 10_000_000, 10_000_000, 30_000_000, 20_000_000, 10_000_000,
    ]);
    // 1 fen left over, equal remainders: the first listed party takes it.
    expect(split(1, [5000, 5000])).toEqual([1, 0]);
    expect(split(2, [3333, 3333, 3334])).toEqual([1, 0, 1]);
    expect(split(10, [1, 1, 1])).toEqual([4, 3, 3]);
  });

  it('refuses empty or all-zero weights', () => {
    expect(() => split(5, [])).toThrow();
    expect(() => split(5, [0, 0])).toThrow();
  });

  it('property: parts conserve every fen, are never negative and each within 1 fen of the exact share', () => {
    fc.assert(
      fc.property(
        fen,
        fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 }),
        (amount, w) => {
          fc.pre(w.some((x) => x > 0));
          const parts = split(amount, w);
          const total = w.reduce((s, x) => s + x, 0);
          expect(parts.reduce((s, p) => s + BigInt(p), 0n)).toBe(BigInt(amount));
          parts.forEach((p, i) => {
            expect(p).toBeGreaterThanOrEqual(0);
            const exactFloor = (BigInt(amount) * BigInt(w[i] as number)) / BigInt(total);
            expect(BigInt(p) - exactFloor === 0n || BigInt(p) - exactFloor === 1n).toBe(true);
          });
        },
      ),
    );
  });
});

describe('interest and dates', () => {
  it('ACT/365 with half-up rounding at the end', () => {
    // 1,000,000.00 yuan at 3.65% for 1 day = 100.00 yuan exactly.
    expect(interestForPeriod(100_000_000, 365, '2026-01-01', '2026-01-02')).toBe(10_000);
    // 1 fen at 50%/yr for 365 days = 0.5 fen → rounds half up to 1.
    expect(interestForPeriod(1, 5000, '2026-01-01', '2027-01-01')).toBe(1);
    // 1 fen at 49.99% → 0.4999 fen → 0.
    expect(interestForPeriod(1, 4999, '2026-01-01', '2027-01-01')).toBe(0);
    expect(interestForPeriod(100, 1000, '2026-01-02', '2026-01-01')).toBe(0);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
  });

  it('adds months clamping to the month end', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('applies bps half up', () => {
    expect(applyBps(50, 100)).toBe(1); // 0.5 → 1
    expect(applyBps(49, 100)).toBe(0);
  });
});

describe('schedules', () => {
  it('annuity: 120,000.00 yuan at 6% over 12 months matches the textbook payment 10,327.97', () => {
    const s = buildSchedule({
      principalFen: 12_000_000,
      annualRateBps: 600,
      termMonths: 12,
      type: 'equal_instalment',
      startDate: '2026-01-15',
    });
    expect(s[0]).toEqual({
      number: 1,
      dueDate: '2026-02-15',
      principalFen: 972_797,
      interestFen: 60_000,
      totalFen: 1_032_797,
    });
    expect(s.slice(0, 11).every((i) => i.totalFen === 1_032_797)).toBe(true);
    expect(s.reduce((a, i) => a + i.principalFen, 0)).toBe(12_000_000);
    expect(s.at(-1)?.dueDate).toBe('2027-01-15');
  });

  it('equal principal: 100.00 yuan over 3 months at 12%: principal 33.33/33.33/33.34', () => {
    const s = buildSchedule({
      principalFen: 10_000,
      annualRateBps: 1200,
      termMonths: 3,
      type: 'equal_principal',
      startDate: '2026-01-31',
    });
    expect(s.map((i) => [i.dueDate, i.principalFen, i.interestFen])).toEqual([
      ['2026-02-28', 3333, 100],
      ['2026-03-31', 3333, 67],
      ['2026-04-30', 3334, 33],
    ]);
  });

  it('property: principal sums to P, totals sum to P plus interest, nothing negative', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1, max: 360 }),
        fc.constantFrom('equal_instalment' as const, 'equal_principal' as const),
        (P, r, n, type) => {
          const s = buildSchedule({
            principalFen: P,
            annualRateBps: r,
            termMonths: n,
            type,
            startDate: '2026-01-31',
          });
          expect(s).toHaveLength(n);
          expect(s.reduce((a, i) => a + i.principalFen, 0)).toBe(P);
          const interest = s.reduce((a, i) => a + i.interestFen, 0);
          expect(s.reduce((a, i) => a + i.totalFen, 0)).toBe(P + interest);
          for (const i of s) {
            expect(i.principalFen).toBeGreaterThanOrEqual(0);
            expect(i.interestFen).toBeGreaterThanOrEqual(0);
            expect(i.totalFen).toBe(i.principalFen + i.interestFen);
          }
          if (type === 'equal_instalment' && n > 1 && P >= n * 100) {
            // Every instalment but the last is the same; the last differs by rounding only: at most one fen
            // per period (annuity rounding + interest rounding, ½ fen each), compounded at the periodic rate.
            const a = s[0]?.totalFen as number;
            expect(s.slice(0, -1).every((i) => i.totalFen === a)).toBe(true);
            const i = r / 120_000;
            const bound = i === 0 ? n : Math.ceil(((1 + i) ** n - 1) / i) + 1;
            expect(Math.abs((s.at(-1)?.totalFen as number) - a)).toBeLessThanOrEqual(bound);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('allocation', () => {
  it('pays penalty, then interest, then principal', () => {
    expect(allocateRepayment(150, { penaltyFen: 20, interestFen: 100, principalFen: 1000 })).toEqual({
      penaltyFen: 20,
      interestFen: 100,
      principalFen: 30,
      leftoverFen: 0,
    });
    expect(allocateRepayment(2000, { penaltyFen: 0, interestFen: 10, principalFen: 100 }).leftoverFen).toBe(
      1890,
    );
  });

  it('property: parts never negative, never above their bucket, and conserve the amount', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.integer({ min: 0, max: 1e10 }), { maxLength: 10 }),
        (amount, buckets) => {
          const { parts, leftover } = allocateInOrder(amount, buckets);
          parts.forEach((p, i) => {
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(buckets[i] as number);
          });
          expect(leftover).toBeGreaterThanOrEqual(0);
          expect(parts.reduce((s, p) => s + p, 0) + leftover).toBe(amount);
        },
      ),
    );
  });
});
