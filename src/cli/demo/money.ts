/**
 * Yuan with two decimals from integer fen, by integer arithmetic only (no floats anywhere near money):
 * 12345678 → "123,456.78", -5 → "-0.05".
 */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer amount of fen: ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = BigInt(Math.abs(fen));
  const yuan = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${sign}${yuan}.${cents}`;
}
