/**
 * Check-digit validators for the two identifiers the platform sees (FACTS.md "Identifiers").
 * - 统一社会信用代码 (USCC, GB 32100-2015): 18 characters over a 31-symbol alphabet, a mod-31 check
 *   character, and positions 9–17 are the organization code (GB 11714) with its own mod-11 check.
 * - Resident ID number (GB 11643-1999): ISO 7064 MOD 11-2.
 */

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** The USCC check character for the first 17 characters, or undefined if one is outside the alphabet. */
export const usccCheckChar = (first17: string): string | undefined => {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = USCC_ALPHABET.indexOf(first17[i] as string);
    if (v < 0) return undefined;
    sum += v * (USCC_WEIGHTS[i] as number);
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET[check];
};

/** GB 11714 organization-code check character for its first 8 characters (digits and A–Z, A = 10 … Z = 35). */
export const orgCodeCheckChar = (first8: string): string | undefined => {
  if (!/^[0-9A-Z]{8}$/.test(first8)) return undefined;
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += parseInt(first8[i] as string, 36) * (ORG_WEIGHTS[i] as number);
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
};

export type UsccProblem = 'length' | 'alphabet' | 'check_digit' | 'organization_code';

/** Why a USCC is invalid, or undefined when it is valid. Upper case only, as printed on licences. */
export const usccProblem = (code: string): UsccProblem | undefined => {
  if (code.length !== 18) return 'length';
  for (const ch of code) if (!USCC_ALPHABET.includes(ch)) return 'alphabet';
  if (usccCheckChar(code.slice(0, 17)) !== code[17]) return 'check_digit';
  if (orgCodeCheckChar(code.slice(8, 16)) !== code[16]) return 'organization_code';
  return undefined;
};

export const isValidUscc = (code: string): boolean => usccProblem(code) === undefined;

/** GB 11643 check character for the first 17 digits. */
export const idNumberCheckChar = (first17: string): string | undefined => {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] as number);
  return ID_CHECK[sum % 11];
};

/** A resident ID number: 17 digits (with a real birth date at positions 7–14) and the MOD 11-2 check character. */
export const isValidIdNumber = (id: string): boolean => {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const t = Date.parse(`${birth}T00:00:00.000Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== birth) return false;
  return idNumberCheckChar(id.slice(0, 17)) === id[17];
};

/** Builds a valid USCC from its first 16 characters (registration dept, type, region, org-code body): for fixtures and tools. */
export const completeUscc = (first16Without17: string): string => {
  const orgBody = first16Without17.slice(8, 16);
  const org = orgCodeCheckChar(orgBody);
  if (first16Without17.length !== 16 || org === undefined)
    throw new Error('need 16 characters with a valid org-code body');
  const first17 = first16Without17 + org;
  const check = usccCheckChar(first17);
  if (check === undefined) throw new Error('character outside the USCC alphabet');
  return first17 + check;
};
