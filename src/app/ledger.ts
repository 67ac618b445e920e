import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { DestinationStream } from 'pino';
import {
  allViews,
  createProjectionRunner,
  postgresReadModelDb,
  sqliteReadModelDb,
} from '../../projections/index.ts';
import { createProjectionThread } from '../../projections/runnerThread.ts';
import { buildApp, type LoanLedgerApp } from '../api/app.ts';
import { certificateRoutes } from '../api/routes/certificates.ts';
import { anchorNowRoute } from '../api/routes/anchorNow.ts';
import { contractRoutes } from '../api/routes/contract.ts';
import { FileDocumentStore } from '../documents/documentStore.ts';
import { evidenceRoutes } from '../api/routes/evidence.ts';
import { projectionRoutes } from '../api/routes/projections.ts';
import { webhookRoutes } from '../api/routes/webhooks.ts';
import { webhookEndpointRegistry } from '../../projections/webhookEndpoints.ts';
import { createWebhookDispatcher } from '../../projections/webhooks.ts';
import { ledgerBundleSources } from '../evidence/bundle/sources.ts';
import { registryFromDomain } from '../api/commands/fromDomain.ts';
import { aggregates } from '../domain/index.ts';
import { openEventStore, readModelFile, sqliteFile } from '../store/openEventStore.ts';
import { coalescedWakes } from '../store/coalescedWakes.ts';
import type { EventStore } from '../store/eventStore.ts';
import { openSqliteDatabase, type SqliteDatabase } from '../store/sqlite/index.ts';
import type { SqliteEventStore } from '../store/sqlite/sqliteEventStore.ts';
import { SqlitePiiVault } from '../vault/sqliteVault.ts';
import type { Config } from './config.ts';
import { ensureDemoOrganizations, type DemoKeys } from './demoOrganizations.ts';
import { anchoringGauges } from './anchoringMetrics.ts';
import { checkAnchoredHistory, refusingWritesWhen } from './anchoredHistory.ts';
import { followErasures } from './erasure.ts';
import { checkSqliteFile, openingSqlite } from './sqliteFiles.ts';
import { moveReadModelsOutOfStoreFile } from './readModelFileMove.ts';
import { startVerifiableLog, type VerifiableLog } from './verifiableLog.ts';

/**
 * The composition root: opens the configured store and the services around it, builds the HTTP API,
 * and closes everything in the reverse order. Nothing else in the code base wires adapters together.
 */
export interface Ledger {
  app: LoanLedgerApp;
  store: EventStore;
  verifiableLog: VerifiableLog;
  dataDir: string;
  /** Keys created on this start (first start with DEMO=on), else undefined. */
  demoKeys: DemoKeys | undefined;
  url: string;
  close(): Promise<void>;
}

/** A stable server secret (idempotency digests): a retry after a restart must still be recognized. */
function serverSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'server-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 });
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
}

/**
 * SQLite tables beside the events (Merkle tree, anchors; read models too, except on the embedded store,
 * whose projection thread has readmodels.db): in the store's own file when the store is the embedded one,
 * so one fsync covers them; in `<data dir>/ledger-local.db` otherwise.
 */
function localDatabase(store: EventStore, dataDir: string): { db: SqliteDatabase; owned: boolean } {
  if (store.kind === 'sqlite') return { db: (store as SqliteEventStore).db, owned: false };
  return { db: openSqliteDatabase(join(dataDir, 'ledger-local.db')), owned: true };
}

/** An error message fit for the public /readyz: URLs out (an RPC URL can carry a provider's API key), short. */
const shortError = (message: string): string =>
  message.replace(/\b[a-z][\w+.-]*:\/\/\S+/gi, '<url>').slice(0, 200);

