import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allViews,
  createProjectionRunner,
  sqliteReadModelDb,
  type ReadModelDb,
} from '../../projections/index.ts';
import { lendingByMonth, statistics, type Dimension } from '../../projections/statistics.ts';
import { openSqliteEventStore, type SqliteEventStore } from '../../src/store/sqlite/index.ts';
import { appendBulk } from './fixtures.ts';
import { portfolio } from './portfolio.ts';

/**
 * Secondary suppression, audited the way an attacker would use the API: every grouping's coarser
 * groupings (its totals) are asked for too, and each published cell is a linear equation over the
 * finest cells (an additive figure such as the amount disbursed). A hidden cell is recomputable iff its
 * indicator vector lies in the span of the published equations; the audit checks none does.
 */
let dir: string;
let store: SqliteEventStore;
let db: ReadModelDb;
const now = new Date('2027-12-31T00:00:00.000Z');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proj-suppression-'));
  store = openSqliteEventStore({ file: join(dir, 'ledger.db') });
  // Few loans over many cells: plenty of cells with one or two enterprises.
  await appendBulk(store, portfolio({ enterprises: 90, loans: 140, instalments: 2, seed: 11 }));
  db = sqliteReadModelDb(store.db);
  await createProjectionRunner({ store, db, views: allViews }).catchUp();
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const cityOf = (county: string) => `${county.slice(0, 4)}00`;
type Key = Partial<Record<Dimension, string>>;
const id = (k: Key) => JSON.stringify(Object.entries(k).sort(([a], [b]) => a.localeCompare(b)));

/** Every coarsening of a grouping: each dimension kept, dropped, or (a county without its city) → its city. */
function coarsenings(dims: Dimension[]): { dims: Dimension[]; map: (k: Key) => Key }[] {
  let out: { dims: Dimension[]; map: (k: Key) => Key }[] = [{ dims: [], map: () => ({}) }];
  for (const d of dims) {
    const next: typeof out = [];
    for (const c of out) {
      next.push({ dims: c.dims, map: c.map });
      next.push({ dims: [...c.dims, d], map: (k) => ({ ...c.map(k), [d]: k[d] }) });
      if (d === 'county' && !dims.includes('city'))
        next.push({ dims: [...c.dims, 'city'], map: (k) => ({ ...c.map(k), city: cityOf(k.county!) }) });
    }
    out = next;
  }
  return out;
}

/** Rank of a real matrix (0/1 rows here) by Gaussian elimination. */
function rank(rows: number[][]): number {
  const m = rows.map((r) => [...r]);
  let r = 0;
  const width = m[0]?.length ?? 0;
  for (let c = 0; c < width && r < m.length; c++) {
    let p = r;
    for (let i = r + 1; i < m.length; i++) if (Math.abs(m[i]![c]!) > Math.abs(m[p]![c]!)) p = i;
    if (Math.abs(m[p]![c]!) < 1e-9) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const f = m[i]![c]! / m[r]![c]!;
      if (f !== 0) for (let j = c; j < width; j++) m[i]![j]! -= f * m[r]![j]!;
    }
    r++;
  }
  return r;
}

/** The hidden cells (of the grouping or of any of its totals) that the published cells determine. */
function recomputable(dims: Dimension[], month?: string): string[] {
  const finest = statistics(db, { groupBy: dims, month, now }).cells;
  const index = new Map(finest.map((c, i) => [id(c.key), i]));
  const published: number[][] = [];
  const hidden: { name: string; row: number[] }[] = [];
  for (const h of coarsenings(dims)) {
    const rows = new Map<string, number[]>();
    for (const c of finest) {
      const k = id(h.map(c.key));
      if (!rows.has(k)) rows.set(k, new Array<number>(finest.length).fill(0));
      rows.get(k)![index.get(id(c.key))!] = 1;
    }
    for (const cell of statistics(db, { groupBy: h.dims, month, now }).cells) {
      const row = rows.get(id(cell.key));
      // A cell of registrations only (no loan in it) when the finest grouping is by bank or product
      // kind, where registrations have no place: it says nothing about the finest cells' loan figures.
      if (!row) {
        expect(dims.some((d) => d === 'bank' || d === 'kind')).toBe(true);
        expect(cell.figures === null || cell.figures.applications + cell.figures.disbursedCount === 0).toBe(
          true,
        );
        continue;
      }
      if (cell.suppressed) hidden.push({ name: `${h.dims.join(',') || 'total'} ${id(cell.key)}`, row });
      else published.push(row);
    }
  }
  const base = rank(published);
  return hidden.filter((h) => rank([...published, h.row]) === base).map((h) => h.name);
}

describe('small-cell rule: secondary suppression', () => {
  const groupings: Dimension[][] = [
    ['city'],
    ['county'],
    ['bank'],
    ['kind'],
    ['industry'],
    ['city', 'bank'],
    ['county', 'kind'],
    ['industry', 'size'],
    ['city', 'industry'],
    ['county', 'bank'],
  ];

  it('the portfolio has primary-suppressed cells to protect', () => {
    for (const g of [['county'], ['city', 'bank'], ['industry', 'size']] as Dimension[][]) {
      const cells = statistics(db, { groupBy: g, now }).cells;
      expect(cells.filter((c) => c.reason?.startsWith('fewer than')).length).toBeGreaterThan(1);
      expect(cells.filter((c) => !c.suppressed).length).toBeGreaterThan(1);
    }
  });

  for (const g of groupings)
    it(`no hidden cell of ${g.join(' × ')} or of its totals can be recomputed from what is published`, () => {
      expect(recomputable(g)).toEqual([]);
    });

  it('the same holds for one month', () => {
    expect(recomputable(['city', 'kind'], '2026-03')).toEqual([]);
  });

  it('a line with one small cell hides the smallest sibling too, and says why', () => {
    const cells = statistics(db, { groupBy: ['bank'], now, minEnterprises: 12 }).cells;
    const primary = cells.filter((c) => c.reason?.startsWith('fewer than'));
    const secondary = cells.filter((c) => c.reason?.includes('secondary'));
    // Exactly what the rule prescribes for one primary cell: hide one more, the smallest visible one.
    if (primary.length === 1) expect(secondary.length).toBe(1);
    for (const c of [...primary, ...secondary]) expect(c.figures).toBeNull();
    expect(recomputable(['bank'])).toEqual([]);
  });

  it('without secondary suppression the audit would find the cell (the audit can fail)', () => {
    // Publish the primary pattern only: total minus visible cities gives the hidden city back.
    const cells = statistics(db, { groupBy: ['city'], now, minEnterprises: 1 }).cells;
    const total = statistics(db, { now }).cells[0]!.figures!.disbursedAmount;
    const hiddenOne = cells[0]!;
    const others = cells.slice(1).reduce((n, c) => n + c.figures!.disbursedAmount, 0);
    expect(total - others).toBe(hiddenOne.figures!.disbursedAmount);
  });

  it('lending per month: one hidden month takes the smallest other with it', () => {
    const months = lendingByMonth(db, 3);
    const hidden = months.filter((m) => m.amount === null);
    expect(hidden.length === 0 || hidden.length >= 2).toBe(true);
  });
});
