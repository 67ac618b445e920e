import { bankPortfolioView } from './views/bankPortfolio.ts';
import { caseFileView } from './views/caseFile.ts';
import { guaranteeLedgerView } from './views/guaranteeLedger.ts';
import { regulatorStatsView } from './views/regulatorStats.ts';
import { riskMonitoringView } from './views/riskMonitoring.ts';
import { whiteListMatchingView } from './views/whiteListMatching.ts';
import type { View } from './view.ts';

/** Every read model, in the order the runner applies them within a batch. */
export const allViews: readonly View[] = [
  regulatorStatsView,
  guaranteeLedgerView,
  bankPortfolioView,
  caseFileView,
  whiteListMatchingView,
  riskMonitoringView,
];

export {
  createProjectionRunner,
  type ProjectionRunner,
  type RebuildProgress,
  type ViewStatus,
} from './runner.ts';
export { sqliteReadModelDb, type ReadModelDb } from './readModelDb.ts';
export { postgresReadModelDb, type PostgresReadModelDb } from './postgresReadModelDb.ts';
export type { View } from './view.ts';
