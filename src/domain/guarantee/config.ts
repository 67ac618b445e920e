/**
 * Guarantee configuration (FACTS.md "4321"). Values marked unconfirmed in FACTS are parameters of
 * the programme passed with each command; only the national/Hunan fee ceilings are constants here.
 */

/** 10 million yuan in fen: Hunan's fee ceiling is 1 % up to this single guarantee amount, 2 % above. */
export const FEE_CEILING_THRESHOLD_FEN = 1_000_000_000;
export const FEE_CEILING_SMALL_BPS = 100;
export const FEE_CEILING_LARGE_BPS = 200;

export const feeCeilingBps = (guaranteedAmountFen: number): number =>
  guaranteedAmountFen <= FEE_CEILING_THRESHOLD_FEN ? FEE_CEILING_SMALL_BPS : FEE_CEILING_LARGE_BPS;

export const partyKinds = [
  'national_fund',
  'provincial_finance',
  'provincial_reguarantee',
  'guarantor',
  'bank',
  'local_government',
  'other',
] as const;
export type PartyKind = (typeof partyKinds)[number];

/** Hunan's 4321 (湘政办发〔2019〕64号): province and above 40 (20 + 10 + 10), guarantor 30, bank 20, city/county 10. */
export const HUNAN_4321_BPS: Record<Exclude<PartyKind, 'other'>, number> = {
  national_fund: 2000,
  provincial_finance: 1000,
  provincial_reguarantee: 1000,
  guarantor: 3000,
  bank: 2000,
  local_government: 1000,
};

export const hunan4321Parties = (orgs: Record<Exclude<PartyKind, 'other'>, string>) =>
  (Object.keys(HUNAN_4321_BPS) as Exclude<PartyKind, 'other'>[]).map((kind) => ({
    org: orgs[kind],
    kind,
    shareBps: HUNAN_4321_BPS[kind],
  }));
