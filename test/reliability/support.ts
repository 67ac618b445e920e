import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_OPERATOR_KEY } from '../../src/anchor/devKeys.ts';
import { loadConfig, type Config } from '../../src/app/config.ts';
import { readDemoKeys } from '../../src/app/demoOrganizations.ts';
import type { Ledger } from '../../src/app/ledger.ts';
import { productBody } from '../api/support.ts';

/** Shared by the reliability tests: a small real filesystem, the ledger's config, demo keys, HTTP calls. */

/** Why a fault that needs root (mount, chattr) cannot be staged here, or undefined if it can. */
export function cannotStageFsFaults(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root: cannot mount a small tmpfs or set the immutable flag';
  const probe = mkdtempSync(join(tmpdir(), 'll-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs failed here: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** A real tmpfs of `bytes` mounted on a fresh directory; `unmount()` also removes the directory. */
export function mountTmpfs(bytes: number): { dir: string; unmount(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'll-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  return {
    dir,
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The ledger's config over `dataDir`, anchoring on an outside chain (anvil) unless `chain` is omitted. */
export function reliabilityConfig(
  dataDir: string,
  chain?: { rpcUrl: string; contract: string },
  extra: Record<string, string> = {},
): Config {
  mkdirSync(dataDir, { recursive: true });
  return loadConfig({
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'silent',
    // One log per data directory: several ledgers of a test file share one chain (and contract), and
    // each compares its log with the chain's latest anchor of its own log id at start-up.
    LOG_ORIGIN: `reliability.local/${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`,
    ...(chain
      ? {
          ANCHOR_RPC_URL: chain.rpcUrl,
          ANCHOR_PRIVATE_KEY: DEV_OPERATOR_KEY,
          ANCHOR_CONTRACT: chain.contract,
          ANCHOR_CHAIN_ID: '31337',
        }
      : {}),
    ...extra,
  });
}

export function demoKey(dataDir: string, role: string): { apiKey: string; orgId: string } {
  const keys = readDemoKeys(dataDir);
  const k = keys && Object.values(keys).find((x) => x.role === role);
  if (!k) throw new Error(`no demo key for role ${role}`);
  return k;
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
}

export async function call(
  ledger: Ledger,
  key: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const res = await fetch(`${ledger.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed };
}

/** A bank publishes product `id`: the command every fault test posts. Its stream is `product-<id>`. */
export function publishProduct(ledger: Ledger, bankKey: string, id: string): Promise<HttpResult> {
  return call(ledger, bankKey, 'POST', '/v1/products', productBody(id));
}

/** The events of a stream as the regulator reads them over HTTP (a read that must keep working). */
export async function streamEvents(
  ledger: Ledger,
  regulatorKey: string,
  stream: string,
): Promise<{ status: number; types: string[] }> {
  const r = await call(ledger, regulatorKey, 'GET', `/v1/streams/${stream}/events`);
  const events = (Array.isArray(r.body) ? r.body : ((r.body as { events?: unknown[] }).events ?? [])) as {
    type: string;
  }[];
  return { status: r.status, types: events.map((e) => e.type) };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false | null>,
  ms = 30_000,
  everyMs = 50,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
