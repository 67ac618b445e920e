import type { EventStore } from './eventStore.ts';

/**
 * The same store, except that its `onAppended` listeners are woken at most once per `ms`: the first
 * commit after a quiet spell arms a timer, commits until it fires ride along. For followers whose work
 * has a fixed cost per wake (a transaction with its fsync, a read-model checkpoint per view): under load
 * the store commits a batch every millisecond or two, and one follower transaction per batch costs more
 * than the batch itself. The price is up to `ms` of extra lag; followers still read everything (readAll),
 * so nothing is skipped, only taken in larger pages. `recentReads` marks every readAll as a follower's
 * (`recent`, see ReadAllOptions): only for a consumer that checks no integrity.
 */
export function coalescedWakes(
  store: EventStore,
  ms: number,
  options: { recentReads?: boolean } = {},
): EventStore {
  const onAppended = (listener: () => void): (() => void) => {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    const off = store.onAppended(() => {
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (!stopped) listener();
      }, ms);
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      off();
    };
  };
  // For a follower that is not ours to edit (projections): every readAll may come from recent commits.
  const readRecent: EventStore['readAll'] = (o) => store.readAll({ ...o, recent: true });
  return new Proxy(store, {
    get(target, property) {
      if (property === 'onAppended') return onAppended;
      if (property === 'readAll' && options.recentReads) return readRecent;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
