import type { LogService } from '../../src/api/routes/log.ts';
import { checkpointText, defaultOrigin } from '../../src/ledger/checkpoint.ts';
import { MerkleLog } from '../../src/ledger/merkleLog.ts';
import { openSqliteTreeStore } from '../../src/ledger/sqlite/sqliteTreeStore.ts';
import type { SqliteEventStore } from '../../src/store/sqlite/index.ts';

/**
 * The API's LogService over the ledger's real MerkleLog (SQLite tree in the store's file). The
 * checkpoint is the unsigned C2SP body: signing is the ledger's logService's job, wired by src/app/.
 */
export async function openTestLogService(store: SqliteEventStore): Promise<LogService & { log: MerkleLog }> {
  const log = await MerkleLog.open({ store, tree: openSqliteTreeStore(store.db) });
  const size = async () => {
    await log.catchUp();
    return log.size;
  };
  return {
    log,
    treeSize: size,
    checkpoint: async () =>
      checkpointText({ origin: defaultOrigin(), size: await size(), root: log.root(), extensions: [] }),
    verifierKey: () => 'loan-ledger.local+00000000+test',
    inclusionProof: (index, treeSize) => log.inclusionProof(index, treeSize),
    consistencyProof: (first, second) => log.consistencyProof(first, second),
    leafHashes: (start, end) => log.leafHashes(start, end),
    entries: (start, end) => log.entries(start, end),
    anchors: () => [],
  };
}
