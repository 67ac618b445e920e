import type { Anchorer, HistoryCheck } from '../anchor/anchorer.ts';
import type { LedgerError } from '../errors.ts';
import type { EventStore } from '../store/eventStore.ts';

/**
 * Start-up comparison of the local log with the chain's latest anchor (see Anchorer.checkHistory).
 * A mismatch stops the start (LL_LOG_INTEGRITY naming the anchored size and both roots). A chain that
 * does not answer within `timeoutMs` does not stop it: the anchorer makes the comparison on its first
 * pass that reaches the chain, and until then nothing is anchored.
 */
export async function checkAnchoredHistory(
  anchorer: Pick<Anchorer, 'checkHistory'>,
  warn: (message: string) => void,
  timeoutMs = 5000,
): Promise<HistoryCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<HistoryCheck>((resolve) => {
    timer = setTimeout(() => resolve({ result: 'unreachable', error: 'timed out' }), timeoutMs);
  });
  const r = await Promise.race([anchorer.checkHistory(), timedOut]).finally(() => clearTimeout(timer));
  if (r.result === 'mismatch') throw r.error;
  if (r.result === 'unreachable')
    warn(`chain not reachable at start-up (${r.error}): the log is compared with its last anchor once it is`);
  return r;
}

/**
 * The store as the API sees it: appends are refused with `reason()` while it returns an error (history
 * below an anchored checkpoint rewritten); reads go on, so the evidence of what happened stays readable.
 */
export function refusingWritesWhen(store: EventStore, reason: () => LedgerError | undefined): EventStore {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'appendToStream') {
        return (...args: Parameters<EventStore['appendToStream']>) => {
          const halt = reason();
          return halt ? Promise.reject(halt) : target.appendToStream(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
