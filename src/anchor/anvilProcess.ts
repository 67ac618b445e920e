import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

/**
 * Runs one `anvil` (from the @foundry-rs/anvil npm package) as a child process on a free loopback port.
 *
 * Orphans: anvil is started through a tiny `sh` guard that holds our end of a pipe on fd 3; when this
 * process dies for any reason (even SIGKILL) the pipe closes, the guard sends anvil SIGTERM and anvil
 * dumps its state and exits. A graceful stop is the same path: we close the pipe.
 */

export interface AnvilOptions {
  /** `--state`: load from this file if it exists, dump to it on exit (and every `stateIntervalSeconds`). */
  statePath?: string;
  stateIntervalSeconds?: number;
  chainId?: number;
  /** Interval mining. With `mixedMining`, transactions are mined at once and empty blocks keep coming. */
  blockTimeSeconds?: number;
  mixedMining?: boolean;
  /** anvil reports `finalized` = latest − 2 × slotsInAnEpoch. */
  slotsInAnEpoch?: number;
  /** Fixed port (a restart on the same URL); default: a free one. */
  port?: number;
  startTimeoutMs?: number;
}

export interface AnvilProcess {
  readonly rpcUrl: string;
  readonly port: number;
  /** pid of anvil itself (not of the guard), for tests that kill it hard. */
  readonly pid: number;
  /** Resolves once anvil has exited (after dumping its state when started with statePath). */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** The platform binary, skipping the package's node wrapper (one process and ~40 ms less). */
export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@foundry-rs/anvil-${process.platform === 'win32' ? 'win32' : process.platform}-${
    process.arch === 'x64' ? 'amd64' : process.arch
  }`;
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil');
  } catch {
    return join(dirname(require.resolve('@foundry-rs/anvil/package.json')), 'bin.mjs');
  }
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

// fd 3 is our pipe; `read` returns on EOF (we closed it or we died), then anvil gets SIGTERM.
const GUARD = [
  '"$@" </dev/null & a=$!',
  'echo "pid $a"',
  '(read -r _ <&3; kill -TERM $a 2>/dev/null) & w=$!',
  'wait $a; rc=$?',
  'kill $w 2>/dev/null',
  'exit $rc',
].join('\n');

const live = new Set<{ kill: () => void }>();
process.once('exit', () => {
  for (const p of live) p.kill();
});

export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = opts.port ?? (await freeLoopbackPort());
    try {
      return await startOn(port, opts);
    } catch (e) {
      lastError = e; // most likely the port was taken between probing and binding
      if (opts.port !== undefined) break;
    }
  }
  throw lastError;
}

async function startOn(port: number, opts: AnvilOptions): Promise<AnvilProcess> {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent'];
  if (opts.statePath) args.push('--state', opts.statePath);
  if (opts.stateIntervalSeconds) args.push('--state-interval', String(opts.stateIntervalSeconds));
  if (opts.chainId !== undefined) args.push('--chain-id', String(opts.chainId));
  if (opts.blockTimeSeconds) args.push('--block-time', String(opts.blockTimeSeconds));
  if (opts.mixedMining) args.push('--mixed-mining');
  if (opts.slotsInAnEpoch) args.push('--slots-in-an-epoch', String(opts.slotsInAnEpoch));

  const child = spawn('sh', ['-c', GUARD, 'anvil-guard', anvilBinary(), ...args], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  }) as ChildProcessByStdio<null, Readable, Readable>;
  const lifeline = child.stdio[3] as Writable;
  lifeline.on('error', () => {}); // EPIPE after the guard exited
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle = { kill: () => lifeline.destroy() };
  live.add(handle);
  void exited.then(() => live.delete(handle));

  const pid = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /pid (\d+)\n/.exec(out);
      if (m) {
        child.stdout.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`anvil guard exited (${code}) before starting: ${stderr}`)));
  });

  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    lifeline.destroy();
    await exited;
  };
  try {
    await waitForRpc(rpcUrl, exited, opts.startTimeoutMs ?? 15_000, () => stderr);
  } catch (e) {
    await stop();
    throw e;
  }
  return { rpcUrl, port, pid, exited, stop };
}

async function waitForRpc(
  rpcUrl: string,
  exited: Promise<number | null>,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  let dead = false;
  void exited.then(() => (dead = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (dead) throw new Error(`anvil exited during start: ${stderr()}`);
    try {
      const res = await fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(1000),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms: ${stderr()}`);
}
