export {
  openSqliteEventStore,
  type SqliteEventStore,
  type SqliteEventStoreOptions,
} from './sqliteEventStore.ts';
export { openSqliteDatabase, type SqliteDatabase } from './database.ts';
