import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIdForOrigin } from '../../../src/anchor/config.ts';
import { buildBundle } from '../../../src/evidence/bundle/build.ts';
import { ledgerBundleSources } from '../../../src/evidence/bundle/sources.ts';
import { loanEvents } from '../../../src/evidence/bundle/subjects.ts';
import { verifyBundleOffline } from '../../../src/evidence/bundle/verify.ts';
import { createLogService } from '../../../src/ledger/logService.ts';
import { MerkleLog } from '../../../src/ledger/merkleLog.ts';
import { ed25519NoteSigner, randomSecretKey } from '../../../src/ledger/signedNote.ts';
import { openSqliteTreeStore } from '../../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../../src/store/sqlite/index.ts';
import { makeEvent } from './fixture.ts';

/** ledgerBundleSources over the ledger's real MerkleLog, SQLite tree store and checkpoint signer. */
const ORIGIN = 'sources.test/loan-ledger/leaf/v1';
let store: SqliteEventStore;

beforeAll(() => {
  store = openSqliteEventStore({ file: ':memory:' });
});
afterAll(async () => store?.close());

describe('ledgerBundleSources', () => {
  it('cuts a verifying bundle out of the running log, using its stored signed checkpoints', async () => {
    await store.appendToStream('loan-S1', [
      makeEvent('LoanApplied', { loanId: 'S1' }),
      makeEvent('LoanApproved', { loanId: 'S1' }),
    ]);
    await store.appendToStream('loan-S2', [makeEvent('LoanApplied', { loanId: 'S2' })]);
    await store.appendToStream('guarantee-S1', [makeEvent('GuaranteeIssued', { loanId: 'S1' })]);
    const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db) });
    const signer = ed25519NoteSigner(ORIGIN, randomSecretKey());
    const service = createLogService({ log, signer, origin: ORIGIN });
    await service.latestCheckpoint(); // signed and stored at size 4: what the anchorer anchors
    const anchored = log.size;
    await store.appendToStream('loan-S2', [makeEvent('LoanApproved', { loanId: 'S2' })], {
      expectedRevision: 0,
    });
    const sources = ledgerBundleSources({
      logService: service,
      anchors: () => [
        {
          treeSize: anchored,
          root: `0x${Buffer.from(log.root(anchored)).toString('hex')}`,
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
    const bundle = await buildBundle({ kind: 'loan', id: 'S1' }, await loanEvents(store, 'S1'), sources);
    expect(bundle.events.map((e) => e.index)).toEqual([0, 1, 3]);
    const r = verifyBundleOffline(bundle, { trustedKeys: [signer.verifierKey], expectedOrigin: ORIGIN });
    expect(r.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(r.checks.find((c) => c.check === 'consistency')?.detail).toContain(
      `size 5 extends the anchored tree of size ${anchored}`,
    );
  });
});
