import { cpus, totalmem, platform, release } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Benchmarks write their results as one section each of docs/perf.md, between markers, so that
 * benches run separately never overwrite each other's figures. Each section states machine and date.
 */
const PERF_FILE = new URL('../docs/perf.md', import.meta.url);

export const machine = (): string => {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
};

export function writePerfSection(name: string, title: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const body = `${begin}\n## ${title}\n\nMeasured ${new Date().toISOString()} on ${machine()}.\n\n${markdown.trim()}\n${end}`;
  let text = existsSync(PERF_FILE)
    ? readFileSync(PERF_FILE, 'utf8')
    : '# Performance\n\nWritten by `npm run bench` (each section by its own benchmark; rerun to refresh).\n';
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  text =
    i >= 0 && j > i ? text.slice(0, i) + body + text.slice(j + end.length) : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(PERF_FILE, text);
}

/** Median and p99 of a sample of durations (any unit). */
export function percentiles(samples: number[]): { median: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p99: at(0.99) };
}
