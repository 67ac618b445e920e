import type { PositionedEvent } from '../src/events/envelope.ts';
import type { EventStore, ReadAllPage } from '../src/store/eventStore.ts';
import {
  clearCheckpoint,
  ensureCheckpointTable,
  lockCheckpoints,
  readCheckpoint,
  resetView,
  writeCheckpoint,
} from './checkpoints.ts';
import { isTransientDbError, type ReadModelDb } from './readModelDb.ts';
import { openBatch, type View } from './view.ts';

/**
 * The projection runner. It follows the store's total order (`readAll` from the lowest checkpoint,
 * woken by `onAppended`) and applies each page of events to every view whose checkpoint is at or
 * before the event, then advances those checkpoints — all in ONE read-model transaction. A crash
 * before COMMIT leaves rows and checkpoints as they were (the page is read again and re-applied); a
 * crash after COMMIT leaves both advanced (the page is never read again). So every event is applied
 * exactly once to every view, whatever the crash point. See docs/projections.md.
 */

export interface RebuildProgress {
  /** The views being rebuilt. */
  views: string[];
  /** Events applied so far in this rebuild (positions covered). */
  done: number;
  /** Head position when the rebuild started: the rebuild is complete when done reaches it. */
  total: number;
  eventsPerSecond: number;
  /** Seconds to go at the current rate (0 when done; Infinity before the first batch). */
  etaSeconds: number;
}

export interface ViewStatus {
  name: string;
  version: number;
  /** Next position to apply. */
  checkpoint: number;
  /** Set when applying an event threw: the view is stopped until it is rebuilt or the runner restarts. */
  error?: string;
}

export interface ProjectionRunnerOptions {
  /** What the runner reads: the log, its head, and a wake on new commits. */
  store: Pick<EventStore, 'readAll' | 'headPosition' | 'onAppended'>;
  db: ReadModelDb;
  views: readonly View[];
  /** Events per transaction (default 2000). Bigger is faster; smaller holds the store's connection for less time. */
  batchSize?: number;
  /**
   * Events a rebuild applies before it writes the rows views hold by key (default 250,000; see
   * `rebuildInSpans`). Bigger spans write those rows less often and hold more of them in memory.
   */
  rebuildSpan?: number;
  /**
   * A synchronous `readAll` over the connection `db` writes through (the embedded store's
   * `readAllSync`, with its read models in the store's file). Given, a rebuild applies each span in one
   * transaction; otherwise one transaction per page, with the views' checkpoints cleared until the span
   * ends (see `rebuildInSpans`).
   */
  readPageSync?: (fromPosition: number, max: number) => ReadAllPage;
  /**
   * Called after each committed batch (tests and the crash harness use it); in a rebuild with
   * `readPageSync`, after each page of a span, before the span's COMMIT.
   */
  onBatch?: (info: { from: number; to: number; events: number }) => void;
  /** Called when a view fails (it is then stopped; the others go on). */
  onViewError?: (view: string, error: unknown, event: PositionedEvent | undefined) => void;
}

export interface ProjectionRunner {
  /** Catches up, then follows new appends until `stop()`. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Applies everything up to the current head; resolves with the number of events read. */
  catchUp(): Promise<number>;
  /** Rebuilds one view (or all) from position 0, reporting progress after each batch. */
  rebuild(name?: string, onProgress?: (p: RebuildProgress) => void): Promise<void>;
  /** Head position minus the lowest checkpoint of a healthy view: events not yet in every read model. */
  lag(): Promise<number>;
  status(): ViewStatus[];
}

/** After a failed catch-up (store or read-model database unavailable), try again this much later. */
const RETRY_MS = 1000;

