import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allViews, createProjectionRunner, sqliteReadModelDb } from '../../projections/index.ts';
import { webhookEndpointRegistry } from '../../projections/webhookEndpoints.ts';
import { createWebhookDispatcher } from '../../projections/webhooks.ts';
import { moveReadModelsOutOfStoreFile } from '../../src/app/readModelFileMove.ts';
import { readModelFile } from '../../src/store/openEventStore.ts';
import { openSqliteDatabase, openSqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendAll } from '../projections/fixtures.ts';
import { scenario } from '../projections/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-rm-move-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tables = (file: string): string[] => {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  } finally {
    db.close();
  }
};

describe('moving the read models out of the store file (data directories of before 2026-11-28)', () => {
  it('carries the webhook endpoints and deliveries over, drops the old tables, and does it once', async () => {
    // The old layout: views, checkpoints and the dispatcher's tables in ledger.db.
    const store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
    await appendAll(store, scenario());
    const old = sqliteReadModelDb(store.db);
    await createProjectionRunner({ store, db: old, views: allViews }).catchUp();
    const registered = webhookEndpointRegistry(old).register('guarantor-1', 'https://example.org/hook');
    createWebhookDispatcher({ db: old, endpointOf: () => undefined });
    old.run(
      `INSERT INTO webhook_deliveries (delivery_id, org, url, status, attempts, updated_at)
       VALUES ('w1:e1:guarantor-1', 'guarantor-1', 'https://example.org/hook', 'delivered', 1, '2026-11-27')`,
    );
    expect(tables(join(dir, 'ledger.db'))).toEqual(
      expect.arrayContaining(['rm_checkpoints', 'webhook_endpoints']),
    );

    // The new layout, as startLedger prepares it before the move.
    const fresh = sqliteReadModelDb(openSqliteDatabase(readModelFile(dir)));
    const registry = webhookEndpointRegistry(fresh);
    createWebhookDispatcher({ db: fresh, endpointOf: registry.endpointOf });

    const viewTables = allViews.flatMap((v) => v.tables);
    const first = moveReadModelsOutOfStoreFile(store.db, readModelFile(dir), viewTables);
    expect(first.moved).toEqual({ webhook_endpoints: 1, webhook_deliveries: 1 });
    // The endpoint works from the new file, with the secret it was registered with.
    expect(registry.endpointOf('guarantor-1')).toEqual({
      url: 'https://example.org/hook',
      secret: registered.secret,
    });
    expect(fresh.all('SELECT delivery_id, status FROM webhook_deliveries')).toEqual([
      { delivery_id: 'w1:e1:guarantor-1', status: 'delivered' },
    ]);
    // Nothing of the read models is left in the store's file; the events are untouched.
    const left = tables(join(dir, 'ledger.db'));
    expect(left.filter((t) => t.startsWith('rm_') || t.startsWith('webhook_'))).toEqual([]);
    expect(left).toContain('events');
    expect((await store.readAll({ max: 10_000 })).events).toHaveLength(scenario().length);

    // A second start finds nothing to move.
    expect(moveReadModelsOutOfStoreFile(store.db, readModelFile(dir), viewTables).moved).toEqual({});
    expect(fresh.all('SELECT org FROM webhook_endpoints')).toEqual([{ org: 'guarantor-1' }]);
    await store.close();
  });
});
