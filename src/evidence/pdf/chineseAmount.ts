/**
 * 人民币大写 (Chinese capital numerals for amounts), as written on bills, contracts and court papers.
 *
 * Rules followed (中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》):
 * - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, 元角分; a leading 1 in the tens is written 壹拾 (10 → 壹拾元整);
 * - a run of zeros inside the number is written as one 零 (1,409.50 → 壹仟肆佰零玖元伍角;
 *   6,007.14 → 陆仟零柒元壹角肆分); zeros at the end of a 万/亿 group are not written (107,000 → 壹拾万柒仟);
 * - 元 digit 0 with 角 not 0: the rules allow 零 or none; we always write it (1,680.32 → 壹仟陆佰捌拾元零叁角贰分,
 *   the first form of the official example);
 * - 角 0 with 分 not 0: 零 is required (325.04 → 叁佰贰拾伍元零肆分);
 * - 整 after 元 when there is no 角/分 (100 → 壹佰元整); after 角 the rules make 整 optional and their own
 *   example omits it, so we omit it (0.10 → 壹角); never after 分.
 * Input is integer fen; only integer arithmetic is used.
 */
const DIGITS = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'] as const;
const SECTION_UNITS = ['', '拾', '佰', '仟'] as const; // within a group of four digits

const digit = (d: number): string => DIGITS[d] as string;

/** 1 ≤ n ≤ 9999, no leading 零; inner zero runs become one 零, trailing zeros vanish. */
function group(n: number): string {
  let out = '';
  let pendingZero = false;
  for (let pos = 3; pos >= 0; pos--) {
    const d = Math.floor(n / 10 ** pos) % 10;
    if (d === 0) {
      if (out !== '') pendingZero = true;
      continue;
    }
    if (pendingZero) out += '零';
    pendingZero = false;
    out += digit(d) + SECTION_UNITS[pos];
  }
  return out;
}

/** n ≥ 1, whole yuan. Splits at 亿 then at 万; the lower part gets a 零 when its leading digit is 0. */
function yuanWords(n: number): string {
  if (n < 10_000) return group(n);
  if (n < 100_000_000) {
    const hi = Math.floor(n / 10_000);
    const lo = n % 10_000;
    return `${group(hi)}万${lo === 0 ? '' : (lo < 1_000 ? '零' : '') + group(lo)}`;
  }
  const hi = Math.floor(n / 100_000_000);
  const lo = n % 100_000_000;
  return `${yuanWords(hi)}亿${lo === 0 ? '' : (lo < 10_000_000 ? '零' : '') + yuanWords(lo)}`;
}

export function amountInChineseCapitals(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw new RangeError(`amount must be a non-negative safe integer number of fen, got ${fen}`);
  }
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const fenDigit = fen % 10;
  if (fen === 0) return '零元整';

  let out = yuan > 0 ? `${yuanWords(yuan)}元` : '';
  if (jiao === 0 && fenDigit === 0) return `${out}整`;
  if (jiao > 0) {
    if (yuan > 0 && yuan % 10 === 0) out += '零';
    out += `${digit(jiao)}角`;
  } else if (yuan > 0) {
    out += '零';
  }
  if (fenDigit > 0) out += `${digit(fenDigit)}分`;
  return out;
}

/** Figures with thousands separators and two decimals: 123456789 fen → "1,234,567.89". */
export function formatFenAsYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) {
    throw new RangeError(`amount must be a non-negative safe integer number of fen, got ${fen}`);
  }
  const yuan = String(Math.floor(fen / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${yuan}.${String(fen % 100).padStart(2, '0')}`;
}

/** Basis points as a percentage with exactly two decimals: 435 → "4.35%", 1000 → "10.00%". */
export function formatBpsAsPercent(bps: number): string {
  if (!Number.isSafeInteger(bps) || bps < 0)
    throw new RangeError(`bps must be a non-negative integer, got ${bps}`);
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, '0')}%`;
}
