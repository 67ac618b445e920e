import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Anchorer, toPublicAnchor, type AnchorChain } from '../../src/anchor/anchorer.ts';
import { SqliteAnchorRepository, type AnchorRecord } from '../../src/anchor/anchorRepository.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { openTestLogService } from './logService.ts';
import { startTestServer, type TestServer } from './support.ts';

/**
 * GET /v1/log/anchors pages through the anchor history (it grows by one anchor per ANCHOR_EVERY_SECONDS
 * for as long as the ledger runs), over the anchorer's real SQLite records. The history has tree sizes
 * anchored on two contracts (a move to a new contract re-anchors recent sizes), one of them exactly on
 * a page boundary: following `Link: rel="next"` must still give every record exactly once.
 */
const LOG = `0x${'ab'.repeat(32)}`;
const CONTRACT_A = `0x${'0a'.repeat(20)}`;
const CONTRACT_B = `0x${'0b'.repeat(20)}`;
const SIZES_A = Array.from({ length: 2500 }, (_, i) => (i + 1) * 7);
/** Sizes also anchored on contract B; 7000 is the 1000th of A, the last of the first full page. */
const SIZES_B = [7000, 7007, 14_000];

let t: TestServer;
let dir: string;
let repo: SqliteAnchorRepository;

const record = (treeSize: number, contract: string): AnchorRecord => ({
  logId: LOG,
  treeSize,
  root: `0x${treeSize.toString(16).padStart(64, '0')}`,
  chainId: 31337,
  contract,
  txHash: `0x${treeSize.toString(16).padStart(64, 'c')}`,
  blockNumber: treeSize,
  blockHash: null,
  status: treeSize < 17_000 ? 'final' : 'included',
  attempts: 1,
  lastError: null,
  sentAt: 1,
  createdAt: 1,
  updatedAt: 1,
});

const key = (a: { treeSize: number; contract: string }) => `${a.treeSize}@${a.contract}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-anchor-pages-'));
  repo = new SqliteAnchorRepository(join(dir, 'anchors.db'));
  for (const size of SIZES_A) await repo.save(record(size, CONTRACT_A));
  for (const size of SIZES_B) await repo.save(record(size, CONTRACT_B));
  // Only its records are read here: no chain is ever called.
  const anchorer = new Anchorer({
    source: { latest: async () => undefined } as never,
    chain: {} as AnchorChain,
    repo,
    config: { logId: LOG },
  });
  const logStore = openSqliteEventStore({ file: join(dir, 'log.db') });
  const log = await openTestLogService(logStore);
  t = await startTestServer({
    logService: { ...log, anchors: async (page) => (await anchorer.records(page)).map(toPublicAnchor) },
  });
});
afterAll(async () => {
  await t.close();
  repo.close();
  rmSync(dir, { recursive: true, force: true });
});

async function follow(first: string): Promise<{ pages: number[]; seen: string[] }> {
  const pages: number[] = [];
  const seen: string[] = [];
  let url: string | undefined = first;
  while (url) {
    const r = await t.app.inject(url);
    expect(r.statusCode).toBe(200);
    const page = r.json() as { treeSize: number; contract: string }[];
    pages.push(page.length);
    seen.push(...page.map(key));
    const link = r.headers.link as string | undefined;
    url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
  }
  return { pages, seen };
}

describe('GET /v1/log/anchors, page by page', () => {
  const all = [...SIZES_A.map((s) => ({ treeSize: s, contract: CONTRACT_A }))].concat(
    SIZES_B.map((s) => ({ treeSize: s, contract: CONTRACT_B })),
  );

  it('ascending: at most 1000 per page, every record exactly once, in tree-size order', async () => {
    const { pages, seen } = await follow('/v1/log/anchors');
    expect(pages.every((n) => n <= 1000)).toBe(true);
    // The first page stops before size 7000, whose second record would not fit.
    expect(pages[0]).toBe(999);
    expect(seen.length).toBe(all.length);
    expect(new Set(seen)).toEqual(new Set(all.map(key)));
    const sizes = seen.map((k) => Number(k.split('@')[0]));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
  });

  it('descending with a small limit: the newest first, then older pages', async () => {
    const first = await t.app.inject('/v1/log/anchors?order=desc&limit=3');
    expect(first.json().map((a: { treeSize: number }) => a.treeSize)).toEqual([17_500, 17_493, 17_486]);
    expect(first.json()[0].status).toBe('included');
    expect(first.headers.link).toBe('</v1/log/anchors?fromTreeSize=17479&order=desc&limit=3>; rel="next"');
    const { seen } = await follow('/v1/log/anchors?order=desc&limit=7');
    expect(new Set(seen)).toEqual(new Set(all.map(key)));
    expect(seen.length).toBe(all.length);
  });

  it('fromTreeSize = a log size gives the anchors covering it', async () => {
    const r = await t.app.inject('/v1/log/anchors?fromTreeSize=17490');
    expect(r.json().map((a: { treeSize: number }) => a.treeSize)).toEqual([17_493, 17_500]);
    expect(r.headers.link).toBeUndefined();
  });

  it('refuses a limit out of range with a problem naming the parameter', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=x', 'order=newest', 'fromTreeSize=-1']) {
      const r = await t.app.inject(`/v1/log/anchors?${q}`);
      expect(r.statusCode, q).toBe(400);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(r.json().errors ?? r.json()), q).toContain(q.split('=')[0]);
    }
  });
});
