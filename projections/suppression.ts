/**
 * Cell suppression for the regulator statistics (the small-cell rule, 小样本保护). Primary: a cell whose
 * figures come from 1 … min−1 distinct enterprises is hidden. Secondary: the API also publishes every
 * coarser grouping (the totals), so a hidden cell could be recomputed as its total minus its visible
 * siblings; in each line of siblings under a published total we therefore hide either none or at
 * least two cells (adding the smallest other sibling), and under a hidden total at least one (so the
 * total cannot be summed back from its visible parts).
 *
 * The pattern is computed top-down over the grouping's lattice — the grand total, then each grouping
 * with one dimension fewer, … — and a grouping's pattern depends only on its own cells and on its
 * parents' patterns, so every query that shows a grouping (alone or as the total of a finer one)
 * hides the same cells of it. Pure: the caller gives the cells of any grouping it is asked for.
 */
import { cityOf } from './eventData.ts';

export const dimensions = ['city', 'county', 'industry', 'size', 'bank', 'kind'] as const;
export type Dimension = (typeof dimensions)[number];
export type CellKey = Partial<Record<Dimension, string>>;

export interface SuppressionCell {
  key: CellKey;
  /** Distinct enterprises behind the cell's figures. */
  enterprises: number;
  /** Tie-break among candidates for secondary suppression: the smaller loses less information. */
  magnitude: number;
}

export type Hidden = Map<string, 'primary' | 'secondary'>;

/** Canonical order of a grouping's dimensions (so [bank, city] and [city, bank] are one grouping). */
export const canonical = (dims: readonly Dimension[]): Dimension[] =>
  dimensions.filter((d) => dims.includes(d));

export const cellId = (key: CellKey): string =>
  JSON.stringify(dimensions.filter((d) => key[d] !== undefined).map((d) => [d, key[d]]));

interface Parent {
  dims: Dimension[];
  /** The parent cell a cell of this grouping adds up into. */
  keyOf: (k: CellKey) => CellKey;
}

/**
 * The totals a grouping's cells add up to, one per dimension: drop the dimension; a county without its
 * city in the grouping adds up into its city (a 县区 lies in one 市州, and the city grouping is published).
 */
function parentsOf(dims: readonly Dimension[]): Parent[] {
  return dims.map((d) => {
    if (d === 'county' && !dims.includes('city')) {
      return {
        dims: canonical([...dims.filter((x) => x !== 'county'), 'city']),
        keyOf: (k: CellKey) => {
          const { county, ...rest } = k;
          return { ...rest, city: cityOf(county ?? '') };
        },
      };
    }
    return {
      dims: dims.filter((x) => x !== d),
      keyOf: (k: CellKey) => {
        const rest = { ...k };
        delete rest[d];
        return rest;
      },
    };
  });
}

/**
 * Every strictly coarser grouping an API caller can ask for, with how a cell adds up into it: each
 * dimension kept, dropped, or (a county without its city) replaced by its city.
 */
export function coarsenings(
  dims: readonly Dimension[],
): { dims: Dimension[]; keyOf: (k: CellKey) => CellKey }[] {
  const grouping = canonical(dims);
  let out: { dims: Dimension[]; keyOf: (k: CellKey) => CellKey; same: boolean }[] = [
    { dims: [], keyOf: () => ({}), same: true },
  ];
  for (const d of grouping) {
    const next: typeof out = [];
    for (const c of out) {
      next.push({ dims: c.dims, keyOf: c.keyOf, same: false });
      next.push({ dims: [...c.dims, d], keyOf: (k) => ({ ...c.keyOf(k), [d]: k[d] }), same: c.same });
      if (d === 'county' && !grouping.includes('city'))
        next.push({
          dims: canonical([...c.dims, 'city']),
          keyOf: (k) => ({ ...c.keyOf(k), city: cityOf(k.county ?? '') }),
          same: false,
        });
    }
    out = next;
  }
  return out.filter((c) => !c.same).map(({ dims: ds, keyOf }) => ({ dims: ds, keyOf }));
}

