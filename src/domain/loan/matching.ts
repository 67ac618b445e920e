import { z } from 'zod';
import { IndustryCode, RegionCode } from '../enterprise/events.ts';
import { Fen, Id, OrgId, ShortText, TermMonths } from '../schema.ts';
import type { ProductTerms } from '../product/terms.ts';

/** What the matcher knows about the borrower (from its enterprise and credit streams). */
export const BorrowerProfile = z.strictObject({
  industry: IndustryCode,
  regionCode: RegionCode,
  grade: z.string().min(1).max(10).nullable(),
  whiteListed: z.boolean(),
  /** Grades best-first, so "at least A" can be decided. */
  gradeScale: z.array(z.string().min(1).max(10)).min(1).max(20),
});
export type BorrowerProfile = z.infer<typeof BorrowerProfile>;

export const MatchCandidate = z.strictObject({
  rank: z.number().int().min(1),
  productId: Id,
  bank: OrgId,
  eligible: z.boolean(),
  /** Every criterion, whether it matched or not, in a fixed order: the match is explainable. */
  reasons: z.array(z.strictObject({ criterion: ShortText, ok: z.boolean(), detail: ShortText })).max(10),
  /** The product's terms at match time (amount/term/rate ranges) so approval can be checked against them. */
  amountMinFen: Fen,
  amountMaxFen: Fen,
  termMinMonths: TermMonths,
  termMaxMonths: TermMonths,
  rateMinBps: z.number().int().min(0),
  rateMaxBps: z.number().int().min(0),
});
export type MatchCandidate = z.infer<typeof MatchCandidate>;

const prefixMatch = (value: string, prefixes: readonly string[]): boolean =>
  prefixes.length === 0 || prefixes.some((p) => value.startsWith(p));

/**
 * Deterministic ranking: eligible products first, ordered by lowest minimum rate, then lowest maximum
 * rate, then largest maximum amount, then product id; ineligible products after, by product id. The
 * input order does not matter.
 */
export const rankProducts = (
  request: { amountFen: number; termMonths: number },
  profile: BorrowerProfile,
  products: readonly ProductTerms[],
): MatchCandidate[] => {
  const evaluated = products.map((p) => {
    const gradeIdx = profile.grade === null ? -1 : profile.gradeScale.indexOf(profile.grade);
    const minIdx = p.eligibility.minGrade === null ? -1 : profile.gradeScale.indexOf(p.eligibility.minGrade);
    const gradeOk = p.eligibility.minGrade === null || (gradeIdx >= 0 && minIdx >= 0 && gradeIdx <= minIdx);
    const reasons = [
      {
        criterion: 'amount',
        ok: request.amountFen >= p.amountMinFen && request.amountFen <= p.amountMaxFen,
        detail: `${request.amountFen} fen in [${p.amountMinFen}, ${p.amountMaxFen}]`,
      },
      {
        criterion: 'term',
        ok: request.termMonths >= p.termMinMonths && request.termMonths <= p.termMaxMonths,
        detail: `${request.termMonths} months in [${p.termMinMonths}, ${p.termMaxMonths}]`,
      },
      {
        criterion: 'industry',
        ok: prefixMatch(profile.industry, p.targetIndustries),
        detail: p.targetIndustries.length
          ? `${profile.industry} in ${p.targetIndustries.join(',')}`
          : 'any industry',
      },
      {
        criterion: 'region',
        ok: prefixMatch(profile.regionCode, p.targetRegions),
        detail: p.targetRegions.length
          ? `${profile.regionCode} in ${p.targetRegions.join(',')}`
          : 'any region',
      },
      {
        criterion: 'white_list',
        ok: !p.eligibility.whiteListOnly || profile.whiteListed,
        detail: p.eligibility.whiteListOnly
          ? `white list required; listed=${profile.whiteListed}`
          : 'not required',
      },
      {
        criterion: 'grade',
        ok: gradeOk,
        detail:
          p.eligibility.minGrade === null
            ? 'no minimum'
            : `grade ${profile.grade ?? 'none'} vs minimum ${p.eligibility.minGrade}`,
      },
    ];
    return { p, eligible: reasons.every((r) => r.ok), reasons };
  });
  const cmpId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  evaluated.sort((a, b) => {
    if (a.eligible !== b.eligible) return a.eligible ? -1 : 1;
    if (!a.eligible) return cmpId(a.p.productId, b.p.productId);
    return (
      a.p.rateMinBps - b.p.rateMinBps ||
      a.p.rateMaxBps - b.p.rateMaxBps ||
      b.p.amountMaxFen - a.p.amountMaxFen ||
      cmpId(a.p.productId, b.p.productId)
    );
  });
  return evaluated.map(({ p, eligible, reasons }, i) => ({
    rank: i + 1,
    productId: p.productId,
    bank: p.bank,
    eligible,
    reasons,
    amountMinFen: p.amountMinFen,
    amountMaxFen: p.amountMaxFen,
    termMinMonths: p.termMinMonths,
    termMaxMonths: p.termMaxMonths,
    rateMinBps: p.rateMinBps,
    rateMaxBps: p.rateMaxBps,
  }));
};
