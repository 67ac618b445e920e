import { join } from 'node:path';
import type { EventStore } from './eventStore.ts';
import { openSqliteEventStore } from './sqlite/index.ts';

export interface EventStoreConfig {
  /** PostgreSQL connection string (postgres://…): use the PostgreSQL adapter. */
  databaseUrl?: string;
  /** EventStoreDB/KurrentDB connection string (esdb://… or kurrentdb://…): use the ESDB adapter. */
  esdbUrl?: string;
  /** Where the embedded SQLite store keeps `ledger.db` when neither URL is given. */
  dataDir: string;
}

/** The store the configuration asks for: ESDB if esdbUrl, else PostgreSQL if databaseUrl, else SQLite in dataDir. */
export async function openEventStore(config: EventStoreConfig): Promise<EventStore> {
  if (config.esdbUrl && config.databaseUrl) {
    throw new Error('configure one event store: esdbUrl or databaseUrl, not both');
  }
  // The other adapters load only when configured: the EventStoreDB client alone adds ~0.25 s to a start.
  if (config.esdbUrl) {
    const { openEsdbEventStore } = await import('./esdb/index.ts');
    return openEsdbEventStore({ connectionString: config.esdbUrl });
  }
  if (config.databaseUrl) {
    const { openPostgresEventStore } = await import('./postgres/index.ts');
    return openPostgresEventStore({ connectionString: config.databaseUrl });
  }
  return openSqliteEventStore({ file: sqliteFile(config.dataDir) });
}

export const sqliteFile = (dataDir: string): string => join(dataDir, 'ledger.db');

/**
 * The embedded store's read models: a file of their own beside the events, written by the projection
 * thread (projections/runnerThread.ts), which cannot share the events file's write lock with the
 * request thread without blocking it.
 */
export const readModelFile = (dataDir: string): string => join(dataDir, 'readmodels.db');
