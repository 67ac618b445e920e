import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import type { CreditCommand, WhiteListCriteria } from './commands.ts';
import type { CreditEvent } from './events.ts';
import { BASIC_MODEL, latestByKey, scoreCredit, type ScoredInput } from './model.ts';
import { SeenIds } from '../seenIds.ts';

export interface CreditState {
  uscc: string | null;
  inputs: ScoredInput[];
  evaluationIds: SeenIds;
  grade: string | null;
  whiteListed: boolean;
}

export const gradeFor = (
  score: number,
  scale: readonly { grade: string; minScore: number }[],
): string | undefined => scale.find((g) => score >= g.minScore)?.grade;

/** Index of a grade in a best-first scale (lower is better), or −1. */
export const gradeRank = (grade: string, scale: readonly { grade: string }[]): number =>
  scale.findIndex((g) => g.grade === grade);

const whiteListReasons = (
  inputs: ScoredInput[],
  grade: string,
  scale: readonly { grade: string; minScore: number }[],
  c: WhiteListCriteria,
): { listed: boolean; reasons: string[] } => {
  const reasons: string[] = [];
  let listed = true;
  const latest = latestByKey(inputs).map((i) => i.record);
  const tax = latest.find((r) => r.category === 'tax');
  if (gradeRank(grade, scale) > gradeRank(c.minGrade, scale)) {
    listed = false;
    reasons.push(`grade ${grade} is below the minimum ${c.minGrade}`);
  } else reasons.push(`grade ${grade} meets the minimum ${c.minGrade}`);
  if (c.requireNoTaxArrears && (!tax || tax.taxArrears)) {
    listed = false;
    reasons.push(tax ? 'tax arrears' : 'no tax record');
  }
  if (c.minMonthsNormalTax > 0 && (!tax || tax.monthsContinuousNormal < c.minMonthsNormalTax)) {
    listed = false;
    reasons.push(`fewer than ${c.minMonthsNormalTax} months of normal tax payment`);
  }
  if (c.requireNoUtilityArrears && latest.some((r) => r.category === 'utilities' && r.arrears)) {
    listed = false;
    reasons.push('utility arrears');
  }
  const penalties = latest.filter((r) => r.category === 'administrative' && r.kind === 'penalty').length;
  if (penalties > c.maxAdministrativePenalties) {
    listed = false;
    reasons.push(`${penalties} administrative penalties (max ${c.maxAdministrativePenalties})`);
  }
  return { listed, reasons };
};

export const creditDecider: Decider<CreditCommand, CreditEvent, CreditState> = {
  initialState: () => ({
    uscc: null,
    inputs: [],
    evaluationIds: SeenIds.empty(),
    grade: null,
    whiteListed: false,
  }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'SubmitCreditInfo': {
        const d = command.data;
        ensure(
          state.uscc === null || state.uscc === d.uscc,
          'credit.submit.wrong_enterprise',
          'this stream belongs to another enterprise',
        );
        ensure(
          !state.inputs.some((i) => i.recordId === d.recordId),
          'credit.submit.duplicate_record',
          'a record with this id was already submitted',
        );
        if (d.source.kind === 'data_source') {
          requireActor(metadata, 'credit.submit.not_the_source', [
            { role: 'operator', org: d.source.org },
            { role: 'system', org: d.source.org },
          ]);
        } else {
          requireActor(metadata, 'credit.submit.self_declared_by_other', [
            { role: 'enterprise', org: d.uscc },
          ]);
        }
        return [{ type: 'CreditInfoSubmitted', data: d }];
      }
      case 'EvaluateCredit': {
        const d = command.data;
        requireActor(metadata, 'credit.evaluate.actor_not_allowed', ['operator', 'system']);
        ensure(
          state.uscc !== null && state.inputs.length > 0,
          'credit.evaluate.no_inputs',
          'no credit records to evaluate',
        );
        ensure(
          !state.evaluationIds.has(d.evaluationId),
          'credit.evaluate.duplicate',
          'evaluation id already used',
        );
        ensure(
          d.modelId === BASIC_MODEL.id && d.modelVersion === BASIC_MODEL.version,
          'credit.evaluate.unknown_model',
          `only ${BASIC_MODEL.id} v${BASIC_MODEL.version} is implemented`,
        );
        const descending = d.gradeScale.every(
          (g, i, a) => i === 0 || g.minScore < (a[i - 1] as { minScore: number }).minScore,
        );
        ensure(
          descending &&
            d.gradeScale.at(-1)?.minScore === 0 &&
            gradeRank(d.whiteList.minGrade, d.gradeScale) >= 0,
          'credit.evaluate.bad_grade_scale',
          'the grade scale must go best-first with strictly decreasing minimum scores, end at 0 and contain the white-list grade',
        );
        const uscc = state.uscc as string;
        const score = scoreCredit(state.inputs);
        const grade = gradeFor(score, d.gradeScale) as string;
        const { listed, reasons } = whiteListReasons(state.inputs, grade, d.gradeScale, d.whiteList);
        return [
          {
            type: 'CreditEvaluated',
            data: {
              uscc,
              evaluationId: d.evaluationId,
              modelId: d.modelId,
              modelVersion: d.modelVersion,
              inputRecordIds: state.inputs.map((i) => i.recordId),
              score,
              grade,
              gradeScale: d.gradeScale,
            },
          },
          { type: 'WhiteListDecided', data: { uscc, evaluationId: d.evaluationId, listed, reasons } },
        ];
      }
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'CreditInfoSubmitted':
        return {
          ...state,
          uscc: event.data.uscc,
          inputs: [...state.inputs, { recordId: event.data.recordId, record: event.data.record }],
        };
      case 'CreditEvaluated':
        return {
          ...state,
          evaluationIds: state.evaluationIds.with(event.data.evaluationId),
          grade: event.data.grade,
        };
      case 'WhiteListDecided':
        return { ...state, whiteListed: event.data.listed };
    }
  },
};
