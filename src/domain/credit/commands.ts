import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { DateOnly, Id, ShortText, type CommandOf } from '../schema.ts';
import { CreditSource, Grade, GradeScale } from './events.ts';
import { CreditRecord } from './records.ts';

export const WhiteListCriteria = z.strictObject({
  minGrade: Grade,
  requireNoTaxArrears: z.boolean(),
  minMonthsNormalTax: z.number().int().min(0).max(600),
  requireNoUtilityArrears: z.boolean(),
  maxAdministrativePenalties: z.number().int().min(0).max(1000),
});
export type WhiteListCriteria = z.infer<typeof WhiteListCriteria>;

export const creditCommands = {
  SubmitCreditInfo: z.strictObject({
    uscc: Uscc,
    recordId: Id,
    source: CreditSource,
    asOf: DateOnly,
    record: CreditRecord,
  }),
  EvaluateCredit: z.strictObject({
    evaluationId: Id,
    modelId: ShortText,
    modelVersion: ShortText,
    gradeScale: GradeScale,
    whiteList: WhiteListCriteria,
  }),
};

export type CreditCommand = CommandOf<typeof creditCommands>;
