// @ts-expect-error autocannon ships no types
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, percentiles } from './report.ts';

/**
 * `npm run soak [-- --minutes N] [--rate R] [--connections C]`: a bounded soak of the real server.
 *
 * Starts `loan-ledger serve` as its own process (embedded SQLite, dev chain, projections, anchoring: the
 * `npm start` configuration) in a temp DATA_DIR, seeds 1,000 products with a demo bank key, then sends
 * durable commands (product amendments, each 201 = fsynced) at a fixed rate for N minutes (default 10):
 * by default 50 % of the peak commands/s in docs/perf.md's api section. One autocannon run per minute
 * gives that minute's p50/p99 and error count; every 10 s the server's RSS (/proc) and V8 heap
 * (/metrics) are sampled. The results go into docs/reliability.md between
 * `<!-- reliability:soak -->` markers. Exit 1 if any response was not 2xx.
 */
interface Minute {
  minute: number;
  requests: number;
  rate: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}
interface Sample {
  atS: number;
  rssMiB: number;
  heapMiB: number;
}

const PERF = new URL('../docs/perf.md', import.meta.url);
const RELIABILITY = new URL('../docs/reliability.md', import.meta.url);
const PRODUCTS = 1000;

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
  return v;
}

/** The peak commands/s and its p99 at 64 connections from docs/perf.md's api section. */
export function peakFromPerf(text: string): { rate: number; p99: number; connections: number } | undefined {
  const section = /<!-- bench:api -->([\s\S]*?)<!-- \/bench:api -->/.exec(text)?.[1];
  if (!section) return undefined;
  const rows = [...section.matchAll(/^\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|/gm)].map(
    (m) => ({ connections: Number(m[1]), rate: Number(m[2]), p99: Number(m[4]) }),
  );
  return rows.sort((a, b) => b.rate - a.rate)[0];
}

const terms = (rate: number) => ({
  name: 'soak',
  kind: 'pure_credit',
  pledgeType: null,
  amountMinFen: 100_000,
  amountMaxFen: 10_000_000,
  termMinMonths: 6,
  termMaxMonths: 36,
  rateMinBps: 300,
  rateMaxBps: rate,
  targetIndustries: [],
  targetRegions: ['43'],
  eligibility: { whiteListOnly: false, minGrade: null },
});

