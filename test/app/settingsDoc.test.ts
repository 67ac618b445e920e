import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPERATIONS_DOC, withSettingsTable } from '../../scripts/gen-settings-doc.ts';
import { loadConfig } from '../../src/app/config.ts';

describe('settings', () => {
  it('docs/operations.md shows the settings table the code parses (npm run docs:settings)', () => {
    const doc = readFileSync(OPERATIONS_DOC, 'utf8');
    expect(doc).toBe(withSettingsTable(doc));
  });

  it('defaults to the embedded store on port 8080 under ./data', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(8080);
    expect(c.DATA_DIR).toBe('./data');
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('STATS_MIN_ENTERPRISES: the small-cell threshold, 3 unless set, an integer of at least 1', () => {
    expect(loadConfig({}).STATS_MIN_ENTERPRISES).toBe(3);
    expect(loadConfig({ STATS_MIN_ENTERPRISES: '' }).STATS_MIN_ENTERPRISES).toBe(3);
    expect(loadConfig({ STATS_MIN_ENTERPRISES: '5' }).STATS_MIN_ENTERPRISES).toBe(5);
    expect(loadConfig({ STATS_MIN_ENTERPRISES: '1' }).STATS_MIN_ENTERPRISES).toBe(1);
    for (const bad of ['0', 'x', '-2', '2.5'])
      expect(() => loadConfig({ STATS_MIN_ENTERPRISES: bad }), bad).toThrow(/STATS_MIN_ENTERPRISES/);
  });

  it('refuses a bad setting, naming it', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ANCHOR_RPC_URL: 'http://127.0.0.1:8545' })).toThrow(/ANCHOR_PRIVATE_KEY/);
  });
});
