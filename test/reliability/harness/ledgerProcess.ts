import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/**
 * The real ledger server (`loan-ledger serve`) as a child process, so a test can SIGKILL it. node runs
 * with tsx as a loader (not the .bin/tsx wrapper, which would leave the server running in a grandchild
 * that a SIGKILL to the wrapper does not reach).
 */
export interface LedgerProcess {
  url: string;
  pid: number;
  /** Resolves when the process has exited (with the signal, if killed). */
  exited: Promise<NodeJS.Signals | number | null>;
  /** SIGKILL, then wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), then wait for the exit. */
  stop(): Promise<void>;
  /** Everything the server wrote to stdout and stderr so far (for failure messages). */
  output(): string;
}

const MAIN = join(import.meta.dirname, '../../../src/cli/main.ts');

export function startLedgerProcess(env: Record<string, string>, timeoutMs = 60_000): Promise<LedgerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const proc = (url: string): LedgerProcess => ({
    url,
    pid: child.pid!,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    output: () => out,
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ledger did not start within ${timeoutMs} ms:\n${out.slice(-3000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString()).slice(-20_000);
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(proc(m[1]!));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`the ledger exited (${String(how)}) before listening:\n${out.slice(-3000)}`));
    });
  });
}