/**
 * The hidden cells of `dims` (cell id → why), with every coarser grouping it depends on computed
 * through `cellsOf` and memoized in `memo` (pass the same map for several groupings of one query).
 */
export function suppressionPattern(
  dims: readonly Dimension[],
  cellsOf: (dims: Dimension[]) => SuppressionCell[],
  minEnterprises: number,
  memo = new Map<string, Hidden>(),
): Hidden {
  const grouping = canonical(dims);
  const memoKey = grouping.join(',');
  const known = memo.get(memoKey);
  if (known) return known;

  const cells = cellsOf(grouping);
  const hidden: Hidden = new Map();
  for (const c of cells)
    if (c.enterprises > 0 && c.enterprises < minEnterprises) hidden.set(cellId(c.key), 'primary');

  // Lines of siblings under each parent cell, for each of the grouping's totals.
  const lines: { parentHidden: boolean; cells: SuppressionCell[] }[] = [];
  for (const p of parentsOf(grouping)) {
    const parentHidden = suppressionPattern(p.dims, cellsOf, minEnterprises, memo);
    const byParent = new Map<string, SuppressionCell[]>();
    for (const c of cells) {
      const id = cellId(p.keyOf(c.key));
      let line = byParent.get(id);
      if (!line) byParent.set(id, (line = []));
      line.push(c);
    }
    for (const [id, line] of byParent) lines.push({ parentHidden: parentHidden.has(id), cells: line });
  }

  // Hiding a cell can break another line it belongs to: repeat until every line holds.
  for (let changed = true; changed;) {
    changed = false;
    for (const line of lines) {
      const count = line.cells.filter((c) => hidden.has(cellId(c.key))).length;
      const wanted = line.parentHidden ? (count === 0 ? 1 : 0) : count === 1 ? 1 : 0;
      if (wanted === 0) continue;
      const candidate = line.cells
        .filter((c) => !hidden.has(cellId(c.key)))
        .sort(
          (a, b) =>
            a.enterprises - b.enterprises ||
            a.magnitude - b.magnitude ||
            cellId(a.key).localeCompare(cellId(b.key)),
        )[0];
      // No visible sibling left: the line is its total's only part, and shares its total's fate.
      if (!candidate) continue;
      hidden.set(cellId(candidate.key), 'secondary');
      changed = true;
    }
  }

  // Then the exact audit against every total a caller can ask for, each with its own full pattern.
  const index = new Map(cells.map((c, i) => [cellId(c.key), i]));
  const totals = coarsenings(grouping).flatMap((h) => {
    const pattern = suppressionPattern(h.dims, cellsOf, minEnterprises, memo);
    const parts = new Map<string, number[]>();
    cells.forEach((c, i) => {
      const id = cellId(h.keyOf(c.key));
      const list = parts.get(id);
      if (list) list.push(i);
      else parts.set(id, [i]);
    });
    return cellsOf(h.dims).map((c) => ({
      parts: parts.get(cellId(c.key)) ?? [],
      hidden: pattern.has(cellId(c.key)),
    }));
  });
  const hiddenIndexes = new Set([...hidden.keys()].map((id) => index.get(id)!));
  for (const i of auditExtraHidden(cells, hiddenIndexes, totals))
    hidden.set(cellId(cells[i]!.key), 'secondary');

  memo.set(memoKey, hidden);
  return hidden;
}

/**
 * The same rule for one line of figures whose total is published elsewhere (the months of the lending
 * chart add up to the cumulative figure): given which entries are primary-hidden, hide the smallest
 * other one when exactly one is hidden.
 */
export function protectLine<T>(
  entries: readonly T[],
  isHidden: (e: T) => boolean,
  magnitude: (e: T) => number,
): Set<T> {
  const hidden = new Set(entries.filter(isHidden));
  if (hidden.size === 1) {
    const candidate = entries.filter((e) => !hidden.has(e)).sort((a, b) => magnitude(a) - magnitude(b))[0];
    if (candidate !== undefined) hidden.add(candidate);
  }
  return hidden;
}

