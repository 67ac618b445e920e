import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { anchorCommand } from '../../src/cli/commands/anchor.ts';
import { commands } from '../../src/cli/commands/index.ts';
import { exportLog } from '../../src/cli/commands/export.ts';
import { keysCommand } from '../../src/cli/commands/keys.ts';
import { rebuildCommand } from '../../src/cli/commands/rebuild.ts';
import type { KeysByOrg } from '../../src/cli/demo/keys.ts';
import { runDemo, type DemoResult } from '../../src/cli/demo/runDemo.ts';
import { httpClient } from '../../src/cli/httpClient.ts';

/**
 * The CLI against the real ledger (embedded SQLite, dev chain, real port): the demo scenario end to
 * end, then keys, export and rebuild on what it wrote.
 */
let dir: string;
let ledger: Ledger;
let keys: KeysByOrg;
let mounted: Set<string>;
let demo: DemoResult;
const lines: string[] = [];

const operator = () => [...keys.values()].find((k) => k.role === 'operator')!.apiKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-cli-'));
  ledger = await startLedger(
    loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', ANCHOR_EVERY_SECONDS: '1', LOG_LEVEL: 'silent' }),
  );
  expect(ledger.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(ledger.demoKeys).toBeDefined();
  keys = new Map(
    Object.entries(ledger.demoKeys!).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
  const doc = (await (await fetch(`${ledger.url}/docs/openapi.json`)).json()) as {
    paths: Record<string, object>;
  };
  mounted = new Set(
    Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
  );
  demo = await runDemo({
    url: ledger.url,
    keys,
    outDir: join(dir, 'out'),
    waitFinalMs: 45_000,
    log: (l) => lines.push(l),
  });
}, 120_000);

