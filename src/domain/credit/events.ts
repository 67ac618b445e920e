import { z } from 'zod';
import { Uscc } from '../enterprise/events.ts';
import { DateOnly, Id, OrgId, ShortText, type EventOf, type EventSchemas } from '../schema.ts';
import { CreditRecord } from './records.ts';

export const CreditSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('data_source'), org: OrgId }),
  /** 自愿填报 with a 信用承诺: the enterprise vouches for the data. */
  z.strictObject({ kind: z.literal('self_declared'), creditCommitment: z.literal(true) }),
]);

export const Grade = z.string().min(1).max(10);
/** Grades from best to worst with the minimum score of each, e.g. [{AAA, 850}, {AA, 750}, …, {C, 0}]. */
export const GradeScale = z
  .array(z.strictObject({ grade: Grade, minScore: z.number().int().min(0).max(1000) }))
  .min(1)
  .max(20);

export const creditEvents = {
  CreditInfoSubmitted: {
    schemaVersion: 1,
    description:
      'A data source or the enterprise itself (with a credit commitment) submitted a credit record.',
    schema: z.strictObject({
      uscc: Uscc,
      recordId: Id,
      source: CreditSource,
      asOf: DateOnly,
      record: CreditRecord,
    }),
  },
  CreditEvaluated: {
    schemaVersion: 1,
    description: 'A credit evaluation: model, the records it read (by record id), score and grade.',
    schema: z.strictObject({
      uscc: Uscc,
      evaluationId: Id,
      modelId: ShortText,
      modelVersion: ShortText,
      inputRecordIds: z.array(Id).max(1000),
      score: z.number().int().min(0).max(1000),
      grade: Grade,
      gradeScale: GradeScale,
    }),
  },
  WhiteListDecided: {
    schemaVersion: 1,
    description:
      'The white-list (白名单) decision derived from an evaluation and configured criteria, with reasons.',
    schema: z.strictObject({
      uscc: Uscc,
      evaluationId: Id,
      listed: z.boolean(),
      reasons: z.array(ShortText).max(20),
    }),
  },
} satisfies EventSchemas;

export type CreditEvent = EventOf<typeof creditEvents>;
