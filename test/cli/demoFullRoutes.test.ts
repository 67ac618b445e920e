import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/app/config.ts';
import { startLedger, type Ledger } from '../../src/app/ledger.ts';
import { runDemo } from '../../src/cli/demo/runDemo.ts';

/**
 * The demo's later phases (notarization, compensation, reimbursements, arbitration, recovery) against
 * a route table whose command names are the domain's. Today commandRoutes.ts names some commands
 * differently from src/domain (Compensate vs CompensateBank, …), so those routes are not mounted; this
 * renames them here only, to check the demo's bodies and the access rules of those steps end to end.
 */
const DOMAIN_NAME: Record<string, string> = vi.hoisted(() => ({
  Compensate: 'CompensateBank',
  ReimburseShare: 'RecordReimbursement',
  FormTribunal: 'AssignTribunal',
  RenderAward: 'IssueAward',
  RecordIdentityCheck: 'VerifyIdentity',
  VerifyWithDebtor: 'RecordDebtorVerification',
}));
vi.mock('../../src/api/commands/commandRoutes.ts', async (original) => {
  const m = await original<typeof import('../../src/api/commands/commandRoutes.ts')>();
  return {
    ...m,
    commandRoutes: m.commandRoutes.map((r) => ({
      ...r,
      command:
        r.aggregate === 'guarantee' && r.command === 'RecordRecovery'
          ? 'ShareRecovery'
          : (DOMAIN_NAME[r.command] ?? r.command),
    })),
  };
});

/**
 * Second workaround, for a reported API bug: `guarantee.reimburse` is checked against `loan-<id>`, but
 * the party index learns the sharers from RiskSharingAgreed on `guarantee-<id>` (that event names no
 * loanId), so every reimbursement is 403 today. Until that is fixed, any fund or re-guarantor may post
 * here; the domain still refuses an organization that owes nothing (guarantee.reimburse.not_due).
 */
vi.mock('../../src/api/auth/policy.ts', async (original) => {
  const m = await original<typeof import('../../src/api/auth/policy.ts')>();
  (m.accessTable as Record<string, unknown>)['guarantee.reimburse'] = {
    reguarantor: 'any',
    government_fund: 'any',
  };
  return m;
});

let dir: string;
let ledger: Ledger | undefined;
afterAll(async () => {
  await ledger?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('with every route mounted, the whole scenario runs; 4321 conserves every fen', async () => {
  dir = mkdtempSync(join(tmpdir(), 'll-cli-full-'));
  ledger = await startLedger(
    loadConfig({ DATA_DIR: join(dir, 'data'), PORT: '0', ANCHOR_EVERY_SECONDS: '1', LOG_LEVEL: 'silent' }),
  );
  const keys = new Map(
    Object.entries(ledger.demoKeys!).map(([name, k]) => [k.orgId, { role: k.role, apiKey: k.apiKey, name }]),
  );
  const lines: string[] = [];
  const r = await runDemo({
    url: ledger.url,
    keys,
    outDir: join(dir, 'out'),
    waitFinalMs: 0,
    log: (l) => lines.push(l),
  });
  if (r.failure) throw new Error(`${r.failure.message}\n${lines.join('\n')}`);
  const notDone = r.skipped.filter((s) => s.phase !== 'anchoring');
  expect(notDone, lines.join('\n')).toEqual([]);
  const s = r.summary!;
  expect(s.lossFen).toBeGreaterThan(0);
  expect(s.shares.reduce((n, p) => n + p.lossShareFen, 0)).toBe(s.lossFen);
  const guarantor = s.shares.find((p) => p.kind === 'guarantor')!;
  expect(s.reimbursedFen + guarantor.lossShareFen).toBe(s.compensatedFen);
  expect(s.recoveredFen).toBeGreaterThan(0);
  expect(s.shares.reduce((n, p) => n + p.recoveredFen, 0)).toBe(s.recoveredFen);
}, 90_000);
