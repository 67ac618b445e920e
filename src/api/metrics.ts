import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics on the app's own registry (several apps in one process — tests, benches — must
 * not share the global one). Lags and sizes are read at scrape time from injected functions.
 */
export interface GaugeSources {
  logSize?: () => number | Promise<number>;
  /** Events not yet covered by a final anchor. */
  anchorLag?: () => number | Promise<number>;
  /** Events the slowest projection has not yet applied. */
  projectionLag?: () => number | Promise<number>;
  /** Events the API's own follower (keys, parties, idempotency) has not yet applied. */
  followerLag?: () => number | Promise<number>;
}

export interface ApiMetrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status'>;
  appendDuration: Histogram<'aggregate'>;
  commands: Counter<'aggregate' | 'outcome'>;
}

const gauge = (registry: Registry, name: string, help: string, source?: () => number | Promise<number>) =>
  new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      if (source) this.set(await source());
    },
  });

/**
 * Heap in use right after the last full (mark-compact) GC: the live heap. `nodejs_heap_size_used_bytes`
 * also counts garbage not yet collected, which V8 lets grow with the heap's limit, so its trend shows a
 * leak that is not there; this one is what to watch (and what the soak reports). One observer per
 * process: the heap is the process's.
 */
let liveHeapBytes: number | undefined;
let gcObserver: PerformanceObserver | undefined;
function observeMajorGc(): void {
  if (gcObserver) return;
  gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) liveHeapBytes = process.memoryUsage().heapUsed;
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}

export function createMetrics(sources: GaugeSources, defaultMetrics = true): ApiMetrics {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'loan_ledger_' });
  const metrics: ApiMetrics = {
    registry,
    requestDuration: new Histogram({
      name: 'loan_ledger_http_request_duration_seconds',
      help: 'HTTP request latency by route template and status (its _count is the request rate)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    appendDuration: new Histogram({
      name: 'loan_ledger_append_duration_seconds',
      help: 'Time from append call to durable commit, per aggregate',
      labelNames: ['aggregate'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    commands: new Counter({
      name: 'loan_ledger_commands_total',
      help: 'Commands by aggregate and outcome (appended, replayed, refused: a 4xx answer, failed: a 5xx)',
      labelNames: ['aggregate', 'outcome'],
      registers: [registry],
    }),
  };
  observeMajorGc();
  gauge(
    registry,
    'loan_ledger_heap_used_after_major_gc_bytes',
    'V8 heap in use right after the last full GC (the live heap; NaN before the first one)',
    () => liveHeapBytes ?? NaN,
  );
  gauge(registry, 'loan_ledger_log_size', 'Leaves in the Merkle log', sources.logSize);
  gauge(registry, 'loan_ledger_anchor_lag_events', 'Events not yet under a final anchor', sources.anchorLag);
  gauge(
    registry,
    'loan_ledger_projection_lag_events',
    'Events the slowest projection has yet to apply',
    sources.projectionLag,
  );
  gauge(
    registry,
    'loan_ledger_api_follower_lag_events',
    "Events the API's index follower has yet to apply",
    sources.followerLag,
  );
  return metrics;
}