/**
 * Exact audit of one grouping against its published totals (every coarser grouping). Line by line the
 * rule above is not enough once three or more dimensions cross: totals along different directions
 * combine. Each published total is a linear equation over the finest cells; a hidden cell (or hidden
 * total) is recomputable iff its indicator vector lies in their span. Visible finest cells are known, so
 * only the hidden finest cells are unknowns and the system stays small. While anything is
 * recomputable, hide the smallest visible finest cell next to it (a sibling along one dimension, or a
 * part of the total) and audit again. Only the finest grouping gains cells, so coarser groupings keep
 * the pattern they have when asked for alone.
 *
 * `totals[i].parts` are indexes into `cells` (the finest cells adding up to that total). Returns the
 * indexes of the finest cells to hide in addition to `hidden`.
 */
export function auditExtraHidden(
  cells: readonly SuppressionCell[],
  hidden: ReadonlySet<number>,
  totals: readonly { parts: readonly number[]; hidden: boolean }[],
): Set<number> {
  const extra = new Set<number>();
  const isHidden = (i: number) => hidden.has(i) || extra.has(i);
  const dims = (k: CellKey) => dimensions.filter((d) => k[d] !== undefined);
  const siblings = (i: number): number[] => {
    const a = cells[i]!.key;
    return cells
      .map((c, j) => j)
      .filter((j) => {
        if (j === i) return false;
        const b = cells[j]!.key;
        return dims(a).filter((d) => a[d] !== b[d]).length === 1;
      });
  };
  const smallest = (candidates: number[]): number | undefined =>
    candidates
      .filter((j) => !isHidden(j))
      .sort(
        (x, y) =>
          cells[x]!.enterprises - cells[y]!.enterprises ||
          cells[x]!.magnitude - cells[y]!.magnitude ||
          cellId(cells[x]!.key).localeCompare(cellId(cells[y]!.key)),
      )[0];

  for (;;) {
    const unknown = cells.map((_, i) => i).filter(isHidden);
    const column = new Map(unknown.map((i, c) => [i, c]));
    const restrict = (parts: readonly number[]) => {
      const v = new Float64Array(unknown.length);
      for (const p of parts) {
        const c = column.get(p);
        if (c !== undefined) v[c] = 1;
      }
      return v;
    };
    // Row-reduce the published totals over the unknowns.
    const basis: { pivot: number; row: Float64Array }[] = [];
    const reduce = (v: Float64Array) => {
      for (const b of basis) {
        const f = v[b.pivot]!;
        if (Math.abs(f) > 1e-9) for (let j = 0; j < v.length; j++) v[j]! -= f * b.row[j]!;
      }
      return v;
    };
    for (const t of totals) {
      if (t.hidden) continue;
      const v = reduce(restrict(t.parts));
      let pivot = -1;
      for (let j = 0; j < v.length; j++)
        if (Math.abs(v[j]!) > 1e-9 && (pivot < 0 || Math.abs(v[j]!) > Math.abs(v[pivot]!))) pivot = j;
      if (pivot < 0) continue;
      const p = v[pivot]!;
      for (let j = 0; j < v.length; j++) v[j]! /= p;
      for (const b of basis) {
        const f = b.row[pivot]!;
        if (Math.abs(f) > 1e-9) for (let j = 0; j < v.length; j++) b.row[j]! -= f * v[j]!;
      }
      basis.push({ pivot, row: v });
    }
    const determined = (parts: readonly number[]) => reduce(restrict(parts)).every((x) => Math.abs(x) < 1e-9);

    // The first recomputable hidden cell or total, and the cells whose hiding would cover it.
    let candidates: number[] | undefined;
    for (const i of unknown)
      if (determined([i])) {
        candidates = siblings(i);
        break;
      }
    if (!candidates)
      for (const t of totals)
        if (t.hidden && t.parts.length > 0 && determined(t.parts)) {
          candidates = [...t.parts, ...t.parts.flatMap(siblings)];
          break;
        }
    if (!candidates) return extra;
    const pick = smallest(candidates) ?? smallest(cells.map((_, j) => j));
    if (pick === undefined) return extra; // everything is hidden already
    extra.add(pick);
  }
}
