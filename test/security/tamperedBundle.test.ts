import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { logIdForOrigin } from '../../src/anchor/config.ts';
import { buildBundle } from '../../src/evidence/bundle/build.ts';
import { ledgerBundleSources } from '../../src/evidence/bundle/sources.ts';
import { loanEvents } from '../../src/evidence/bundle/subjects.ts';
import { verifyBundleOffline } from '../../src/evidence/bundle/verify.ts';
import { createLogService } from '../../src/ledger/logService.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { ed25519NoteSigner, randomSecretKey } from '../../src/ledger/signedNote.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { makeEvent } from '../evidence/bundle/fixture.ts';

/**
 * The insider edits an event row while the ledger runs (so no start-up check has seen it yet). A bundle
 * cut from the store after the edit carries the edited event: any verifier rejects it, naming the check.
 */
const ORIGIN = 'security.test/loan-ledger/leaf/v1';
const dir = mkdtempSync(join(tmpdir(), 'll-sec-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('an event edited behind the running ledger', () => {
  it('the ledger refuses to cut a bundle over it; one cut anyway fails any verifier at the inclusion proof', async () => {
    const file = join(dir, 'ledger.db');
    const store = openSqliteEventStore({ file });
    try {
      await store.appendToStream('loan-T1', [
        makeEvent('LoanApplied', { loanId: 'T1', amountFen: 50_000_000 }),
        makeEvent('LoanApproved', { loanId: 'T1', amountFen: 50_000_000 }),
      ]);
      await store.appendToStream('loan-T2', [makeEvent('LoanApplied', { loanId: 'T2', amountFen: 1_000 })]);
      const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db) });
      const signer = ed25519NoteSigner(ORIGIN, randomSecretKey());
      const service = createLogService({ log, signer, origin: ORIGIN });
      await service.latestCheckpoint();
      const size = log.size;
      const sources = ledgerBundleSources({
        logService: service,
        anchors: () => [
          {
            treeSize: size,
            root: `0x${Buffer.from(log.root(size)).toString('hex')}`,
            chainId: 31337,
            contract: `0x${'12'.repeat(20)}`,
            logId: logIdForOrigin(ORIGIN),
            txHash: `0x${'34'.repeat(32)}`,
            blockNumber: 3,
            blockHash: `0x${'56'.repeat(32)}`,
            status: 'final',
          },
        ],
      });
      const options = { trustedKeys: [signer.verifierKey], expectedOrigin: ORIGIN };
      const make = async (selfCheck: boolean) =>
        buildBundle({ kind: 'loan', id: 'T1' }, await loanEvents(store, 'T1'), sources, { selfCheck });
      const honest = await make(true);
      expect(verifyBundleOffline(honest, options).checks.filter((c) => c.status !== 'pass')).toEqual([]);

      // the insider, through another connection to the same file, raises the approved amount 100×
      const raw = new Database(file);
      const body = raw.prepare('SELECT body FROM events WHERE position = 1').pluck().get() as string;
      expect(body).toContain('"amountFen":50000000');
      raw
        .prepare('UPDATE events SET body = ? WHERE position = 1')
        .run(body.replace('50000000', '5000000000'));
      raw.close();

      // the ledger refuses to cut a bundle over the edited event (its builder verifies what it emits)
      await expect(make(true)).rejects.toMatchObject({
        code: 'LL_LOG_INTEGRITY',
        details: { failed: expect.arrayContaining([expect.stringMatching(/^events\.inclusion/)]) },
      });
      // and a bundle cut without that self-check — what an insider would hand a court — fails any verifier
      const forged = await make(false);
      expect(Buffer.from(forged.events[1]!.canonical, 'base64').toString('utf8')).toContain('5000000000');
      const failed = verifyBundleOffline(forged, options).checks.filter((c) => c.status === 'fail');
      expect(failed.map((c) => c.check)).toContain('events.inclusion');
      // and the log's own check names the leaf without a restart
      await expect(log.verifyAgainstStore()).rejects.toMatchObject({
        code: 'LL_LOG_INTEGRITY',
        details: { leafIndex: 1, stream: 'loan-T1' },
      });
    } finally {
      await store.close();
    }
  });
});
