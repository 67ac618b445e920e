import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';

describe('test environment', () => {
  it('has a real PostgreSQL server', async () => {
    const client = new pg.Client({ connectionString: inject('postgresUrl') });
    await client.connect();
    const { rows } = await client.query<{ v: string }>('select current_setting($$server_version$$) as v');
    await client.end();
    expect(rows[0]?.v).toMatch(/^\d+/);
  });
});
