import { z } from 'zod';
import { DateOnly, Fen, ShortText } from '../schema.ts';

/**
 * The credit-data categories of the sharing list (湘发改财信规〔2022〕615号), each with a typed record
 * so evaluation and risk monitoring can read it.
 */
export const creditCategories = [
  'tax',
  'environment_rating',
  'real_estate',
  'mortgage',
  'administrative',
  'utilities',
  'rnd',
  'agricultural_operator',
] as const;
export const CreditCategory = z.enum(creditCategories);
export type CreditCategory = z.infer<typeof CreditCategory>;

const Count = z.number().int().min(0).max(100_000);

export const CreditRecord = z.discriminatedUnion('category', [
  z.strictObject({
    category: z.literal('tax'),
    taxArrears: z.boolean(),
    /** Months of continuous normal tax payment up to asOf. */
    monthsContinuousNormal: Count,
    annualTaxPaidFen: Fen,
  }),
  z.strictObject({
    category: z.literal('environment_rating'),
    /** 环保信用评价: green (best) … black (worst). */
    rating: z.enum(['green', 'blue', 'yellow', 'red', 'black']),
  }),
  z.strictObject({ category: z.literal('real_estate'), properties: Count, totalAreaSqm: Count }),
  z.strictObject({ category: z.literal('mortgage'), activeMortgages: Count, securedAmountFen: Fen }),
  z.strictObject({
    category: z.literal('administrative'),
    /** 行政许可/处罚/强制/确认/裁决/奖励/检查. */
    kind: z.enum(['licence', 'penalty', 'coercion', 'confirmation', 'adjudication', 'award', 'inspection']),
    decidedOn: DateOnly,
    amountFen: Fen,
    authority: ShortText,
  }),
  z.strictObject({
    category: z.literal('utilities'),
    utility: z.enum(['water', 'electricity', 'gas']),
    arrears: z.boolean(),
    monthsOnTime: Count,
  }),
  z.strictObject({ category: z.literal('rnd'), rndSpendFen: Fen, patents: Count }),
  z.strictObject({
    category: z.literal('agricultural_operator'),
    operatorType: z.enum(['family_farm', 'cooperative', 'leading_enterprise']),
    certified: z.boolean(),
  }),
]);
export type CreditRecord = z.infer<typeof CreditRecord>;
