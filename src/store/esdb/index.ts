export { openEsdbEventStore, type EsdbEventStoreOptions } from './esdbEventStore.ts';
