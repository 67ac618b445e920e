import { split } from '../money.ts';

/**
 * Shares a recovery (追偿) back in the agreement's proportions without any party getting back more
 * than it bore: first the largest-remainder split of the amount, then whatever would push a party past
 * its remaining cap goes, in party order, to the parties that still have room. Needs Σ room ≥ amount.
 */
export const allocateRecovery = (
  amount: number,
  sharesBps: readonly number[],
  room: readonly number[],
): number[] => {
  const parts = split(amount, sharesBps);
  let overflow = 0;
  const clamped = parts.map((p, i) => {
    const r = room[i] as number;
    if (p > r) {
      overflow += p - r;
      return r;
    }
    return p;
  });
  for (let i = 0; i < clamped.length && overflow > 0; i++) {
    const free = (room[i] as number) - (clamped[i] as number);
    const take = Math.min(free, overflow);
    clamped[i] = (clamped[i] as number) + take;
    overflow -= take;
  }
  if (overflow > 0) throw new Error('allocateRecovery: the amount exceeds the room left');
  return clamped;
};
