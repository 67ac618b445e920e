import { describe, expect, it } from 'vitest';
import type { CreditCommand } from '../../src/domain/credit/commands.ts';
import { creditDecider } from '../../src/domain/credit/decider.ts';
import { creditEvents, type CreditEvent } from '../../src/domain/credit/events.ts';
import { OPERATOR, OTHER_USCC, USCC } from './fixtures.ts';
import { commands, DeciderSpecification } from './specification.ts';

const spec = DeciderSpecification.for(creditDecider, creditEvents);
const c = commands<CreditCommand>();
const TAX_BUREAU = 'hn-tax';

const tax: CreditEvent = {
  type: 'CreditInfoSubmitted',
  data: {
    uscc: USCC,
    recordId: 'r-tax',
    source: { kind: 'data_source', org: TAX_BUREAU },
    asOf: '2026-02-01',
    record: { category: 'tax', taxArrears: false, monthsContinuousNormal: 60, annualTaxPaidFen: 12_000_000 },
  },
};
const utility: CreditEvent = {
  type: 'CreditInfoSubmitted',
  data: {
    uscc: USCC,
    recordId: 'r-power',
    source: { kind: 'self_declared', creditCommitment: true },
    asOf: '2026-02-01',
    record: { category: 'utilities', utility: 'electricity', arrears: false, monthsOnTime: 24 },
  },
};
export const gradeScale = [
  { grade: 'AAA', minScore: 850 },
  { grade: 'AA', minScore: 750 },
  { grade: 'A', minScore: 650 },
  { grade: 'B', minScore: 500 },
  { grade: 'C', minScore: 0 },
];
export const whiteList = {
  minGrade: 'AA',
  requireNoTaxArrears: true,
  minMonthsNormalTax: 24,
  requireNoUtilityArrears: true,
  maxAdministrativePenalties: 0,
};
const evaluate = c(
  'EvaluateCredit',
  { evaluationId: 'ev1', modelId: 'hn-basic', modelVersion: '1', gradeScale, whiteList },
  ['system', OPERATOR],
);

describe('credit decider', () => {
  it('accepts a data source record from that source and a self-declared one from the enterprise', () => {
    spec([])
      .when(c('SubmitCreditInfo', tax.data, ['operator', TAX_BUREAU]))
      .then([tax]);
    spec([tax])
      .when(c('SubmitCreditInfo', utility.data, ['enterprise', USCC]))
      .then([utility]);
  });

  it('refuses a record claimed for a source by someone else, or self-declared by another enterprise', () => {
    spec([])
      .when(c('SubmitCreditInfo', tax.data, ['operator', 'someone']))
      .thenThrows('credit.submit.not_the_source');
    spec([])
      .when(c('SubmitCreditInfo', utility.data, ['enterprise', OTHER_USCC]))
      .thenThrows('credit.submit.self_declared_by_other');
    spec([tax])
      .when(c('SubmitCreditInfo', tax.data, ['operator', TAX_BUREAU]))
      .thenThrows('credit.submit.duplicate_record');
  });

  it('evaluates: score from the records, grade from the configured scale, white list with reasons', () => {
    spec([tax, utility])
      .when(evaluate)
      .then(([evaluated, decided]) => {
        // 600 + 60·2 (tax, capped) + 24 (utility) = 744 → A (< 750).
        expect(evaluated?.data).toMatchObject({
          score: 744,
          grade: 'A',
          inputRecordIds: ['r-tax', 'r-power'],
        });
        expect(decided?.data).toMatchObject({ listed: false });
        expect((decided?.data as { reasons: string[] }).reasons[0]).toBe('grade A is below the minimum AA');
      });
  });

  it('white-lists a good enterprise', () => {
    const award: CreditEvent = {
      type: 'CreditInfoSubmitted',
      data: {
        uscc: USCC,
        recordId: 'r-env',
        source: { kind: 'data_source', org: 'hn-env' },
        asOf: '2026-02-01',
        record: { category: 'environment_rating', rating: 'green' },
      },
    };
    spec([tax, utility, award])
      .when(evaluate)
      .then(([e, w]) => {
        expect(e?.data).toMatchObject({ score: 784, grade: 'AA' });
        expect(w?.data).toMatchObject({ listed: true });
      });
  });

  it('refuses an evaluation without inputs, with an unknown model, or with a bad grade scale', () => {
    spec([]).when(evaluate).thenThrows('credit.evaluate.no_inputs');
    spec([tax])
      .when({ ...evaluate, data: { ...evaluate.data, modelVersion: '9' } })
      .thenThrows('credit.evaluate.unknown_model');
    spec([tax])
      .when({
        ...evaluate,
        data: {
          ...evaluate.data,
          gradeScale: [{ grade: 'A', minScore: 10 }],
          whiteList: { ...whiteList, minGrade: 'A' },
        },
      })
      .thenThrows('credit.evaluate.bad_grade_scale');
    spec([tax])
      .when({ ...evaluate, metadata: { ...evaluate.metadata, actor: { org: 'b', role: 'bank' } } })
      .thenThrows('credit.evaluate.actor_not_allowed');
  });
});
