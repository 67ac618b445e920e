import type { Json } from '../src/events/envelope.ts';

/**
 * Small helpers for event data and dates. The views read fields through the typed domain events
 * (domainEvents.ts); `str` is left for the one untyped lookup, an event's optional `loanId`.
 */
type Data = Record<string, Json>;

export const str = (d: Data, ...keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = d[k];
    if (typeof v === 'string') return v;
  }
  return undefined;
};

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
