import { z } from 'zod';
import { IndustryCode } from '../enterprise/events.ts';
import { Fen, Id, OrgId, RateBps, ShortText, TermMonths } from '../schema.ts';

/** 贷款产品清单 entry. Pledge products name what secures them (订单, 仓单, 保单, 存货, 应收账款, 知识产权). */
export const ProductKind = z.enum(['pure_credit', 'guaranteed', 'pledge']);
export const PledgeType = z.enum([
  'order',
  'warehouse_receipt',
  'insurance_policy',
  'inventory',
  'receivables',
  'ip',
]);

export const ProductTermsFields = {
  name: ShortText,
  kind: ProductKind,
  /** Required for pledge products, null otherwise. */
  pledgeType: PledgeType.nullable(),
  amountMinFen: Fen,
  amountMaxFen: Fen,
  termMinMonths: TermMonths,
  termMaxMonths: TermMonths,
  rateMinBps: RateBps,
  rateMaxBps: RateBps,
  /** GB/T 4754 code prefixes; empty = any industry. */
  targetIndustries: z.array(IndustryCode).max(50),
  /** Administrative division code prefixes ('43' = all Hunan, '4301' = 长沙); empty = anywhere. */
  targetRegions: z.array(z.string().regex(/^\d{2,6}$/)).max(50),
  eligibility: z.strictObject({ whiteListOnly: z.boolean(), minGrade: z.string().min(1).max(10).nullable() }),
};
export const ProductTermsInput = z.strictObject(ProductTermsFields);
export type ProductTermsInput = z.infer<typeof ProductTermsInput>;

/** A product as the loan matcher sees it (the API reads it from the product stream and passes it in). */
export const ProductTerms = z.strictObject({ productId: Id, bank: OrgId, ...ProductTermsFields });
export type ProductTerms = z.infer<typeof ProductTerms>;
