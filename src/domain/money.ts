import { domainError } from './decider.ts';

/**
 * Money is integer fen (分) held in a JS number that must stay a safe integer; rates and shares are
 * basis points (bps, 1/10,000). Every product or quotient is done in BigInt and rounded once, at the
 * end, half up (ties away from zero; all amounts here are non-negative). No floating point anywhere.
 */

export const BPS_WHOLE = 10_000;
const B_BPS = 10_000n;
/** Day-count basis for interest over an arbitrary period: ACT/365 Fixed (actual days / 365). */
export const DAYS_IN_YEAR = 365;

export const assertFen = (n: number, what = 'amount'): number => {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw domainError('money.not_fen', `${what} must be a non-negative safe integer number of fen`, {
      [what]: n,
    });
  }
  return n;
};

const toFen = (b: bigint, what: string): number => {
  if (b > BigInt(Number.MAX_SAFE_INTEGER))
    throw domainError('money.overflow', `${what} exceeds 2^53 − 1 fen`);
  return Number(b);
};

/** round_half_up(a · b / d) for a, b ≥ 0, d > 0. */
export const mulDivHalfUp = (a: bigint, b: bigint, d: bigint): bigint => (2n * a * b + d) / (2n * d);

/** `amount · bps / 10,000`, half up. */
export const applyBps = (amount: number, bps: number): number =>
  toFen(mulDivHalfUp(BigInt(assertFen(amount)), BigInt(bps), B_BPS), 'applyBps');

/**
 * Splits `amount` in proportion to `weights` (bps, or any non-negative integers with a positive sum)
 * so that the parts sum to `amount` exactly (largest-remainder / Hamilton method):
 * 1. each part gets floor(amount · w / W);
 * 2. the r fen left over go one each to the r parts with the largest remainders (amount · w mod W);
 * 3. ties are broken by position: the party listed first wins. The result depends only on the input
 *    order, never on sorting stability or hashing.
 */
export const split = (amount: number, weights: readonly number[]): number[] => {
  assertFen(amount);
  if (weights.length === 0) throw domainError('money.split.no_parties', 'cannot split among no parties');
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0)
      throw domainError('money.split.bad_weight', 'weights must be integers ≥ 0');
  }
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (total === 0n) throw domainError('money.split.zero_weights', 'weights must not all be zero');
  const a = BigInt(amount);
  const parts = weights.map((w) => (a * BigInt(w)) / total);
  const remainders = weights.map((w, i) => ({ i, r: (a * BigInt(w)) % total }));
  let left = a - parts.reduce((s, p) => s + p, 0n);
  remainders.sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of remainders) {
    if (left === 0n) break;
    parts[i] = (parts[i] as bigint) + 1n;
    left -= 1n;
  }
  return parts.map(Number);
};

/** Days from `from` to `to` (dates 'YYYY-MM-DD'), actual calendar days; negative if `to` is earlier. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${to}T00:00:00.000Z`) - Date.parse(`${from}T00:00:00.000Z`)) / 86_400_000);

/** Adds whole months; a day that does not exist in the target month becomes its last day (Jan 31 + 1 → Feb 28/29). */
export const addMonths = (date: string, months: number): string => {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const ty = Math.floor(index / 12);
  const tm = index % 12;
  const lastDay = new Date(Date.UTC(ty, tm + 1, 0)).getUTCDate();
  return new Date(Date.UTC(ty, tm, Math.min(d, lastDay))).toISOString().slice(0, 10);
};

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * Simple interest on `principal` at `annualRateBps` from `from` (inclusive) to `to` (exclusive),
 * ACT/365 Fixed: principal · rate/10,000 · days/365, rounded half up once at the end.
 */
export const interestForPeriod = (
  principal: number,
  annualRateBps: number,
  from: string,
  to: string,
): number => {
  const days = daysBetween(from, to);
  if (days <= 0) return 0;
  return toFen(
    mulDivHalfUp(
      BigInt(assertFen(principal)) * BigInt(annualRateBps),
      BigInt(days),
      B_BPS * BigInt(DAYS_IN_YEAR),
    ),
    'interest',
  );
};