export async function startLedger(
  config: Config,
  options: { logDestination?: DestinationStream; listen?: boolean } = {},
): Promise<Ledger> {
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    const embedded = !config.DATABASE_URL && !config.ESDB_URL;
    const openStore = () =>
      openEventStore({ dataDir, databaseUrl: config.DATABASE_URL, esdbUrl: config.ESDB_URL });
    // SQLite files that cannot be opened or are damaged stop the start, named (LL_STORE_UNAVAILABLE).
    const store = embedded ? await openingSqlite(sqliteFile(dataDir), openStore) : await openStore();
    closers.push(() => store.close());
    const local = embedded
      ? localDatabase(store, dataDir)
      : await openingSqlite(join(dataDir, 'ledger-local.db'), () => localDatabase(store, dataDir));
    if (local.owned) closers.push(() => void local.db.close());
    checkSqliteFile(local.db, local.owned ? join(dataDir, 'ledger-local.db') : sqliteFile(dataDir));

    // The vault has its own file so erasure can be checked on (and limited to) it; secure_delete
    // overwrites freed pages so a shredded key does not linger in the file.
    const vaultFile = join(dataDir, 'vault.db');
    const vaultDb = await openingSqlite(vaultFile, () => openSqliteDatabase(vaultFile));
    closers.push(() => void vaultDb.close());
    vaultDb.pragma('secure_delete = ON');
    checkSqliteFile(vaultDb, vaultFile);
    const vault = new SqlitePiiVault(vaultDb);
    const stopErasures = await followErasures(store, vault, (e) =>
      process.emitWarning(`erasure: ${e instanceof Error ? e.message : String(e)}`),
    );
    closers.push(stopErasures);

    const demoKeys = config.DEMO === 'on' ? await ensureDemoOrganizations(store, dataDir) : undefined;

    // The Merkle log and the projections are woken at most once per 20 ms and take what committed
    // meanwhile as one page: each wake is a transaction (an fsync) of theirs, and under load the store
    // commits far more often. Projections read those pages from the store's memory (coalescedWakes.ts).
    const followed = coalescedWakes(store, 20);
    const verifiableLog = await startVerifiableLog(followed, local.db, config, dataDir, (e) =>
      process.emitWarning(`verifiable log: ${e instanceof Error ? e.message : String(e)}`),
    );
    closers.push(() => verifiableLog.stop());
    const { anchorer } = verifiableLog.anchoring;
    // History below the chain's latest anchor must be the history we have: refuse to start otherwise.
    await checkAnchoredHistory(anchorer, (m) => process.emitWarning(`anchoring: ${m}`));

    // Read models: on the embedded store in <data dir>/readmodels.db, written by the projection thread
    // (projections/runnerThread.ts) and read here on a connection of our own; with DATABASE_URL in that
    // PostgreSQL database; else beside the Merkle tree in ledger-local.db. Each batch and its checkpoints
    // commit in one transaction there.
    const postgresReadModels = config.DATABASE_URL ? postgresReadModelDb(config.DATABASE_URL) : undefined;
    if (postgresReadModels) closers.push(() => postgresReadModels.close());
    const readModelPath = embedded ? readModelFile(dataDir) : undefined;
    const readModelDb = readModelPath
      ? await openingSqlite(readModelPath, () => openSqliteDatabase(readModelPath))
      : undefined;
    if (readModelDb) {
      closers.push(() => void readModelDb.close());
      checkSqliteFile(readModelDb, readModelPath!);
    }
    const readModels = postgresReadModels ?? sqliteReadModelDb(readModelDb ?? local.db);
    const onViewError = (view: string, e: unknown) =>
      process.emitWarning(`projection ${view} stopped: ${e instanceof Error ? e.message : String(e)}`);
    const projections = readModelPath
      ? createProjectionThread({
          storeFile: (store as SqliteEventStore).file,
          readModelFile: readModelPath,
          commits: coalescedWakes(store, 20),
          onViewError,
        })
      : createProjectionRunner({
          store: coalescedWakes(store, 20, { recentReads: true }),
          db: readModels,
          views: allViews,
          // A PostgreSQL batch blocks this thread for its round trips (postgresReadModelDb.ts): keep it short.
          ...(postgresReadModels ? { batchSize: 250 } : {}),
          onViewError,
        });
    await projections.start();
    closers.push(() => projections.stop());
    // Risk notices pushed to the endpoints institutions register (POST /v1/organizations/:orgId/webhooks).
    const webhookEndpoints = webhookEndpointRegistry(readModels);
    const webhooks = createWebhookDispatcher({ db: readModels, endpointOf: webhookEndpoints.endpointOf });
    if (readModelPath) {
      // Read models kept in ledger.db by an earlier version: carry the webhook tables over, drop the rest.
      const { moved } = moveReadModelsOutOfStoreFile(
        local.db,
        readModelPath,
        allViews.flatMap((v) => v.tables),
      );
      if (Object.keys(moved).length > 0)
        process.emitWarning(
          `read models moved to ${readModelPath}: ${Object.entries(moved)
            .map(([t, n]) => `${n} rows of ${t}`)
            .join(', ')} carried over; the views were rebuilt from the events`,
        );
    }
    webhooks.start();
    closers.push(() => webhooks.stop());
    const bundleSources = ledgerBundleSources({
      logService: verifiableLog.logService,
      anchors: () => anchorer.currentRecords(),
    });

    // Server-drafted contract PDFs, content-addressed by SHA-256 (src/documents/documentStore.ts).
    const documents = new FileDocumentStore(join(dataDir, 'documents'));

    const app = await buildApp({
      // A mismatch found later (the chain was down at start-up) refuses writes from then on.
      store: refusingWritesWhen(store, () => anchorer.historyMismatch()),
      aggregates: registryFromDomain(aggregates, { vault, contracts: { documents } }),
      secret: serverSecret(dataDir),
      logService: verifiableLog.api,
      anchorStatusFor: (position) => anchorer.statusOfIndex(position),
      readiness: {
        logFollower: async () => {
          await verifiableLog.log.catchUp();
        },
        // A chain outage does not make the ledger unready: appends go on and anchors catch up later
        // (a load balancer draining us would stop the appends too). The lag is reported; only a
        // history mismatch with the chain fails the check.
        chain: async () => {
          const s = await anchorer.status();
          if (s.historyMismatch)
            throw Object.assign(new Error(s.historyMismatch), { code: 'LL_LOG_INTEGRITY' });
          return {
            chainReachable: s.chainReachable,
            consecutiveFailures: s.consecutiveFailures,
            checkpointSize: s.checkpointSize,
            anchoredSize: s.anchoredSize,
            finalSize: s.finalSize,
            lagEvents: s.lagEvents,
            lagSeconds: Math.round(s.lagSeconds),
            pendingCount: s.pendingCount,
            lastError: s.lastError === null ? null : shortError(s.lastError),
          };
        },
        // A stopped (failed) view does not make the ledger unready either: commands still work and the
        // other views go on; only reads of that view are stale until it is rebuilt or the process
        // restarts. So, as with the chain, the check reports it and a load balancer keeps us. It fails
        // only when the lag cannot be read (the store does not answer).
        projections: async () => {
          const lagEvents = await projections.lag();
          const failed = projections.status().filter((v) => v.error !== undefined);
          return {
            lagEvents,
            failedViews: failed.length,
            // `name: error; …` (a readiness figure is a scalar, not a list); null when none failed.
            views:
              failed.length === 0 ? null : failed.map((v) => `${v.name}: ${shortError(v.error!)}`).join('; '),
          };
        },
      },
      configure: (app) => {
        anchoringGauges((app as unknown as LoanLedgerApp).ledger.metrics.registry, anchorer);
        projectionRoutes(app, {
          db: readModels,
          runner: projections,
          anchorStatus: (index) => anchorer.statusOfIndex(index),
          readStream: (stream: string) => store.readStream(stream),
          minEnterprises: config.STATS_MIN_ENTERPRISES,
          webhooks,
        });
        webhookRoutes(app, { registry: webhookEndpoints });
        evidenceRoutes(app, (app as unknown as LoanLedgerApp).ledger, bundleSources);
        anchorNowRoute(app, anchorer);
        contractRoutes(app, (app as unknown as LoanLedgerApp).ledger, { documents });
        certificateRoutes(app, (app as unknown as LoanLedgerApp).ledger, {
          sources: bundleSources,
          blockTime: async (n) => (await verifiableLog.anchoring.client.block(n))?.timestamp,
        });
      },
      gauges: {
        projectionLag: () => projections.lag(),
        logSize: () => verifiableLog.log.size,
        anchorLag: async () => (await anchorer.status()).lagEvents,
      },
      idempotencyEntries: config.IDEMPOTENCY_INDEX_ENTRIES,
      ...(config.RATE_LIMIT_PER_SECOND > 0
        ? { rateLimit: { perSecond: config.RATE_LIMIT_PER_SECOND, burst: config.RATE_LIMIT_BURST } }
        : {}),
      logger: {
        level: config.LOG_LEVEL,
        ...(options.logDestination ? { destination: options.logDestination } : {}),
      },
    });
    closers.push(() => app.close());

    let url = '';
    if (options.listen ?? true) url = await app.listen({ port: config.PORT, host: config.HOST });
    return { app, store, verifiableLog, dataDir, demoKeys, url, close: closeAll };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
