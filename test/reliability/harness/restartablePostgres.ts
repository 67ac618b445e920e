import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../support/postgresServer.ts';

/**
 * A PostgreSQL cluster of this test's own (not the shared globalSetup server) that can be stopped and
 * started again on the same data directory and port, as an operator restarting the database would.
 * Same approach as test/support/postgresServer.ts: initdb into a temp dir, run as `postgres` when root.
 */
export interface RestartablePostgres {
  url: string;
  /** Fast shutdown (SIGINT to the postmaster: open sessions are terminated), then wait for the exit. */
  stop(): Promise<void>;
  /** Start again on the same data and port; resolves when it accepts connections. */
  start(): Promise<void>;
  /** Stop (if running) and delete everything. */
  destroy(): Promise<void>;
}

const bin = (name: string): string => {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(base, v, 'bin', name))) return join(base, v, 'bin', name);
  throw new Error(`PostgreSQL ${name} not found (apt-get install postgresql)`);
};

export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const asRoot = process.getuid?.() === 0;
  const wrap = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  const dir = mkdtempSync(join(tmpdir(), 'll-pg-restart-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const [c1, a1] = wrap(bin('initdb'), [
    '-D',
    dataDir,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-locale',
  ]);
  execFileSync(c1, a1, { stdio: 'pipe' });
  const port = await freePort();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  const start = async () => {
    const [c2, a2] = wrap(bin('postgres'), [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=100',
      '-c',
      'fsync=on',
    ]);
    const proc = spawn(c2, a2, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    exited = new Promise((r) => proc.once('exit', r));
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const { default: pg } = await import('pg');
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new pg.Client({ connectionString: url });
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => {});
        if (proc.exitCode !== null || Date.now() > deadline)
          throw new Error(`PostgreSQL did not start: ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    // runuser does not pass signals on: signal the postmaster (first line of postmaster.pid).
    const pidFile = join(dataDir, 'postmaster.pid');
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : NaN;
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT');
    else child.kill('SIGINT');
    await exited;
  };

  await start();
  return {
    url,
    start,
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
