import { buildBundle, type BundleSources } from './build.ts';
import type { EvidenceBundle } from './format.ts';
import type { PositionedEvent } from '../../events/envelope.ts';
import { LedgerError } from '../../errors.ts';
import type { EventStore } from '../../store/eventStore.ts';

/**
 * Which events a bundle discloses. Only these leave the ledger: every other event appears in the bundle
 * as nothing more than sibling hashes in the proofs (selective disclosure).
 */

/** A loan's story is its own stream plus the same-id guarantee and policy streams (as the timeline route). */
export const LOAN_STREAM_CATEGORIES = ['loan', 'guarantee', 'policy'] as const;

type StreamReader = Pick<EventStore, 'readStream'>;

const byPosition = (a: PositionedEvent, b: PositionedEvent) => a.position - b.position;

export async function loanEvents(store: StreamReader, loanId: string): Promise<PositionedEvent[]> {
  const parts = await Promise.all(LOAN_STREAM_CATEGORIES.map((c) => store.readStream(`${c}-${loanId}`)));
  if (parts[0]!.length === 0) throw new LedgerError('LL_NOT_FOUND', `no loan ${loanId}`);
  return parts.flat().sort(byPosition);
}

/**
 * A dispute's events, and the events of the loan it is about (a tribunal needs both: the claim and the
 * record it rests on). The loan is named by `loanId` in the dispute's first event, when there is one.
 */
export async function disputeEvents(store: StreamReader, disputeId: string): Promise<PositionedEvent[]> {
  const own = await store.readStream(`dispute-${disputeId}`);
  if (own.length === 0) throw new LedgerError('LL_NOT_FOUND', `no dispute ${disputeId}`);
  const loanId = own[0]!.data.loanId;
  const loan = typeof loanId === 'string' ? await loanEvents(store, loanId).catch(() => []) : [];
  const seen = new Set<string>();
  return [...own, ...loan].filter((e) => !seen.has(e.id) && seen.add(e.id)).sort(byPosition);
}

/**
 * The bundle of a loan or a dispute as the API serves it (JSON and certificate alike), so both routes
 * hash and print the same thing. Throws LL_STORE_UNAVAILABLE when this server has no bundle sources.
 */
export async function subjectBundle(
  store: StreamReader,
  subject: { kind: 'loan' | 'dispute'; id: string },
  sources: BundleSources | undefined,
): Promise<EvidenceBundle> {
  if (!sources)
    throw new LedgerError('LL_STORE_UNAVAILABLE', 'evidence bundles are not served by this server');
  const events =
    subject.kind === 'loan' ? await loanEvents(store, subject.id) : await disputeEvents(store, subject.id);
  return buildBundle(subject, events, sources);
}
