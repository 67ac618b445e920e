import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  amountInChineseCapitals,
  formatBpsAsPercent,
  formatFenAsYuan,
} from '../../../src/evidence/pdf/chineseAmount.ts';

/**
 * Known amounts. The first group are the worked examples of 中国人民银行《支付结算办法》附件一
 * 《正确填写票据和结算凭证的基本规定》 (where the rules allow two forms we use the first one they give);
 * the rest are the usual textbook cases (bank teller and accounting exercises) and edge cases.
 */
const KNOWN: [fen: number, expected: string][] = [
  [140_950, '壹仟肆佰零玖元伍角'], // ¥1,409.50 (official example)
  [600_714, '陆仟零柒元壹角肆分'], // ¥6,007.14 (official example)
  [168_032, '壹仟陆佰捌拾元零叁角贰分'], // ¥1,680.32 (official example, first form)
  [10_700_053, '壹拾万柒仟元零伍角叁分'], // ¥107,000.53 (official example, first form)
  [1_640_902, '壹万陆仟肆佰零玖元零贰分'], // ¥16,409.02 (official example)
  [32_504, '叁佰贰拾伍元零肆分'], // ¥325.04 (official example)
  [123_456_789, '壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分'],
  [1, '壹分'], // ¥0.01
  [10, '壹角'], // ¥0.10
  [100, '壹元整'], // ¥1.00
  [1_000, '壹拾元整'], // ¥10.00
  [10_000, '壹佰元整'], // ¥100.00
  [10_000_000, '壹拾万元整'], // ¥100,000.00
  [10_000_000_000, '壹亿元整'], // ¥100,000,000.00
  [100_001_005, '壹佰万零壹拾元零伍分'], // ¥1,000,010.05
  [2_000_000_000, '贰仟万元整'], // ¥20,000,000.00
  [0, '零元整'],
  [5, '伍分'],
  [15, '壹角伍分'],
  [105, '壹元零伍分'],
  [1_010, '壹拾元零壹角'],
  [1_500, '壹拾伍元整'],
  [202_000, '贰仟零贰拾元整'],
  [1_000_001, '壹万元零壹分'],
  [10_070_000, '壹拾万零柒佰元整'],
  [50_000_000, '伍拾万元整'],
  [300_000_000, '叁佰万元整'],
  [3_500_000_000, '叁仟伍佰万元整'],
  [1_000_500_000, '壹仟万伍仟元整'], // like 壹拾万柒仟: the 万 group's trailing zeros are not written
  [50_000_900_000, '伍亿零玖仟元整'], // an all-zero 万 group inside is one 零
  [10_000_000_500, '壹亿零伍元整'],
  [10_005_000_000, '壹亿零伍万元整'],
  [12_345_678_900, '壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整'],
  [100_000_000_000_000, '壹万亿元整'],
  [Number.MAX_SAFE_INTEGER, '玖拾万零柒佰壹拾玖亿玖仟贰佰伍拾肆万柒仟肆佰零玖元玖角壹分'],
];

/**
 * Independent reference: the classic "digit + unit for every position, then regex clean-up" method,
 * which shares no code or structure with the group-by-group implementation.
 */
const D = '零壹贰叁肆伍陆柒捌玖';
const POSITION_UNITS = [
  '元',
  '拾',
  '佰',
  '仟',
  '万',
  '拾',
  '佰',
  '仟',
  '亿',
  '拾',
  '佰',
  '仟',
  '万',
  '拾',
  '佰',
  '仟',
];
function reference(fen: number): string {
  const yuanDigits = String(Math.floor(fen / 100));
  const jiao = Math.floor(fen / 10) % 10;
  const fenDigit = fen % 10;
  let int = '';
  for (let i = 0; i < yuanDigits.length; i++) {
    int += D[Number(yuanDigits[i])] + POSITION_UNITS[yuanDigits.length - 1 - i]!;
  }
  int = int
    .replace(/零[拾佰仟]/g, '零')
    .replace(/零+/g, '零')
    .replace(/零([万亿元])/g, '$1')
    .replace(/亿万元/g, '亿元')
    .replace(/亿万零?/g, '亿零');
  const noYuan = int === '元';
  let full = `${noYuan ? '' : int}${D[jiao]}角${D[fenDigit]}分`;
  if (jiao === 0 && fenDigit === 0) return noYuan ? '零元整' : full.replace(/零角零分$/, '整');
  full = full.replace(/零分$/, '');
  if (noYuan) return full.replace(/^零角/, '');
  if (jiao === 0) return full.replace(/元零角/, '元零');
  return yuanDigits.endsWith('0') ? full.replace(/元/, '元零') : full;
}

