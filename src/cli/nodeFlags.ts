import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * V8 flags a command runs under. `loan-ledger` re-runs itself in a child Node with them, before it
 * loads any command: loading them through tsx takes ~2 s, paid once, in the child.
 */
export const COMMAND_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  // A rebuild keeps a page of parsed events (5,000 ≈ 10 MiB) and the rows they touch alive while the
  // views work on it: more than V8's default 16 MiB semi-space, so most of it survived into the old
  // generation and was collected there. With 32 MiB the 924,627-event bench portfolio took a median
  // 12.7 CPU s against 14.2 (docs/perf.md); the API server measured no difference.
  rebuild: ['--max-semi-space-size=32'],
};

/** True when this process already runs with every one of `flags`. */
export const hasNodeFlags = (flags: readonly string[]): boolean =>
  flags.every((f) => process.execArgv.includes(f));

/**
 * Runs `script` (by default this same command line) in a child Node with `flags` and this process's own
 * flags (tsx's loader); resolves to its exit code.
 */
export const rerunWith = (flags: readonly string[], script = process.argv.slice(1)): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [...flags, ...process.execArgv, ...script], {
      stdio: 'inherit',
    });
    // A supervisor's SIGTERM (or Ctrl-C) reaches the child too, and the parent waits for it to end.
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, forward);
    child.once('exit', () => {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.off(signal, forward);
    });
    child.once('error', (e) => {
      console.error(`loan-ledger: could not start node ${flags.join(' ')}: ${e.message}`);
      resolve(1);
    });
    // Killed by a signal: the shell's convention, 128 + its number.
    child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
