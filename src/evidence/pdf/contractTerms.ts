import { z } from 'zod';
import { orgRoleSchema } from './certificateInput.ts';

/**
 * The approved terms a 借款合同 (loan contract) is generated from: plain data from the loan's approval.
 * Money is integer fen, rates are basis points, dates are 'YYYY-MM-DD'.
 */
const fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const date = z.iso.date();
const text = (max: number) => z.string().trim().min(1).max(max);

export const contractPartySchema = z.object({
  name: text(120),
  /** 统一社会信用代码; printed when known (an organization registered without one has none on the ledger). */
  uscc: z
    .string()
    .regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/)
    .optional(),
  address: text(200).optional(),
  /** 法定代表人 / 负责人. A natural person's name: printed in the contract, never put in an event. */
  legalRepresentative: text(60).optional(),
});

export const REPAYMENT_METHOD_LABELS = {
  equal_instalment: '等额本息',
  equal_principal: '等额本金',
  interest_first: '按月付息、到期还本',
  bullet: '到期一次性还本付息',
} as const;
type RepaymentMethod = keyof typeof REPAYMENT_METHOD_LABELS;

export const scheduleRowSchema = z.object({ dueDate: date, principalFen: fen, interestFen: fen });

export const loanContractTermsSchema = z
  .object({
    contractNo: text(64),
    loanId: text(64),
    /** The contract's drafting instant; also the PDF's CreationDate, so the same terms give the same bytes. */
    draftedAt: z.iso.datetime({ offset: true }),
    platform: text(120),
    signingPlace: text(60).optional(),
    lender: contractPartySchema,
    borrower: contractPartySchema,
    /** 丙方. Absent for a pure credit loan (纯信用贷款): then no guarantee, risk shares or programme either. */
    guarantor: contractPartySchema.optional(),
    principalFen: fen.refine((n) => n > 0, 'the principal must be positive'),
    annualRateBps: z.number().int().nonnegative().max(100_000),
    termMonths: z.number().int().positive().max(600),
    startDate: date,
    endDate: date,
    purpose: text(200),
    repaymentMethod: z.enum(Object.keys(REPAYMENT_METHOD_LABELS) as [RepaymentMethod, ...RepaymentMethod[]]),
    schedule: z.array(scheduleRowSchema).min(1).max(600),
    guarantee: z
      .object({
        /** Share of the loan the guarantor covers, bps (10,000 = the whole loan). */
        coverageBps: z.number().int().positive().max(10_000),
        /** Annual guarantee fee, bps of the guaranteed amount (Hunan: ≤ 1% for filed business). */
        feeRateBps: z.number().int().nonnegative().max(10_000).optional(),
      })
      .optional(),
    /** Who bears what share of a loss on default (the "4321" agreement or another programme's split). */
    riskShares: z
      .array(z.object({ name: text(120), role: orgRoleSchema, bps: z.number().int().positive().max(10_000) }))
      .min(1)
      .max(12)
      .optional(),
    riskProgramme: text(120).optional(),
    arbitration: z.object({ institution: text(120) }),
    notarization: z.object({ notaryOffice: text(120) }),
  })
  .superRefine((t, ctx) => {
    const guaranteed = [t.guarantor, t.guarantee, t.riskShares, t.riskProgramme].filter(
      (x) => x !== undefined,
    );
    if (guaranteed.length !== 0 && guaranteed.length !== 4) {
      ctx.addIssue({
        code: 'custom',
        path: ['guarantor'],
        message:
          'a guaranteed loan has a guarantor, guarantee, risk shares and programme; a credit loan none of them',
      });
    }
    const principal = t.schedule.reduce((s, r) => s + r.principalFen, 0);
    if (principal !== t.principalFen) {
      ctx.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: `the schedule repays ${principal} fen of principal, the contract lends ${t.principalFen}`,
      });
    }
    const shares = t.riskShares?.reduce((s, r) => s + r.bps, 0) ?? 10_000;
    if (shares !== 10_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['riskShares'],
        message: `risk shares sum to ${shares} bps, not 10,000`,
      });
    }
    if (t.endDate <= t.startDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['endDate'],
        message: 'the end date must be after the start date',
      });
    }
    t.schedule.forEach((r, i) => {
      const prev = t.schedule[i - 1];
      if (r.dueDate <= t.startDate || r.dueDate > t.endDate || (prev && r.dueDate <= prev.dueDate)) {
        ctx.addIssue({
          code: 'custom',
          path: ['schedule', i, 'dueDate'],
          message: 'due dates must increase and lie after the start date, no later than the end date',
        });
      }
    });
  });

export type LoanContractTerms = z.infer<typeof loanContractTermsSchema>;
export type ScheduleRow = z.infer<typeof scheduleRowSchema>;
