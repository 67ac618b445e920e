import { describe, expect, it } from 'vitest';
import {
  completeUscc,
  idNumberCheckChar,
  isValidIdNumber,
  isValidUscc,
  orgCodeCheckChar,
  usccProblem,
} from '../../src/domain/identifiers.ts';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it('accepts published valid codes', () => {
    // The example in GB 32100-2015 and a code printed on a central SOE's licence.
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91110000802100433B')).toBe(true);
  });

  it('says why a code is invalid', () => {
    expect(usccProblem('91350100M000100Y4')).toBe('length');
    expect(usccProblem('91350100M000100Y4I')).toBe('alphabet'); // I is not in the alphabet
    expect(usccProblem('91350100M000100Y44')).toBe('check_digit');
    expect(usccProblem('91350100M000100Y43'.toLowerCase())).toBe('alphabet');
  });

  it('checks the embedded organization code (GB 11714) too', () => {
    // Keep the overall check valid but break the org-code check digit: recompute char 18 for a wrong char 17.
    const good = completeUscc('91430100MA4L16JQ');
    expect(isValidUscc(good)).toBe(true);
    expect(orgCodeCheckChar('MA4L16JQ')).toBe(good[16]);
    const wrongOrgCheck = good[16] === '0' ? '1' : '0';
    const first17 = good.slice(0, 16) + wrongOrgCheck;
    const forged = completeUscc.length ? first17 + recomputeCheck(first17) : '';
    expect(usccProblem(forged)).toBe('organization_code');
  });
});

const recomputeCheck = (first17: string): string => {
  const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const sum = [...first17].reduce((s, ch, i) => s + alphabet.indexOf(ch) * (weights[i] as number), 0);
  return alphabet[(31 - (sum % 31)) % 31] as string;
};

describe('resident ID number (GB 11643-1999)', () => {
  it('accepts the standard example and computed numbers', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    const body = '43010219900101123';
    expect(isValidIdNumber(body + idNumberCheckChar(body))).toBe(true);
  });

  it('refuses a wrong check digit, a lowercase x, an impossible birth date', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('11010519491231002x')).toBe(false);
    const feb30 = '43010219900230123';
    expect(isValidIdNumber(feb30 + idNumberCheckChar(feb30))).toBe(false);
  });
});
