export {
  openPostgresEventStore,
  APPEND_LOCK_KEY,
  toStoreError,
  type PostgresEventStoreOptions,
} from './postgresEventStore.ts';
