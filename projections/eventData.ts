import type { Json, PositionedEvent } from '../src/events/envelope.ts';

/**
 * Small readers for event data. The event schemas (src/domain/<aggregate>/events.ts) have already
 * validated every stored event, so these only pick fields; they tolerate a missing optional field
 * (older schema versions) by returning undefined instead of throwing.
 */
type Data = Record<string, Json>;

export const str = (d: Data, ...keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = d[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
};

export const int = (d: Data, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = d[k];
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  }
  return undefined;
};

export const obj = (d: Data, key: string): Data | undefined => {
  const v = d[key];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
};

export const arr = (d: Data, key: string): Json[] => {
  const v = d[key];
  return Array.isArray(v) ? v : [];
};

/** The business instant of an event: its own `…At` field when it has one, else when it was recorded. */
export const instantOf = (e: PositionedEvent, ...keys: string[]): string =>
  str(e.data, ...keys) ?? e.meta.recordedAt;
/** 'YYYY-MM' of an ISO instant or date (UTC). */
export const monthOf = (iso: string): string => iso.slice(0, 7);
/** 'YYYY-MM-DD' of an ISO instant or date (UTC). */
export const dayOf = (iso: string): string => iso.slice(0, 10);

/** Whole days from one date to another (both 'YYYY-MM-DD' or ISO instants), UTC. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(`${dayOf(to)}T00:00:00Z`) - Date.parse(`${dayOf(from)}T00:00:00Z`)) / 86_400_000);

/** 市州 code of a 6-digit division code: 430102 (芙蓉区) → 430100 (长沙市). */
export const cityOf = (regionCode: string): string => `${regionCode.slice(0, 4)}00`;

/** The id part of a stream name: `loan-L1` → `L1`. */
export const streamId = (stream: string): string => stream.slice(stream.indexOf('-') + 1);
export const streamCategory = (stream: string): string => stream.slice(0, stream.indexOf('-'));
