import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isLedgerError } from '../errors.ts';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * A command's arguments, parsed strictly by node:util `parseArgs` (an unknown or malformed option is an
 * error), or undefined once that error and the command's usage are printed: the caller returns EXIT_USAGE.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
  help: string,
): ReturnType<typeof parseArgs<T>> | undefined {
  try {
    return parseArgs(config);
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n\n${help}`);
    return undefined;
  }
}

/** A CLI error is the same problem document the API gives, printed to stderr. */
export function printProblem(e: unknown): void {
  if (isLedgerError(e)) {
    console.error(`error ${e.code}: ${e.message}`);
    const errors = e.details.errors;
    if (Array.isArray(errors)) for (const x of errors) console.error(`  ${JSON.stringify(x)}`);
  } else {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** A one-line progress bar on stderr for long work (rebuild, bench, import). */
export function progressBar(label: string, total: number) {
  const started = Date.now();
  let last = 0;
  return {
    update(done: number, force = false) {
      const now = Date.now();
      if (!force && now - last < 200) return;
      last = now;
      const secs = (now - started) / 1000;
      const rate = secs > 0 ? Math.round(done / secs) : 0;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const width = 30;
      const filled = Math.round(frac * width);
      const eta = rate > 0 && total > done ? Math.round((total - done) / rate) : 0;
      const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${rate}/s ETA ${eta}s`;
      if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
      else if (force || done === total) process.stderr.write(`${line}\n`);
    },
    done(done: number) {
      this.update(done, true);
      if (process.stderr.isTTY) process.stderr.write('\n');
    },
  };
}
