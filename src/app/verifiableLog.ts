import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { chainConfigFromEnv, logIdForOrigin } from '../anchor/config.ts';
import { SqliteAnchorRepository } from '../anchor/anchorRepository.ts';
import { toPublicAnchor } from '../anchor/anchorer.ts';
import { startAnchoring, type Anchoring } from '../anchor/startAnchoring.ts';
import type { LogService as ApiLogService } from '../api/routes/log.ts';
import { loadOrCreateLogSigner } from '../ledger/logKey.ts';
import { createLogService, type LogService } from '../ledger/logService.ts';
import { MerkleLog } from '../ledger/merkleLog.ts';
import { openSqliteTreeStore } from '../ledger/sqlite/sqliteTreeStore.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { Config } from './config.ts';

/**
 * The verifiable log as the ledger runs it: the Merkle log following the store, the checkpoint
 * signer, and the anchorer putting signed checkpoints on chain. The tree, the last signed checkpoint
 * and the anchor records live in `db` (the embedded store's own file by default).
 */
export interface VerifiableLog {
  log: MerkleLog;
  logService: LogService;
  anchoring: Anchoring;
  /** The shape the HTTP API's log routes read. */
  api: ApiLogService;
  stop(): Promise<void>;
}

export async function startVerifiableLog(
  store: EventStore,
  db: Database,
  config: Config,
  dataDir: string,
  onError: (e: unknown) => void,
): Promise<VerifiableLog> {
  const tree = openSqliteTreeStore(db);
  // Refuses to start (LL_LOG_INTEGRITY, naming the leaf) when the stored tree and the store disagree.
  const log = await MerkleLog.open({ store, tree });
  const unfollow = log.follow(onError);
  const signer = loadOrCreateLogSigner(join(dataDir, 'log-signing-key'), config.LOG_ORIGIN);
  const logService = createLogService({ log, signer, origin: config.LOG_ORIGIN });

  let lastSignedAt = 0;
  const anchoring = await startAnchoring({
    chain: chainConfigFromEnv({ ...config, DATA_DIR: dataDir }),
    repo: new SqliteAnchorRepository(db),
    config: {
      logId: logIdForOrigin(config.LOG_ORIGIN),
      everyEvents: config.ANCHOR_EVERY_EVENTS,
      everySeconds: config.ANCHOR_EVERY_SECONDS,
      finality: { confirmations: config.ANCHOR_CONFIRMATIONS },
    },
    source: {
      // Anchors exactly what the signer signed: the anchored root is always a signed checkpoint's.
      latest: async () => {
        await logService.latestCheckpoint();
        const last = logService.checkpoints.latest();
        return last && { treeSize: last.size, rootHash: last.root };
      },
      // Passes run up to ten times a second under load; one in ten or fewer also signs. A signed
      // checkpoint at most a second old is always there for readers and for a write outage (a full disk
      // serves the last one), for one Ed25519 signature a second instead of one per pass.
      currentSize: async () => {
        if (Date.now() - lastSignedAt >= 1000) {
          lastSignedAt = Date.now();
          await logService.latestCheckpoint();
        }
        await log.catchUp();
        return log.size;
      },
      // For the comparison with the chain's latest anchor; another process may have anchored leaves
      // this one has not taken yet, hence the catch-up before calling the log short.
      rootAt: async (size) => {
        if (size > log.size) await log.catchUp();
        return size <= log.size ? log.root(size) : undefined;
      },
    },
    onError,
  });
  const notify = store.onAppended(() => anchoring.anchorer.notify());

  const api: ApiLogService = {
    treeSize: () => log.catchUp(),
    checkpoint: () => logService.latestCheckpoint(),
    verifierKey: () => logService.verifierKey(),
    inclusionProof: (index, treeSize) => log.inclusionProof(index, treeSize),
    consistencyProof: (first, second) => log.consistencyProof(first, second),
    leafHashes: (start, end) => log.leafHashes(start, end),
    entries: (start, end) => log.entries(start, end),
    anchors: async (page) => (await anchoring.anchorer.records(page)).map(toPublicAnchor),
  };

  return {
    log,
    logService,
    anchoring,
    api,
    async stop() {
      notify();
      unfollow();
      await anchoring.stop();
      log.close();
    },
  };
}