/** Reads 大写 back into fen (a third, independent view: the words must denote the amount). */
function parse(words: string): number {
  let total = 0n; // yuan
  let section = 0n; // below 万
  let wan = 0n; // the part counted in 万 below 亿
  let digitValue = 0n;
  let fen = 0n;
  for (const ch of words.replace(/^零元整$/, '')) {
    const d = D.indexOf(ch);
    if (d >= 0) {
      digitValue = BigInt(d);
      continue;
    }
    switch (ch) {
      case '拾':
        section += digitValue * 10n;
        break;
      case '佰':
        section += digitValue * 100n;
        break;
      case '仟':
        section += digitValue * 1000n;
        break;
      case '万':
        wan = (wan + section + digitValue) * 10_000n;
        section = 0n;
        break;
      case '亿':
        total = (total + wan + section + digitValue) * 100_000_000n;
        wan = 0n;
        section = 0n;
        break;
      case '元':
        total += wan + section + digitValue;
        wan = section = 0n;
        break;
      case '角':
        fen += digitValue * 10n;
        break;
      case '分':
        fen += digitValue;
        break;
      case '整':
        break;
      default:
        throw new Error(`unexpected ${ch}`);
    }
    digitValue = 0n;
  }
  return Number(total * 100n + fen);
}

// Amounts with many zeros exercise the 零 rules far more than uniform integers do.
const zeroHeavyFen = fc
  .array(fc.constantFrom(0, 0, 0, 0, 1, 2, 5, 9), { minLength: 1, maxLength: 15 })
  .map((ds) => Number(ds.join('')));

describe('amountInChineseCapitals', () => {
  it.each(KNOWN)('%d fen → %s', (fen, expected) => {
    expect(amountInChineseCapitals(fen)).toBe(expected);
  });

  it('the reference agrees with every known amount (so it is a fair oracle)', () => {
    for (const [fen, expected] of KNOWN) expect(reference(fen)).toBe(expected);
  });

  it('matches the independent reference on random and zero-heavy amounts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeNat(), fc.nat({ max: 10_000_000 }), zeroHeavyFen), (fen) => {
        expect(amountInChineseCapitals(fen)).toBe(reference(fen));
      }),
      { numRuns: 5_000 },
    );
  });

  it('reads back to the same amount, never doubles 零, and ends with 整, 角 or 分', () => {
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeNat(), zeroHeavyFen), (fen) => {
        const words = amountInChineseCapitals(fen);
        expect(parse(words)).toBe(fen);
        if (fen > 0) expect(words).not.toMatch(/零零|零[元万亿角分整]|^零/);
        expect(words).toMatch(/[整角分]$/);
        expect(words).toMatch(/^[零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整]+$/);
      }),
      { numRuns: 3_000 },
    );
  });

  it('rejects what is not integer fen', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => amountInChineseCapitals(bad)).toThrow(RangeError);
    }
  });
});

describe('figures', () => {
  it('formats fen with separators and two decimals', () => {
    expect(formatFenAsYuan(0)).toBe('0.00');
    expect(formatFenAsYuan(5)).toBe('0.05');
    expect(formatFenAsYuan(123_456_789)).toBe('1,234,567.89');
    expect(formatFenAsYuan(100_000_000_000)).toBe('1,000,000,000.00');
  });

  it('formats bps as a percentage with two decimals, exactly', () => {
    expect(formatBpsAsPercent(435)).toBe('4.35%');
    expect(formatBpsAsPercent(1_000)).toBe('10.00%');
    expect(formatBpsAsPercent(5)).toBe('0.05%');
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), (bps) => {
        const [whole, frac] = formatBpsAsPercent(bps).slice(0, -1).split('.');
        expect(Number(whole) * 100 + Number(frac)).toBe(bps);
        expect(frac).toHaveLength(2);
      }),
    );
  });
});