export function createProjectionRunner(options: ProjectionRunnerOptions): ProjectionRunner {
  const { store, db, views } = options;
  const batchSize = options.batchSize ?? 2000;
  const rebuildSpan = options.rebuildSpan ?? 250_000;
  const readPageSync = options.readPageSync;
  const names = new Set<string>();
  for (const v of views) {
    if (names.has(v.name)) throw new Error(`two views are named ${v.name}`);
    names.add(v.name);
  }

  const checkpoint = new Map<string, number>();
  const failed = new Map<string, string>();

  // Views rebuilt from zero get their query-only indexes once caught up (see View.queryIndexes).
  const indexesPending = new Set<View>();
  const reset = (v: View) => {
    resetView(db, v);
    if (v.queryIndexes) indexesPending.add(v);
  };
  const createPendingIndexes = () => {
    for (const v of indexesPending) db.exec(v.queryIndexes!);
    indexesPending.clear();
  };

  // Open: create what is missing; a view whose version changed is rebuilt from zero.
  ensureCheckpointTable(db);
  for (const v of views) {
    const cp = readCheckpoint(db, v.name);
    if (!cp || cp.version !== v.version) reset(v);
    else db.exec(v.schema + (v.queryIndexes ?? ''));
    checkpoint.set(v.name, readCheckpoint(db, v.name)!.position);
  }

  // Every batch and every reset goes through this chain, so they never overlap.
  let chain: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };

  const healthy = () => views.filter((v) => !failed.has(v.name));
  const lowest = () => Math.min(...healthy().map((v) => checkpoint.get(v.name)!));

  /**
   * Applies `events` to the given views and moves their checkpoints to `next`, in one transaction.
   * Each view starts from its checkpoint as stored, read inside the transaction after
   * `lockCheckpoints` — so two runners sharing a PostgreSQL database (two ledger processes) never
   * apply the same events twice: the second waits for the first's COMMIT and then sees its checkpoint.
   * `at` is set to the event being applied (undefined while the buffers are written), for error reports.
   */
  const applyBatch = (
    targets: readonly View[],
    events: readonly PositionedEvent[],
    next: number,
    at: { event?: PositionedEvent } = {},
  ): void => {
    const moved = db.transaction(() => {
      lockCheckpoints(db);
      const open = targets.map((v) => {
        const stored = readCheckpoint(db, v.name)?.position ?? 0;
        if (stored < checkpoint.get(v.name)!)
          throw new Error(`view ${v.name} was reset by another process (checkpoint ${stored}): restart`);
        return { view: v, handles: v.handles, from: stored, batch: openBatch(v, db) };
      });
      // Over a network each read is a round trip: views read their rows for the page up front.
      if (db.kind === 'postgres')
        for (const t of open)
          t.batch.prefetch?.(events.filter((e) => t.from <= e.position && t.handles.has(e.type)));
      for (const e of events) {
        at.event = e;
        for (const t of open) if (t.from <= e.position && t.handles.has(e.type)) t.batch.apply(e);
      }
      at.event = undefined;
      for (const t of open) t.batch.end();
      for (const t of open) if (t.from < next) writeCheckpoint(db, t.view.name, next, t.view.version);
      return open.map((t) => [t.view.name, Math.max(t.from, next)] as const);
    });
    // Only after COMMIT: the in-memory checkpoints follow the database, never lead it.
    for (const [name, position] of moved) checkpoint.set(name, position);
  };

  /** One page. Returns the number of events read (0: caught up). */
  const step = async (): Promise<number> => {
    const targets = healthy();
    if (targets.length === 0) return 0;
    const from = lowest();
    const page = await store.readAll({ fromPosition: from, max: batchSize });
    if (page.events.length === 0) return 0;
    try {
      applyBatch(targets, page.events, page.nextPosition);
    } catch (error) {
      // The database is unavailable (PostgreSQL restarting): nothing committed; retried later.
      if (isTransientDbError(error)) throw error;
      // Find the failing view(s): each alone in its own transaction; the good ones still advance.
      for (const v of targets) {
        const at: { event?: PositionedEvent } = {};
        try {
          applyBatch([v], page.events, page.nextPosition, at);
        } catch (error) {
          if (isTransientDbError(error)) throw error;
          failed.set(v.name, `${(error as Error).message} (at position ${at.event?.position})`);
          options.onViewError?.(v.name, error, at.event);
        }
      }
    }
    options.onBatch?.({ from, to: page.nextPosition, events: page.events.length });
    return page.events.length;
  };

  /**
   * A rebuild from zero. Each view's batch stays open for a span of pages: what the views append is
   * written at the end of every page (`endPage`), while the rows they hold by key (a loan's row, changed
   * by each of its events) are written once, at the span's end, with the checkpoints. Page by page the
   * runner would rewrite every touched row, and the b-tree pages around it, once per page.
   * - With `readPageSync` the whole span is one transaction: a crash rolls it back to the previous
   *   span's checkpoints.
   * - Without it, each page is its own transaction (its read is awaited between them), and the first
   *   page's transaction deletes the views' checkpoints: until the span's end there is none a runner
   *   could resume from, so after a crash in between the next runner to open rebuilds them from zero.
   */
  const rebuildInSpans = async (targets: readonly View[], onPage: (position: number) => void) => {
    let from = 0;
    for (;;) {
      const open = targets.map((view) => ({ view, batch: openBatch(view, db) }));
      let applied = 0;
      let caughtUp = false;
      /** One page into the open batches; undefined when the log has nothing from `from`. */
      const applyPage = (page: ReadAllPage) => {
        if (page.events.length === 0) return undefined;
        if (db.kind === 'postgres')
          for (const t of open) t.batch.prefetch?.(page.events.filter((e) => t.view.handles.has(e.type)));
        for (const e of page.events) for (const t of open) if (t.view.handles.has(e.type)) t.batch.apply(e);
        for (const t of open) {
          if (t.batch.endPage) t.batch.endPage();
          else {
            t.batch.end();
            t.batch = openBatch(t.view, db);
          }
        }
        const info = { from, to: page.nextPosition, events: page.events.length };
        from = page.nextPosition;
        applied += page.events.length;
        onPage(from);
        return info;
      };
      const endSpan = () => {
        for (const t of open) t.batch.end();
        for (const t of open) writeCheckpoint(db, t.view.name, from, t.view.version);
      };
      if (readPageSync) {
        // The whole span in one transaction: atomic, so its checkpoints never need clearing, and each
        // b-tree page the span changes goes through the WAL once rather than once per page.
        db.transaction(() => {
          lockCheckpoints(db);
          while (applied < rebuildSpan) {
            const info = applyPage(readPageSync(from, batchSize));
            if (!info) {
              caughtUp = true;
              break;
            }
            options.onBatch?.(info); // before the span's COMMIT, here
          }
          endSpan();
        });
      } else {
        while (applied < rebuildSpan) {
          const page = await store.readAll({ fromPosition: from, max: batchSize });
          const first = applied === 0;
          const info = db.transaction(() => {
            lockCheckpoints(db);
            if (first && page.events.length > 0) for (const t of open) clearCheckpoint(db, t.view.name);
            return applyPage(page);
          });
          if (!info) {
            caughtUp = true;
            break;
          }
          options.onBatch?.(info);
          await new Promise((r) => setImmediate(r)); // as in drain
        }
        db.transaction(() => {
          lockCheckpoints(db);
          endSpan();
        });
      }
      for (const t of open) checkpoint.set(t.view.name, from);
      if (caughtUp) return;
    }
  };

  const drain = async (onStep?: () => void): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await step();
      if (n === 0) {
        createPendingIndexes();
        return total;
      }
      total += n;
      onStep?.();
      // The embedded store answers readAll without real I/O, so without this a long catch-up would
      // hold the event loop: HTTP requests, the store's group commits and log writes wait for it.
      await new Promise((r) => setImmediate(r));
    }
  };

  let unsubscribe: (() => void) | undefined;
  let pending: Promise<unknown> | undefined;
  let again = false;
  const wake = () => {
    if (!unsubscribe) return;
    if (pending) {
      again = true;
      return;
    }
    pending = exclusive(() => drain()).finally(() => {
      pending = undefined;
      if (again) {
        again = false;
        wake();
      }
    });
    // A read error or an unavailable read-model database: the next append wakes us, or this retry.
    pending.catch(() => setTimeout(wake, RETRY_MS).unref());
  };

  return {
    async start() {
      if (unsubscribe) return;
      unsubscribe = store.onAppended(wake);
      await exclusive(() => drain());
    },

    async stop() {
      unsubscribe?.();
      unsubscribe = undefined;
      await chain;
    },

    catchUp: () => exclusive(() => drain()),

    rebuild(name, onProgress) {
      const chosen = name === undefined ? views : views.filter((v) => v.name === name);
      if (chosen.length === 0) return Promise.reject(new Error(`no view named ${name}`));
      return exclusive(async () => {
        const restart = () => {
          for (const v of chosen) {
            reset(v);
            checkpoint.set(v.name, 0);
            failed.delete(v.name);
          }
        };
        restart();
        const total = await store.headPosition();
        const started = performance.now();
        let done = 0;
        const report = () => {
          const seconds = (performance.now() - started) / 1000;
          const eventsPerSecond = seconds > 0 ? done / seconds : 0;
          const left = Math.max(0, total - done);
          onProgress?.({
            views: chosen.map((v) => v.name),
            done,
            total,
            eventsPerSecond,
            etaSeconds: left === 0 ? 0 : eventsPerSecond > 0 ? left / eventsPerSecond : Infinity,
          });
        };
        try {
          await rebuildInSpans(chosen, (position) => {
            done = position;
            report();
          });
        } catch (error) {
          if (isTransientDbError(error)) {
            // Stopped here. In the database each view is at the last span that committed (one transaction
            // per span) or has no checkpoint (one per page): a runner that opens next resumes or rebuilds.
            for (const v of chosen) failed.set(v.name, `rebuild interrupted: ${(error as Error).message}`);
            throw error;
          }
          // A view threw. Start again one page per transaction, which stops only the view at fault.
          restart();
        }
        await drain(() => {
          done = Math.min(...chosen.map((v) => checkpoint.get(v.name)!));
          report();
        });
        report();
      });
    },

    async lag() {
      const head = await store.headPosition();
      return healthy().length === 0 ? head : Math.max(0, head - lowest());
    },

    status: () =>
      views.map((v) => ({
        name: v.name,
        version: v.version,
        checkpoint: checkpoint.get(v.name)!,
        ...(failed.has(v.name) ? { error: failed.get(v.name)! } : {}),
      })),
  };
}
