import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISES } from '../../src/cli/demo/parties.ts';
import { SqlitePiiVault } from '../../src/vault/sqliteVault.ts';
import { pdftotext } from '../evidence/pdf/poppler.ts';

/**
 * No personal data anywhere a full demo run writes, except sealed in the vault until erased.
 *
 * One real `loan-ledger serve` process (the `npm start` configuration: embedded SQLite, dev chain,
 * projections, anchoring; logs at `trace`, captured from its stdout/stderr) in a fresh DATA_DIR, and
 * one real `loan-ledger demo --out DIR` process against it. The personal data are the demo legal
 * representatives' names and ID-card numbers (src/cli/demo/parties.ts; the demo has no phone numbers,
 * and the organizations of src/app/demoOrganizations.ts are legal persons, not data subjects).
 *
 * Scanned: every file of the data dir while the server runs (SQLite main files, their -wal and -shm,
 * the dev chain's state, keys) and again after shutdown; the server's log; the demo's own output; every
 * file of the out dir (bundles as bytes, certificates through pdftotext). The vault (vault.db) is the
 * one place designated to hold personal data, and it holds them sealed (AES-256-GCM per subject), so
 * its bytes are scanned too and must not show them in clear; that it does hold them is shown by
 * opening it, and after erasure of both subjects it no longer can.
 */
const BIN = new URL('../../bin/loan-ledger.js', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

const people = ENTERPRISES.map((e) => e.legalRepresentative);
const secrets: string[] = people.flatMap((p) => [p.name, p.idNumber]);

/** Every byte form a string could take in a file: UTF-8, UTF-16LE (SQLite can store either), \u-escaped JSON. */
const forms = (s: string): { label: string; bytes: Buffer }[] => [
  { label: `${s} (UTF-8)`, bytes: Buffer.from(s, 'utf8') },
  { label: `${s} (UTF-16LE)`, bytes: Buffer.from(s, 'utf16le') },
  {
    label: `${s} (\\u-escaped)`,
    bytes: Buffer.from(
      [...s].map((c) => (c.charCodeAt(0) > 127 ? `\\u${c.charCodeAt(0).toString(16)}` : c)).join(''),
    ),
  },
];
const needles = secrets.flatMap(forms).filter((n, i, all) => all.findIndex((m) => m.label === n.label) === i);

/** "file: needle" for every needle found in every buffer. */
function leaks(files: Map<string, Buffer>): string[] {
  const found: string[] = [];
  for (const [name, bytes] of files)
    for (const n of needles) if (bytes.includes(n.bytes)) found.push(`${name}: ${n.label}`);
  return found;
}

function readTree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue; // a -wal or -journal can vanish between readdir and stat
      if (st.isDirectory()) walk(p);
      else
        try {
          out.set(relative(dir, p), readFileSync(p));
        } catch {
          // vanished between stat and read
        }
    }
  };
  walk(dir);
  return out;
}

interface Proc {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}
function run(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stderr.on('data', (d: Buffer) => chunks.push(d));
  return {
    output: () => Buffer.concat(chunks).toString('utf8'),
    exited: new Promise((r) => child.once('exit', (code) => r(code))),
    kill: (s) => child.kill(s),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'll-pii-'));
const dataDir = join(dir, 'data');
const outDir = join(dir, 'out');
let server: Proc;
let serverLog = '';
let demoOutput = '';
let demoExit: number | null = null;
let url = '';
let whileRunning = new Map<string, Buffer>();
let afterShutdown = new Map<string, Buffer>();
let revealedBefore: string[] = [];
let revealedAfter: string[] = [];
const erasures: number[] = [];

