import { Worker } from 'node:worker_threads';
import type { EventStore } from '../src/store/eventStore.ts';
import type { ProjectionRunner, RebuildProgress, ViewStatus } from './runner.ts';

/**
 * The projection runner on a thread of its own (embedded store): the views' work — their rows, their
 * SQL, one read-model transaction with its fsync per wake — was ~10 % of the request thread under load
 * (docs/perf.md). The thread reads the events on a read-only connection to the store's file and writes
 * the read models, with their checkpoints, to a file of their own (`readModelFile`): exactly once is the
 * runner's own argument, unchanged.
 *
 * Not the store's file: SQLite has one writer per file, and the request thread's group commits hold that
 * file's write lock back to back under load. Measured (2026-11-28, the soak's load), a thread writing
 * there waited past its 5 s busy timeout and its views stopped with SQLITE_BUSY; and every wait of the
 * request thread's own writers for the thread's lock would block it. In a file of its own the thread
 * waits for nobody but the rare webhook write of the request thread.
 *
 * The main thread forwards the store's commits as wakes (pass `coalescedWakes`, as for the in-thread
 * runner) and answers `status()` from the last status the thread sent (after every batch and every
 * call). If the thread dies, every view reports it, calls in flight fail, and a new thread starts after
 * `restartMs`; it resumes from the checkpoints in the file.
 */
export interface ProjectionThreadSettings {
  /** The embedded store's file, read only. */
  storeFile: string;
  /** Where the read models and their checkpoints are written. */
  readModelFile: string;
  /** Events per read-model transaction (default: the runner's). */
  batchSize?: number;
}

export interface ProjectionThreadOptions {
  storeFile: string;
  readModelFile: string;
  batchSize?: number;
  /**
   * The store: its commits are forwarded as wakes (coalesce them, see coalescedWakes), its head answers
   * `lag()` while no thread runs.
   */
  commits: Pick<EventStore, 'onAppended' | 'headPosition'>;
  onViewError?: (view: string, error: Error) => void;
  /** Wait before starting a new thread after one died (default 1,000 ms). */
  restartMs?: number;
}

/** Messages to the thread. */
export type ToThread =
  | { kind: 'wake' }
  | { kind: 'start' | 'catchUp' | 'lag' | 'stop'; id: number }
  | { kind: 'rebuild'; id: number; view?: string };

/** Messages from the thread. */
export type ToMain =
  | { kind: 'status'; views: ViewStatus[] }
  | { kind: 'result'; id: number; value?: number }
  | { kind: 'failed'; id: number; message: string }
  | { kind: 'progress'; id: number; progress: RebuildProgress }
  | { kind: 'viewError'; view: string; message: string };

interface Call {
  resolve: (value: number | undefined) => void;
  reject: (error: Error) => void;
  onProgress?: (p: RebuildProgress) => void;
}

export interface ProjectionThread extends ProjectionRunner {
  /** Threads started after one died (for /readyz and tests). */
  readonly restarts: number;
  /** Ends the current thread as a crash would (tests of the restart). */
  crashForTest(): Promise<void>;
}

export function createProjectionThread(options: ProjectionThreadOptions): ProjectionThread {
  const restartMs = options.restartMs ?? 1000;
  const settings: ProjectionThreadSettings = {
    storeFile: options.storeFile,
    readModelFile: options.readModelFile,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
  };
  let worker: Worker | undefined;
  let views: ViewStatus[] = [];
  let nextId = 1;
  const calls = new Map<number, Call>();
  let started = false;
  let stopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;

  const onMessage = (m: ToMain) => {
    switch (m.kind) {
      case 'status':
        views = m.views;
        return;
      case 'viewError':
        options.onViewError?.(m.view, new Error(m.message));
        return;
      case 'progress':
        calls.get(m.id)?.onProgress?.(m.progress);
        return;
      case 'result':
      case 'failed': {
        const call = calls.get(m.id);
        calls.delete(m.id);
        if (m.kind === 'result') call?.resolve(m.value);
        else call?.reject(new Error(m.message));
      }
    }
  };

  /** A thread that ended without being asked to: report it on every view, fail the calls, start anew. */
  const died = (w: Worker, reason: string) => {
    if (worker !== w) return;
    worker = undefined;
    views = views.map((v) => ({ ...v, error: `projection thread stopped (${reason}); restarting` }));
    for (const call of calls.values()) call.reject(new Error(`the projection thread stopped: ${reason}`));
    calls.clear();
    if (stopping) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      restarts++;
      void spawn()
        .then(() => ask({ kind: 'start' }))
        .catch((e: unknown) => options.onViewError?.('*', e as Error));
    }, restartMs);
    restartTimer.unref();
  };

  const spawn = async (): Promise<void> => {
    const w = new Worker(new URL('./runnerThreadWorker.mjs', import.meta.url), {
      workerData: settings,
      // Not the main thread's flags (--cpu-prof, --import tsx: the entry registers tsx itself).
      execArgv: [],
    });
    worker = w;
    const first = new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve()); // the first status: the views' tables exist
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`the projection thread exited with ${code} while starting`)));
    });
    w.on('message', onMessage);
    w.on('error', (e) => died(w, e.message));
    w.on('exit', (code) => died(w, `exit code ${code}`));
    await first;
  };

  const ask = (
    m: Omit<Extract<ToThread, { id: number }>, 'id'>,
    onProgress?: (p: RebuildProgress) => void,
  ): Promise<number | undefined> => {
    const w = worker;
    if (!w) return Promise.reject(new Error('the projection thread is not running'));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      calls.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      w.postMessage({ ...m, id } as ToThread);
    });
  };

  return {
    async start() {
      if (started) return;
      started = true;
      await spawn();
      unsubscribe = options.commits.onAppended(() =>
        worker?.postMessage({ kind: 'wake' } satisfies ToThread),
      );
      await ask({ kind: 'start' });
    },

    async stop() {
      stopping = true;
      unsubscribe?.();
      clearTimeout(restartTimer);
      const w = worker;
      if (!w) return;
      await ask({ kind: 'stop' }).catch(() => undefined);
      worker = undefined;
      await w.terminate();
    },

    catchUp: async () => (await ask({ kind: 'catchUp' })) ?? 0,
    rebuild: async (name, onProgress) => {
      await ask({ kind: 'rebuild', ...(name !== undefined ? { view: name } : {}) }, onProgress);
    },
    async lag() {
      if (worker) return (await ask({ kind: 'lag' })) ?? 0;
      // Restarting: the last checkpoints the thread reported (readiness stays answerable meanwhile).
      const head = await options.commits.headPosition();
      return Math.max(0, head - Math.min(head, ...views.map((v) => v.checkpoint)));
    },
    status: () => views,

    get restarts() {
      return restarts;
    },
    async crashForTest() {
      await worker?.terminate();
    },
  };
}
