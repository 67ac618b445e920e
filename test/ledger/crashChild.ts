/**
 * Child process for the restart test: appends events forever, lets the Merkle log follow, and publishes
 * a signed checkpoint every few appends (printed as "CP <size> <base64 root>"), until SIGKILLed.
 */
import { createLogService } from '../../src/ledger/logService.ts';
import { loadOrCreateLogSigner } from '../../src/ledger/logKey.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { openCheckpoint, defaultOrigin } from '../../src/ledger/checkpoint.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import { openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { loanEvent } from './fixtures.ts';

const [file, keyFile] = process.argv.slice(2) as [string, string];
const store = openSqliteEventStore({ file });
const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db), batchSize: 50 });
log.follow();
const service = createLogService({
  log,
  signer: loadOrCreateLogSigner(keyFile, 'crash.test/log'),
  origin: defaultOrigin('crash.test'),
});
let n = (await store.headPosition()) + 1000;
for (let round = 0; ; round++) {
  // several concurrent appends: one group commit, one or more log batches
  await Promise.all(
    Array.from({ length: 5 }, (_, k) =>
      store.appendToStream(`loan-${(n + k) % 17}`, [loanEvent(n + k), loanEvent(n + k + 0.5)]),
    ),
  );
  n += 5;
  if (round % 3 === 0) {
    const note = await service.latestCheckpoint();
    const { checkpoint } = openCheckpoint(note, service.verifierKey());
    process.stdout.write(`CP ${checkpoint.size} ${Buffer.from(checkpoint.root).toString('base64')}\n`);
  }
}
