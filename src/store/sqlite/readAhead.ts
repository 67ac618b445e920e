import { Worker } from 'node:worker_threads';
import type { ReadAllPage } from '../eventStore.ts';
import { eventFromRow, type StoredRow } from '../storedRow.ts';

/**
 * Sequential reading of the embedded store's log with the next page fetched on another thread while
 * the caller works on the current one: a rebuild applies its pages in one synchronous transaction per
 * span, so it cannot await a read, and fetching a page's rows from SQLite is ~30 % of reading and
 * parsing it. The worker (readAheadWorker.mjs) fetches on its own read-only connection and copies the
 * rows' bytes into a shared buffer; this thread waits for it only if it is not done yet, then turns the
 * rows into events with the same `eventFromRow` as every other read (same integrity errors). Any page
 * the worker could not deliver (too big for the buffer, a read error, a position beyond 2^31) is read
 * directly with `fallback`, so the pages are always exactly `fallback`'s.
 */
export interface ReadAhead {
  read(fromPosition: number, max: number): ReadAllPage;
  /** Pages the worker delivered, pages read directly, and waits for the worker that ran out. */
  readonly counts: { ahead: number; direct: number; timedOut: number };
  close(): Promise<void>;
}

/** The shared page buffer: 5,000 events of ~0.5 KB are ~3 MB. */
const SLOT_BYTES = 32 * 2 ** 20;

export interface ReadAheadOptions {
  /** Size of the shared page buffer (default 32 MiB); a page that does not fit is read directly. */
  slotBytes?: number;
  /** How long a read waits for the worker before it gives up on it (default 10 s). */
  waitMs?: number;
}

export interface ReadAheadOptions {
  /** Size of the shared page buffer (default 32 MiB); a page that does not fit is read directly. */
  slotBytes?: number;
  /** How long a read waits for the worker before it gives up on it (default 10 s). */
  waitMs?: number;
}
/** Longest wait for the worker before reading directly (it died, or the machine stalls). */
const WAIT_MS = 10_000;

// The layout of `control`, shared with readAheadWorker.mjs.
const REQUEST = 0;
const FROM = 1;
const MAX = 2;
const STATE = 3;
const PENDING = 1;
const READY = 2;
const STOP = -1;

export function readAhead(
  file: string,
  fallback: (fromPosition: number, max: number) => ReadAllPage,
  options: ReadAheadOptions = {},
): ReadAhead {
  const control = new SharedArrayBuffer(4 * 4);
  const slot = new SharedArrayBuffer(options.slotBytes ?? SLOT_BYTES);
  const ctl = new Int32Array(control);
  const page = Buffer.from(slot);
  const worker = new Worker(new URL('./readAheadWorker.mjs', import.meta.url), {
    workerData: { file, control, slot },
    // It holds one page of rows at a time: its memory is bounded whatever the length of the log.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', () => undefined); // it can only stop answering: reads then fall back
  let requests = 0;
  const counts = { ahead: 0, direct: 0, timedOut: 0 };
  let ahead: { from: number; max: number } | undefined;

  /** Set when the worker once did not answer in time: from then on every page is read directly. */
  let broken = false;
  const request = (from: number, max: number) => {
    ahead = undefined;
    if (broken || from > 0x7fffffff) return;
    Atomics.store(ctl, STATE, PENDING);
    ctl[FROM] = from;
    ctl[MAX] = max;
    Atomics.store(ctl, REQUEST, ++requests);
    Atomics.notify(ctl, REQUEST);
    ahead = { from, max };
  };

  /** The rows the worker delivered, or undefined when it could not. */
  const take = (): StoredRow[] | undefined => {
    const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
    while (Atomics.load(ctl, STATE) === PENDING && Date.now() < deadline)
      Atomics.wait(ctl, STATE, PENDING, deadline - Date.now());
    const state = Atomics.load(ctl, STATE);
    // Still pending: the worker died (a rebuild's span never returns to the event loop to hear of it)
    // or is stuck. It could still write into the buffer, so nothing is asked of it again.
    if (state === PENDING) {
      broken = true;
      counts.timedOut++;
    }
    if (state !== READY) return undefined;
    const n = page.readUInt32LE(0);
    const rows: StoredRow[] = new Array(n);
    let at = 8;
    for (let i = 0; i < n; i++) {
      const s = page.readUInt32LE(at + 16);
      const b = page.readUInt32LE(at + 20);
      const start = at + 24;
      rows[i] = [
        page.readDoubleLE(at),
        page.toString('utf8', start, start + s),
        page.readDoubleLE(at + 8),
        page.toString('utf8', start + s, start + s + b),
      ];
      at = start + s + b;
    }
    return rows;
  };

  return {
    counts,
    read(fromPosition, max) {
      let rows: StoredRow[] | undefined;
      if (ahead) {
        // Always wait for the page asked ahead, even one not wanted now: the next request reuses its buffer.
        const delivered = take();
        if (ahead.from === fromPosition && ahead.max === max) rows = delivered;
      }
      let result: ReadAllPage;
      if (rows) {
        counts.ahead++;
        const events = rows.map(eventFromRow);
        result = {
          events,
          nextPosition: events.length > 0 ? events[events.length - 1]!.position + 1 : fromPosition,
        };
      } else {
        counts.direct++;
        result = fallback(fromPosition, max);
      }
      // A full page: there is probably more. A short one is the end of the log: nothing to read ahead.
      if (result.events.length === max) request(result.nextPosition, max);
      else ahead = undefined;
      return result;
    },
    async close() {
      Atomics.store(ctl, REQUEST, STOP);
      Atomics.notify(ctl, REQUEST);
      await exited;
    },
  };
}
