import { Gauge, type Registry } from 'prom-client';
import type { Anchorer } from '../anchor/anchorer.ts';

/**
 * Anchoring gauges beside the API's own (`loan_ledger_anchor_lag_events` is the API's): how long the
 * oldest unanchored event has waited, how many passes in a row failed, and whether the log matches
 * its last on-chain anchor. Alert on lag seconds rising and on history_mismatch = 1.
 */
export function anchoringGauges(registry: Registry, anchorer: Pick<Anchorer, 'status'>): void {
  const of = (name: string, help: string, pick: (s: Awaited<ReturnType<Anchorer['status']>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(pick(await anchorer.status()));
      },
    });
  of(
    'loan_ledger_anchor_lag_seconds',
    'Seconds the oldest event not yet under an included anchor has waited',
    (s) => s.lagSeconds,
  );
  of(
    'loan_ledger_anchor_consecutive_failures',
    'Anchoring passes that failed in a row (chain down, garbage answers, no funds)',
    (s) => s.consecutiveFailures,
  );
  of(
    'loan_ledger_anchor_history_mismatch',
    '1 when the local log disagrees with its last on-chain anchor (writes are refused)',
    (s) => (s.historyMismatch ? 1 : 0),
  );
}