/** Opens every value the vault holds (what the vault can still reveal). */
function vaultContents(): string[] {
  const db = new Database(join(dataDir, 'vault.db'));
  try {
    const vault = new SqlitePiiVault(db);
    const refs = db.prepare('SELECT vault_ref FROM pii_values').all() as { vault_ref: string }[];
    return refs.map((r) => vault.get(r.vault_ref)).filter((v): v is string => v !== undefined);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = run(['serve'], {
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'trace',
    ANCHOR_EVERY_SECONDS: '1',
  });
  const started = Date.now();
  while (!/listening on (http:\/\/\S+)/.test(server.output())) {
    if (Date.now() - started > 60_000) throw new Error(`server did not start:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  url = /listening on (http:\/\/\S+)/.exec(server.output())![1]!;

  const demo = run(['demo', '--url', url, '--out', outDir, '--wait-final', '90'], {
    DATA_DIR: dataDir,
  });
  demoExit = await demo.exited;
  demoOutput = demo.output();

  // While the server runs: the WAL files hold the latest pages.
  whileRunning = readTree(dataDir);
  revealedBefore = vaultContents();

  const keys = JSON.parse(readFileSync(join(dataDir, 'demo-keys.json'), 'utf8')) as Record<
    string,
    { orgId: string; apiKey: string }
  >;
  for (const e of ENTERPRISES) {
    const key = Object.values(keys).find((k) => k.orgId === e.uscc)!.apiKey;
    const res = await fetch(`${url}/v1/enterprises/${e.uscc}/erasure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: '数据主体请求删除 (PIPL Art. 47)' }),
    });
    erasures.push(res.status);
  }
  server.kill('SIGTERM');
  await server.exited;
  serverLog = server.output();
  afterShutdown = readTree(dataDir);
  revealedAfter = vaultContents();
}, 240_000);

afterAll(() => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('personal data in everything a full demo run writes', () => {
  it('the demo ran to the end (so the scan covers a full run)', () => {
    expect(demoExit, demoOutput).toBe(0);
    expect(readdirSync(outDir).some((f) => f.startsWith('evidence-'))).toBe(true);
    expect(whileRunning.has('ledger.db')).toBe(true);
    expect(whileRunning.has('readmodels.db')).toBe(true);
    expect([...whileRunning.keys()].some((f) => f.endsWith('-wal'))).toBe(true);
  });

  it('the scan can find what it looks for: the vault holds every name and ID number (sealed)', () => {
    for (const s of secrets) expect(revealedBefore).toContain(s);
    // …and the scanner itself finds a needle when one is there
    const probe = Buffer.from(JSON.stringify({ a: people[0]!.name, b: `x${people[1]!.idNumber}x` }));
    expect(leaks(new Map([['probe', probe]]))).toEqual(
      expect.arrayContaining([`probe: ${people[0]!.name} (UTF-8)`, `probe: ${people[1]!.idNumber} (UTF-8)`]),
    );
  });

  it('no file of the data dir holds them in clear: events, projections, Merkle tree, WAL, vault, chain state', () => {
    expect(leaks(whileRunning)).toEqual([]);
    expect(leaks(afterShutdown)).toEqual([]);
  });

  it('the server log (trace level, stdout and stderr) holds none', () => {
    expect(serverLog).toMatch(/"reqId"|incoming request/); // the log did record the run
    expect(leaks(new Map([['server log', Buffer.from(serverLog)]]))).toEqual([]);
  });

  it('the demo’s own output and every file it wrote (bundles, PDF certificates) hold none', () => {
    const files = readTree(outDir);
    expect(files.size).toBeGreaterThanOrEqual(2);
    const texts = new Map<string, Buffer>([['demo output', Buffer.from(demoOutput)]]);
    for (const [name, bytes] of files) {
      texts.set(name, bytes);
      if (name.endsWith('.pdf')) {
        const text = pdftotext(join(outDir, name));
        expect(text).toMatch(/[\u4e00-\u9fff]{4}/); // the text layer is readable, CJK included
        texts.set(`${name} (pdftotext)`, Buffer.from(text));
      }
    }
    expect(leaks(texts)).toEqual([]);
  });

  it('after erasure of both legal representatives the vault can reveal none of them', () => {
    expect(erasures).toEqual([201, 201]);
    for (const s of secrets) expect(revealedAfter).not.toContain(s);
  });
});