async function startServer(dataDir: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/loan-ledger.js', 'serve'], {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errText = '';
  child.stderr!.on('data', (d: Buffer) => (errText = (errText + String(d)).slice(-4000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}\n${errText}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}):\n${out}\n${errText}`)));
  });
  return { child, url, stderr: () => errText };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};

async function heapMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^(?:loan_ledger_)?nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) / 2 ** 20 : NaN;
}

/** Least-squares slope of y over x (MiB per minute when x is minutes). */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function writeReliabilitySection(markdown: string): void {
  const begin = '<!-- reliability:soak -->';
  const end = '<!-- /reliability:soak -->';
  const body = `${begin}\n${markdown.trim()}\n${end}`;
  // Re-read right before writing: other sections of this file belong to other writers.
  let text = existsSync(RELIABILITY) ? readFileSync(RELIABILITY, 'utf8') : '# Reliability\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i ? text.slice(0, i) + body + text.slice(j + end.length) : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(RELIABILITY, text);
}

export async function run(): Promise<number> {
  const minutes = arg('minutes') ?? 10;
  const connections = arg('connections') ?? 64;
  const peak = peakFromPerf(existsSync(PERF) ? readFileSync(PERF, 'utf8') : '');
  const rate = Math.round(arg('rate') ?? (peak ? peak.rate / 2 : NaN));
  if (!Number.isFinite(rate))
    throw new Error('no api section in docs/perf.md: run `npm run bench -- api` or pass --rate');

  const dataDir = mkdtempSync(join(tmpdir(), 'll-soak-'));
  // The limiter stays on (its cost is part of what we measure) with room above the soak's rate.
  const server = await startServer(dataDir, {
    RATE_LIMIT_PER_SECOND: String(Math.max(1000, rate * 4)),
    RATE_LIMIT_BURST: String(Math.max(2000, rate * 8)),
  });
  const pid = server.child.pid!;
  const keys = JSON.parse(readFileSync(join(dataDir, 'demo-keys.json'), 'utf8')) as Record<
    string,
    { role: string; apiKey: string }
  >;
  const bankKey = Object.values(keys).find((k) => k.role === 'bank')!.apiKey;
  const headers = { authorization: `Bearer ${bankKey}`, 'content-type': 'application/json' };
  const prefix = `soak${Date.now().toString(36)}`;
  for (let i = 0; i < PRODUCTS; i++) {
    const res = await fetch(`${server.url}/v1/products`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ productId: `${prefix}-${i}`, ...terms(600) }),
    });
    if (res.status !== 201) throw new Error(`seeding product ${i}: ${res.status} ${await res.text()}`);
  }

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = async () => {
    try {
      samples.push({
        atS: Math.round((Date.now() - started) / 1000),
        rssMiB: rssMiB(pid),
        heapMiB: await heapMiB(server.url),
      });
    } catch (e) {
      console.error(`sample failed: ${(e as Error).message}`);
    }
  };
  await sample();
  const sampler = setInterval(() => void sample(), 10_000);

  let n = 0;
  const minuteRows: Minute[] = [];
  const latencies: number[] = [];
  try {
    for (let m = 1; m <= minutes; m++) {
      const r = (await autocannon({
        url: server.url,
        connections,
        overallRate: rate,
        duration: 60,
        requests: [
          {
            method: 'POST',
            headers,
            setupRequest: (req: { path: string; body?: string }) => {
              n++;
              return {
                ...req,
                path: `/v1/products/${prefix}-${n % PRODUCTS}/amendments`,
                body: JSON.stringify(terms(500 + (n % 100))),
              };
            },
          },
        ],
      })) as {
        requests: { total: number; average: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
        timeouts: number;
      };
      const row: Minute = {
        minute: m,
        requests: r.requests.total,
        rate: Math.round(r.requests.average),
        p50: r.latency.p50,
        p99: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors + r.timeouts,
      };
      minuteRows.push(row);
      latencies.push(row.p99);
      console.log(
        `minute ${m}/${minutes}: ${row.requests} commands (${row.rate}/s), p50 ${row.p50} ms, p99 ${row.p99} ms, non-2xx ${row.non2xx}, errors ${row.errors}, RSS ${samples.at(-1)?.rssMiB.toFixed(0)} MiB`,
      );
    }
  } finally {
    clearInterval(sampler);
    await sample();
    await stopServer(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }

  const load = loadavg().map((x) => x.toFixed(2));
  const totalReq = minuteRows.reduce((a, r) => a + r.requests, 0);
  const failures = minuteRows.reduce((a, r) => a + r.non2xx + r.errors, 0);
  const firstP99 = minuteRows[0]!.p99;
  // Memory "flat": compare the second half with the first (the first minute includes warm-up).
  const half = samples.filter((s) => s.atS >= 60);
  const xs = half.map((s) => s.atS / 60);
  const rssSlope = slope(
    xs,
    half.map((s) => s.rssMiB),
  );
  const heapSlope = slope(
    xs,
    half.map((s) => s.heapMiB),
  );
  const rss = half.map((s) => s.rssMiB);
  const heap = half.map((s) => s.heapMiB);
  const fmt = (x: number) => x.toFixed(1);
  const baseline = peak
    ? `the short run (docs/perf.md api section, ${peak.connections} connections at full load): ${peak.rate} commands/s, p99 ${peak.p99} ms`
    : 'no short-run figure in docs/perf.md';
  // The short run is the soak's own first minute (same server, same rate, same machine load); the
  // bench figure (bare buildApp at full load) is shown for context.
  const later = latencies.slice(1);
  const worstLater = later.length ? Math.max(...later) : firstP99;
  const verdict = [
    `memory: RSS ${fmt(Math.min(...rss))}–${fmt(Math.max(...rss))} MiB (slope ${rssSlope.toFixed(2)} MiB/min after the first minute), V8 heap used ${fmt(Math.min(...heap))}–${fmt(Math.max(...heap))} MiB (slope ${heapSlope.toFixed(2)} MiB/min)`,
    `p99: first minute (the short run) ${firstP99} ms, worst later minute ${worstLater} ms = ${(worstLater / firstP99).toFixed(2)}× (target ≤ 2×), median of minutes ${percentiles(latencies).median} ms${peak ? `; the bench's p99 at full load: ${peak.p99} ms` : ''}`,
    `errors: ${failures} non-2xx or failed of ${totalReq} commands`,
  ];
  const table = [
    '| minute | commands | commands/s | p50 ms | p99 ms | non-2xx | errors |',
    '|---|---|---|---|---|---|---|',
    ...minuteRows.map(
      (r) => `| ${r.minute} | ${r.requests} | ${r.rate} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
    ),
  ];
  const memTable = [
    '| s | RSS MiB | heap used MiB |',
    '|---|---|---|',
    ...samples
      .filter((_, i) => i % 6 === 0 || i === samples.length - 1)
      .map((s) => `| ${s.atS} | ${fmt(s.rssMiB)} | ${fmt(s.heapMiB)} |`),
  ];
  writeReliabilitySection(`## Soak: ${minutes} minutes at 50 % of the measured peak

Run ${new Date(started).toISOString()} with \`npm run soak\` (bench/soak.ts) on ${machine()}; load average at the end ${load.join(' / ')} (1/5/15 min; the 2 cores are shared with other work).

A real \`loan-ledger serve\` process (embedded SQLite, dev chain, projections and anchoring on, rate limiter on at ${Math.max(1000, rate * 4)}/s per key) in a fresh data dir; ${connections} connections of autocannon send product amendments over ${PRODUCTS} products at a fixed ${rate} commands/s (${peak ? `50 % of ${peak.rate}/s, ` : ''}each 201 is fsynced); ${baseline}.

${verdict.map((v) => `- ${v}`).join('\n')}

${table.join('\n')}

Memory of the server process, sampled every 10 s (every 60 s shown):

${memTable.join('\n')}`);
  console.log(verdict.join('\n'));
  return failures === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await run();
