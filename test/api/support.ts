import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type AppDeps, type LoanLedgerApp } from '../../src/api/app.ts';
import { issueApiKey, registerOrganization } from '../../src/api/auth/admin.ts';
import type { OrgRole } from '../../src/api/auth/organization.ts';
import type { AggregateRegistry } from '../../src/api/commands/registry.ts';
import { registryFromDomain } from '../../src/api/commands/fromDomain.ts';
import { aggregates } from '../../src/domain/index.ts';
import { completeUscc } from '../../src/domain/identifiers.ts';
import { openTestLogService } from './logService.ts';
import { SqlitePiiVault } from '../../src/vault/sqliteVault.ts';
import { FileDocumentStore } from '../../src/documents/documentStore.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';

/** The domain's aggregates, with a real PII vault in the store's database. */
/** The domain registry as the ledger wires it: a vault in the store's file, drafted contracts in `dir`. */
export const testAggregates = (store: SqliteEventStore, dir?: string): AggregateRegistry =>
  registryFromDomain(aggregates, {
    vault: new SqlitePiiVault(store.db),
    ...(dir ? { contracts: { documents: new FileDocumentStore(join(dir, 'documents')) } } : {}),
  });

/** A valid 统一社会信用代码 number n. */
export const uscc = (n: number): string => completeUscc(`91430100${String(n).padStart(8, '0')}`);

export interface TestServer {
  app: LoanLedgerApp;
  store: SqliteEventStore;
  dir: string;
  /** Registers an organization and returns a fresh API key for it. */
  org(orgId: string, role: OrgRole, name?: string): Promise<string>;
  close(): Promise<void>;
}

/** A real SQLite store in a temp dir and the app over it, with an operator key. */
export async function startTestServer(
  deps: Partial<AppDeps> = {},
  options: { log?: boolean } = {},
): Promise<TestServer & { operatorKey: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'll-api-'));
  const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  await registerOrganization(store, {
    orgId: 'platform-operator',
    name: '湖南省融资信用服务平台',
    role: 'operator',
  });
  const operator = await issueApiKey(store, 'platform-operator');
  const logService = options.log ? await openTestLogService(store) : undefined;
  const app = await buildApp({
    store,
    ...(logService ? { logService } : {}),
    aggregates: testAggregates(store, dir),
    secret: 'test-secret-test-secret-test-secret!',
    logger: false,
    defaultMetrics: false,
    ...deps,
  });
  return {
    app,
    store,
    dir,
    operatorKey: operator.apiKey,
    async org(orgId, role, name = orgId) {
      await registerOrganization(store, { orgId, name, role });
      const key = await issueApiKey(store, orgId);
      await app.ledger.follower.catchUp();
      return key.apiKey;
    },
    async close() {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A valid product for PublishProduct. */
export const productBody = (productId?: string) => ({
  ...(productId ? { productId } : {}),
  name: '潇湘信用贷',
  kind: 'pure_credit',
  pledgeType: null,
  amountMinFen: 10_000_00,
  amountMaxFen: 5_000_000_00,
  termMinMonths: 6,
  termMaxMonths: 36,
  rateMinBps: 300,
  rateMaxBps: 600,
  targetIndustries: [],
  targetRegions: ['43'],
  eligibility: { whiteListOnly: false, minGrade: null },
});