afterAll(async () => {
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('loan-ledger demo against the real ledger', () => {
  it('runs every step of the scenario through the HTTP API', () => {
    if (demo.failure) throw new Error(`${demo.failure.message}\n${lines.join('\n')}`);
    expect(demo.steps.length).toBeGreaterThan(30);
    // every route the scenario needs is mounted: nothing skipped, exit 0
    expect(demo.skipped, lines.join('\n')).toEqual([]);
    expect(demo.exitCode).toBe(0);
  });

  it('anchors reach final and cover the whole log', () => {
    expect(demo.anchors?.reachedFinal).toBe(true);
    expect(demo.anchors!.finalTreeSize).toBeGreaterThanOrEqual(demo.anchors!.treeSize);
  });

  it('a loan’s timeline: its own, guarantee and policy events in log order, each with its log index and anchor status', async () => {
    const guaranteedLoan = demo.loanIds[1]!;
    const bank = keys.get('bank-xiangjiang')!.apiKey;
    const res = await fetch(`${ledger.url}/v1/loans/${guaranteedLoan}/timeline`, {
      headers: { authorization: `Bearer ${bank}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      revision: number;
      events: { stream: string; type: string; position: number; anchorStatus: string }[];
    };
    const streams = [`loan-${guaranteedLoan}`, `guarantee-${guaranteedLoan}`, `policy-${guaranteedLoan}`];
    const stored = (await Promise.all(streams.map((s) => ledger.store.readStream(s)))).flat();
    // Exactly the events of the three streams, by log index (= store position on SQLite).
    expect(body.events.map((e) => e.position)).toEqual(stored.map((e) => e.position).sort((a, b) => a - b));
    expect(new Set(body.events.map((e) => e.stream))).toEqual(
      new Set(streams.filter((s) => stored.some((e) => e.stream === s))),
    );
    expect(body.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['LoanDisbursed', 'GuaranteeIssued', 'LoanDefaulted']),
    );
    expect(res.headers.get('etag')).toBe(`"${body.revision}"`);
    // Each stream's revision, for If-Match on the routes that write it (the guarantee's own stream).
    const revisions = (body as unknown as { streamRevisions: Record<string, number> }).streamRevisions;
    for (const s of streams) expect(revisions[s]).toBe(await ledger.store.streamRevision(s));
    expect(revisions[`loan-${guaranteedLoan}`]).toBe(body.revision);
    // The demo waited for a final anchor covering its whole log, so every one of them is final.
    expect(new Set(body.events.map((e) => e.anchorStatus))).toEqual(new Set(['final']));
    // A stranger organization of the same role is refused.
    const other = await fetch(`${ledger.url}/v1/loans/${guaranteedLoan}/timeline`, {
      headers: { authorization: `Bearer ${keys.get('91430100MA4L00011K')!.apiKey}` },
    });
    expect(other.status).toBe(403);
  });

  it('the case file of the demo’s dispute: its loan’s timeline, each event anchored final (the real anchorer)', async () => {
    const { events } = await ledger.store.readAll({ fromPosition: 0, max: 100_000 });
    const filed = events.find((e) => e.type === 'DisputeFiled' && e.data.loanId === demo.loanIds[1]);
    const disputeId = filed!.stream.slice('dispute-'.length);
    const res = await fetch(`${ledger.url}/v1/case-files/${disputeId}`, {
      headers: { authorization: `Bearer ${keys.get('arbitration-changsha')!.apiKey}` },
    });
    expect(res.status).toBe(200);
    const file = (await res.json()) as {
      timeline: { logIndex: number; anchor: string; type: string }[];
    };
    expect(file.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['LoanApplied', 'GuaranteeIssued']),
    );
    expect(new Set(file.timeline.map((e) => e.anchor))).toEqual(new Set(['final']));
    const other = await fetch(`${ledger.url}/v1/case-files/${disputeId}`, {
      headers: { authorization: `Bearer ${keys.get('court-changsha')!.apiKey}` },
    });
    expect(other.status).toBe(403); // not (yet) the body of this case
  });

  it('loan-ledger anchor now: asks the server, anchors the log, lists the latest anchors', async () => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((x: unknown) => void out.push(String(x)));
    const before = ledger.verifiableLog.log.size;
    try {
      expect(await anchorCommand.run(['now', '--url', ledger.url, '--operator-key', operator()])).toBe(0);
      expect(await anchorCommand.run(['later'])).toBe(2);
    } finally {
      log.mockRestore();
    }
    expect(out[0]).toMatch(/^anchoring requested: /);
    expect(out[1]).toMatch(new RegExp(`^log size ${before}; latest anchors:$`));
    expect(out.slice(2).length).toBeGreaterThan(0);
    expect(
      out.slice(2).every((l) => /^ {2}tree size +\d+ {2}(pending|included|final) +tx 0x[0-9a-f]{64}/.test(l)),
    ).toBe(true);
  });

  it('every command answers --help with its usage, exit 0 (the real bin)', async () => {
    const bin = fileURLToPath(new URL('../../bin/loan-ledger.js', import.meta.url));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (e, stdout) =>
          resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout }),
        );
      });
    const names = Object.keys(commands);
    const results = await Promise.all([run(['--help']), ...names.map((n) => run([n, '--help']))]);
    expect(results[0]!.code).toBe(0);
    for (const n of names) expect(results[0]!.stdout).toContain(n);
    names.forEach((n, i) => {
      expect(results[i + 1]!.code, n).toBe(0);
      expect(results[i + 1]!.stdout, n).toMatch(new RegExp(`^usage:\\s+loan-ledger ${n}\\b`));
      expect(results[i + 1]!.stdout, n).toContain('exit codes');
    });
  }, 90_000);

  it('the summary: the credit loan repaid in full, the guaranteed loan defaulted', () => {
    const [credit, guaranteed] = demo.summary!.loans;
    expect(credit).toMatchObject({
      principalFen: 100_000_000,
      status: 'repaid',
      borrower: '91430100MA4L00011K',
    });
    expect(credit!.repaidFen).toBeGreaterThan(credit!.principalFen); // principal plus interest
    expect(guaranteed).toMatchObject({
      principalFen: 200_000_000,
      status: 'defaulted',
      borrower: '91430200MA4L0002XG',
    });
    expect(guaranteed!.repaidFen).toBeGreaterThan(0);
    expect(guaranteed!.repaidFen).toBeLessThan(guaranteed!.principalFen);
    expect(lines.join('\n')).toContain('1,000,000.00');
  });

  it('4321: the shares conserve every fen of the loss; reimbursements + the guarantor’s share = the compensation', () => {
    const s = demo.summary!;
    expect(s.lossFen).toBeGreaterThan(0);
    expect(s.shares.map((p) => p.shareBps)).toEqual([2000, 1000, 1000, 3000, 2000, 1000]);
    expect(s.shares.reduce((n, p) => n + p.lossShareFen, 0)).toBe(s.lossFen);
    const guarantor = s.shares.find((p) => p.kind === 'guarantor')!;
    const bank = s.shares.find((p) => p.kind === 'bank')!;
    expect(s.compensatedFen).toBe(s.lossFen - bank.lossShareFen);
    expect(s.reimbursedFen + guarantor.lossShareFen).toBe(s.compensatedFen);
    expect(s.recoveredFen).toBeGreaterThan(0);
    expect(s.shares.reduce((n, p) => n + p.recoveredFen, 0)).toBe(s.recoveredFen);
  });

  it('writes each loan’s evidence bundle and PDF certificate (the ledger mounts both routes)', () => {
    const out = join(dir, 'out');
    expect(mounted.has('GET /v1/loans/{loanId}/evidence')).toBe(true);
    expect(demo.loanIds).toHaveLength(2);
    for (const loanId of demo.loanIds) {
      const bundle = JSON.parse(readFileSync(join(out, `evidence-${loanId}.json`), 'utf8')) as {
        events?: unknown[];
      };
      expect(bundle.events?.length ?? 0).toBeGreaterThan(0);
      const pdf = readFileSync(join(out, `certificate-${loanId}.pdf`));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    }
    expect(readdirSync(out).filter((n) => n.startsWith('timeline-'))).toEqual([]);
  });
});

/** After the demo, on its data: the routes that end a dispute, release a guarantee and handle warnings. */
describe('the closing steps of a case, over HTTP on the real ledger', () => {
  const post = (org: string, path: string, body: unknown) =>
    fetch(`${ledger.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.get(org)!.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const BORROWER = '91430200MA4L0002XG';
  const disputeOf = async (loanId: string) => {
    const { events } = await ledger.store.readAll({ fromPosition: 0, max: 100_000 });
    const filed = events.find((e) => e.type === 'DisputeFiled' && e.data.loanId === loanId);
    return filed!.stream.slice('dispute-'.length);
  };
  const typesOf = async (stream: string) => (await ledger.store.readStream(stream)).map((e) => e.type);

  it('a payee applies for enforcement to a registered court only; the commission then closes the case', async () => {
    const disputeId = await disputeOf(demo.loanIds[1]!);
    const notACourt = await post('guarantor-xiangtan', `/v1/disputes/${disputeId}/enforcement`, {
      court: 'bank-xiangjiang',
    });
    expect(notACourt.status).toBe(422);
    expect(notACourt.body.rule).toBe('dispute.enforcement.not_a_court');
    const byDebtor = await post(BORROWER, `/v1/disputes/${disputeId}/enforcement`, {
      court: 'court-changsha',
    });
    expect(byDebtor.body, JSON.stringify(byDebtor)).toMatchObject({
      rule: 'dispute.enforcement.not_a_creditor',
    });
    const applied = await post('guarantor-xiangtan', `/v1/disputes/${disputeId}/enforcement`, {
      court: 'court-changsha',
    });
    expect(applied.status).toBe(201);
    // The court named is now the case's assigned body: it reads the dispute.
    const read = await fetch(`${ledger.url}/v1/disputes/${disputeId}`, {
      headers: { authorization: `Bearer ${keys.get('court-changsha')!.apiKey}` },
    });
    expect(read.status).toBe(200);
    const byGuarantor = await post('guarantor-xiangtan', `/v1/disputes/${disputeId}/closure`, {
      reason: '结案',
    });
    expect(byGuarantor.status).toBe(403); // only the tribunal closes
    const closed = await post('arbitration-changsha', `/v1/disputes/${disputeId}/closure`, {
      reason: '裁决已申请执行，本案结案',
    });
    expect(closed.status).toBe(201);
    expect((await typesOf(`dispute-${disputeId}`)).slice(-2)).toEqual([
      'EnforcementRequested',
      'DisputeClosed',
    ]);
  });

  it('the claimant withdraws an open dispute; the respondent cannot', async () => {
    const filed = await post('bank-xiangjiang', '/v1/disputes', {
      loanId: demo.loanIds[0]!,
      respondent: { org: '91430100MA4L00011K', role: 'enterprise' },
      forum: 'arbitration',
      body: 'arbitration-changsha',
      claimAmountFen: 100,
      claims: '请求确认借款合同已履行完毕',
    });
    expect(filed.status).toBe(201);
    const disputeId = (filed.body.stream as string).slice('dispute-'.length);
    const byRespondent = await post('91430100MA4L00011K', `/v1/disputes/${disputeId}/withdrawal`, {
      reason: '撤回',
    });
    expect(byRespondent.body, JSON.stringify(byRespondent)).toMatchObject({
      rule: 'dispute.withdraw.not_the_claimant',
    });
    const withdrawn = await post('bank-xiangjiang', `/v1/disputes/${disputeId}/withdrawal`, {
      reason: '双方已核对，撤回申请',
    });
    expect(withdrawn.status).toBe(201);
    expect(await typesOf(`dispute-${disputeId}`)).toEqual(['DisputeFiled', 'DisputeWithdrawn']);
  });

  it('a compensated guarantee can no longer be released (the route reaches the guarantee decider)', async () => {
    const res = await post('bank-xiangjiang', `/v1/loans/${demo.loanIds[1]!}/guarantee/release`, {
      reason: '贷款结清',
    });
    expect(res.status).toBe(422);
    expect(res.body.rule).toBe('guarantee.release.not_issued');
    const stranger = await post('guarantor-xiangtan', `/v1/loans/${demo.loanIds[0]!}/guarantee/release`, {
      reason: 'x',
    });
    expect(stranger.status).toBe(403); // not the guarantor of that loan
  });

  it('the operator raises a warning (rule and level from the signal) and resolves it; the risk view follows', async () => {
    const raised = await post('platform-operator', `/v1/enterprises/${BORROWER}/warnings`, {
      warningId: 'w-manual-1',
      signal: { kind: 'tax_arrears', value: 0, sourceRef: 'tax-bureau-notice-2026-11' },
    });
    expect(raised.status).toBe(201);
    const [event] = (await ledger.store.readStream(`risk-${BORROWER}`)).filter(
      (e) => e.type === 'WarningRaised' && e.data.warningId === 'w-manual-1',
    );
    expect(event!.data).toMatchObject({ rule: 'risk.tax.arrears', level: 'orange' });
    const byBank = await post('bank-xiangjiang', `/v1/enterprises/${BORROWER}/warnings`, {
      warningId: 'w-bank',
      signal: { kind: 'tax_arrears', value: 0, sourceRef: 'x' },
    });
    expect(byBank.status).toBe(403);
    const resolved = await post(
      'regulator-hunan',
      `/v1/enterprises/${BORROWER}/warnings/w-manual-1/resolution`,
      {
        note: '已补缴税款',
      },
    );
    expect(resolved.status).toBe(201);
    const again = await post(
      'regulator-hunan',
      `/v1/enterprises/${BORROWER}/warnings/w-manual-1/resolution`,
      {
        note: 'again',
      },
    );
    expect(again.body.rule).toBe('risk.resolve.not_open');
  });
});

describe('loan-ledger keys', () => {
  const run = async (args: string[]) => {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((x: unknown) => void out.push(String(x)));
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      return {
        code: await keysCommand.run([...args, '--url', ledger.url, '--operator-key', operator()]),
        out,
      };
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  };
  const status = async (apiKey: string) =>
    (
      await fetch(`${ledger.url}/v1/organizations/bank-cli-test`, {
        headers: { authorization: `Bearer ${apiKey}` },
      })
    ).status;

  it('create → the new key authenticates; rotate → only the new one does; revoke → none', async () => {
    const created = await run(['create', '--org', 'bank-cli-test', '--name', '测试银行', '--role', 'bank']);
    expect(created.code).toBe(0);
    const first = created.out.at(-1)!;
    expect(first).toMatch(/^ll_/);
    expect(await status(first)).toBe(200);
    expect(await status(`${first}x`)).toBe(401);

    const org = (await (
      await fetch(`${ledger.url}/v1/organizations/bank-cli-test`, {
        headers: { authorization: `Bearer ${first}` },
      })
    ).json()) as { liveKeyIds: string[] };
    expect(org.liveKeyIds).toHaveLength(1);
    const keyId = org.liveKeyIds[0]!;
    const rotated = await run(['rotate', '--org', 'bank-cli-test', '--key', keyId!]);
    expect(rotated.code).toBe(0);
    const second = rotated.out.at(-1)!;
    expect(await status(second)).toBe(200);
    expect(await status(first)).toBe(401);

    const revoked = await run([
      'revoke',
      '--org',
      'bank-cli-test',
      '--key',
      keyId,
      '--reason',
      'rotated twice',
    ]);
    expect(revoked.code).toBe(1); // the rotation already revoked it
  });

  it('usage errors exit 2 and server refusals exit 1', async () => {
    expect((await run(['create'])).code).toBe(2);
    expect((await run(['revoke', '--org', 'bank-cli-test', '--key', 'k'])).code).toBe(2);
    expect((await run(['revoke', '--org', 'bank-cli-test', '--key', 'key_nope', '--reason', 'x'])).code).toBe(
      1,
    );
  });
});

/** RFC 9162 §2.1.1, written out independently of src/ledger: leaf 0x00‖d, node 0x01‖l‖r. */
function mth(leaves: Buffer[]): Buffer {
  const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return h(Buffer.from([0]), leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('loan-ledger export', () => {
  it('writes the checkpoint and every leaf; the leaves recompute the checkpoint’s root', async () => {
    const file = join(dir, 'log.ndjson');
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const size = await exportLog(httpClient(ledger.url, operator()), file, true).finally(() =>
      quiet.mockRestore(),
    );
    const rows = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const [head, ...leaves] = rows;
    expect(head).toMatchObject({ type: 'checkpoint', treeSize: size });
    expect(leaves).toHaveLength(size);
    expect(leaves.map((l) => l.index)).toEqual([...Array(size).keys()]);
    const root = String(head!.checkpoint).split('\n')[2];
    expect(mth(leaves.map((l) => Buffer.from(String(l.leaf), 'base64'))).toString('base64')).toBe(root);
  });
});

describe('loan-ledger rebuild', () => {
  it('rebuilds every view from the events the demo wrote (server stopped)', async () => {
    await ledger.close();
    vi.stubEnv('DATA_DIR', join(dir, 'data'));
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((x: unknown) => void out.push(String(x)));
    const progress: string[] = [];
    const err = vi
      .spyOn(process.stderr, 'write')
      .mockImplementation((x: string | Uint8Array) => (progress.push(String(x)), true));
    const usage = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await rebuildCommand.run([])).toBe(0);
      expect(await rebuildCommand.run(['bank'])).toBe(0);
      expect(await rebuildCommand.run(['no-such-view'])).toBe(2);
    } finally {
      log.mockRestore();
      err.mockRestore();
      usage.mockRestore();
      vi.unstubAllEnvs();
    }
    expect(out.join('\n')).toMatch(/stats\s+v\d+ at position [1-9]\d*/);
    // One view alone: only its status line; progress on stderr with the rate and the ETA.
    expect(out.at(-1)).toMatch(/^bank\s+v\d+ at position [1-9]\d*$/);
    const bars = progress
      .join('')
      .split('\n')
      .filter((l) => l.startsWith('rebuild '));
    expect(bars[0]).toMatch(/^rebuild [a-z,]+ \[#{30}\] (\d+)\/\1 \d+\/s ETA 0s$/);
    expect(bars.at(-1)).toMatch(/^rebuild bank \[#{30}\] (\d+)\/\1 \d+\/s ETA 0s$/);
  }, 30_000);

  it('through the real bin: re-runs itself with the rebuild V8 flags and passes the exit code on', async () => {
    const bin = fileURLToPath(new URL('../../bin/loan-ledger.js', import.meta.url));
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [bin, ...args],
          { timeout: 60_000, env: { ...process.env, DATA_DIR: join(dir, 'data') } },
          (e, stdout, stderr) =>
            resolve({ code: e ? ((e as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const ok = await run(['rebuild', 'risk']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^risk\s+v\d+ at position [1-9]\d*$/m);
    const bad = await run(['rebuild', 'no-such-view']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^unknown view: no-such-view/);
  }, 90_000);
});
