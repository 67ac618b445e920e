import type { CreditRecord } from './records.ts';

/**
 * The platform's basic scoring model ('hn-basic' v1): transparent points on a 0–1000 scale. It only
 * ranks; the grade cut-offs and the white-list criteria are configuration passed with the command.
 * The latest record per category (and per utility) counts; every administrative penalty counts.
 */
export const BASIC_MODEL = { id: 'hn-basic', version: '1' } as const;

export interface ScoredInput {
  recordId: string;
  record: CreditRecord;
}

const ENV_POINTS = { green: 40, blue: 20, yellow: 0, red: -60, black: -150 } as const;

export const latestByKey = (inputs: readonly ScoredInput[]): ScoredInput[] => {
  const byKey = new Map<string, ScoredInput>();
  for (const i of inputs) {
    const key =
      i.record.category === 'utilities'
        ? `utilities:${i.record.utility}`
        : i.record.category === 'administrative'
          ? `administrative:${i.recordId}`
          : i.record.category;
    byKey.set(key, i);
  }
  return [...byKey.values()];
};

export const scoreCredit = (inputs: readonly ScoredInput[]): number => {
  let score = 600;
  for (const { record: r } of latestByKey(inputs)) {
    switch (r.category) {
      case 'tax':
        score += Math.min(r.monthsContinuousNormal, 60) * 2 - (r.taxArrears ? 150 : 0);
        break;
      case 'environment_rating':
        score += ENV_POINTS[r.rating];
        break;
      case 'utilities':
        score += r.arrears ? -80 : Math.min(r.monthsOnTime, 24);
        break;
      case 'administrative':
        if (r.kind === 'penalty') score -= 50;
        if (r.kind === 'award') score += 20;
        break;
      case 'rnd':
        score += Math.min(r.patents * 5, 50);
        break;
      case 'agricultural_operator':
        score += r.certified ? 20 : 0;
        break;
      case 'real_estate':
      case 'mortgage':
        break;
    }
  }
  return Math.max(0, Math.min(1000, score));
};
