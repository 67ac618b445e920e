import { z } from 'zod';
import type { Command } from './decider.ts';

/**
 * Shared zod building blocks for commands and events. Commands double as HTTP request bodies, so
 * every object is strict and every string is length-limited. Events hold JSON only: instants are ISO
 * strings, dates are 'YYYY-MM-DD', money is integer fen (分), rates are basis points.
 */

/** Integer fen, never a float, never beyond 2^53 − 1. */
export const Fen = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** A rate or share in basis points (1 bp = 0.01 %); 10,000 bps = 100 %. */
export const Bps = z.number().int().min(0).max(10_000);
/** An annual rate in bps; above 100 % is allowed for penalty rates but capped at 1,000 %. */
export const RateBps = z.number().int().min(0).max(100_000);
export const TermMonths = z.number().int().min(1).max(600);

export const Instant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
    'must be a UTC instant like 2026-01-31T08:00:00.000Z',
  );

/** A calendar date 'YYYY-MM-DD' that exists (2026-02-30 does not). */
export const DateOnly = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-01-31')
  .refine((s) => new Date(`${s}T00:00:00.000Z`).toISOString().slice(0, 10) === s, 'must be a real date');

/** An identifier chosen by a client: loan ids, product ids, claim ids. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : -');
/** An organization id as authenticated by the API (a bank code, a USCC, a court code). */
export const OrgId = z.string().min(1).max(100);
export const ShortText = z.string().min(1).max(200);
export const LongText = z.string().min(1).max(2000);
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256 hex digest');
export const Base64 = z
  .string()
  .min(4)
  .max(4096)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64');

/** Event catalogue entry: the zod schema of the event data and its current version. */
export interface EventSchema<S extends z.ZodType = z.ZodType> {
  schemaVersion: number;
  description: string;
  schema: S;
}
export type EventSchemas = Record<string, EventSchema>;
export type CommandSchemas = Record<string, z.ZodType>;

/** The union of domain events described by an event catalogue. */
export type EventOf<M extends EventSchemas> = {
  [K in keyof M & string]: { type: K; data: z.infer<M[K]['schema']> };
}[keyof M & string];

/** The union of commands described by a command catalogue. */
export type CommandOf<M extends CommandSchemas> = {
  [K in keyof M & string]: Command<K, z.infer<M[K]>>;
}[keyof M & string];