export type ScheduleType = 'equal_instalment' | 'equal_principal';
export interface Instalment {
  number: number;
  dueDate: string;
  principalFen: number;
  interestFen: number;
  totalFen: number;
}

/** Monthly periods: the periodic rate is annualRateBps / 12 (the 月利率 = 年利率 / 12 convention). */
const MONTHLY_DENOMINATOR = 12n * B_BPS;

/**
 * Repayment schedule, exact in fen. Instalment k (1-based) is due `startDate + k months`.
 * - equal_principal (等额本金): principal_k = floor(P / n), the last instalment takes the rest;
 *   interest_k = round_half_up(balance_{k−1} · R / 120,000).
 * - equal_instalment (等额本息, annuity): A = round_half_up(P · R · (120,000 + R)^n / (120,000 · ((120,000 + R)^n − 120,000^n))),
 *   computed exactly in BigInt (with R = 0: A = floor(P / n)); interest_k as above; principal_k = A − interest_k;
 *   the last instalment repays the whole remaining balance, so it absorbs every rounding difference.
 * Σ principal_k = P always.
 */
export const buildSchedule = (input: {
  principalFen: number;
  annualRateBps: number;
  termMonths: number;
  type: ScheduleType;
  startDate: string;
}): Instalment[] => {
  const { annualRateBps: r, termMonths: n, type, startDate } = input;
  const P = BigInt(assertFen(input.principalFen, 'principalFen'));
  if (!Number.isSafeInteger(n) || n < 1)
    throw domainError('money.schedule.bad_term', 'term must be ≥ 1 month');
  const R = BigInt(r);
  const N = BigInt(n);
  let annuity = 0n;
  if (type === 'equal_instalment') {
    if (R === 0n) annuity = P / N;
    else {
      const growth = (MONTHLY_DENOMINATOR + R) ** N;
      const base = MONTHLY_DENOMINATOR ** N;
      annuity = mulDivHalfUp(P * R, growth, MONTHLY_DENOMINATOR * (growth - base));
    }
  }
  const out: Instalment[] = [];
  let balance = P;
  for (let k = 1; k <= n; k++) {
    const interest = mulDivHalfUp(balance, R, MONTHLY_DENOMINATOR);
    let principal: bigint;
    if (k === n) principal = balance;
    else if (type === 'equal_principal') principal = P / N;
    else principal = annuity > interest ? annuity - interest : 0n;
    if (principal > balance) principal = balance;
    balance -= principal;
    const p = toFen(principal, 'principal');
    const i = toFen(interest, 'interest');
    out.push({
      number: k,
      dueDate: addMonths(startDate, k),
      principalFen: p,
      interestFen: i,
      totalFen: toFen(principal + interest, 'instalment'),
    });
  }
  return out;
};

/**
 * Fills `buckets` in order with `amount`: each bucket takes min(what is left, its size). Returns the
 * part that went to each bucket and what was left over. Parts are never negative and never exceed their bucket.
 */
export const allocateInOrder = (
  amount: number,
  buckets: readonly number[],
): { parts: number[]; leftover: number } => {
  let left = assertFen(amount);
  const parts = buckets.map((b) => {
    const take = Math.min(left, assertFen(b, 'bucket'));
    left -= take;
    return take;
  });
  return { parts, leftover: left };
};

/** Stated repayment order: penalty (罚息) first, then interest, then principal. */
export const allocateRepayment = (
  amount: number,
  due: { penaltyFen: number; interestFen: number; principalFen: number },
): { penaltyFen: number; interestFen: number; principalFen: number; leftoverFen: number } => {
  const { parts, leftover } = allocateInOrder(amount, [due.penaltyFen, due.interestFen, due.principalFen]);
  const [penaltyFen, interestFen, principalFen] = parts as [number, number, number];
  return { penaltyFen, interestFen, principalFen, leftoverFen: leftover };
};

/** Yuan → fen for configuration constants only (never for user input). */
export const yuan = (y: number): number => assertFen(y * 100, 'yuan');
