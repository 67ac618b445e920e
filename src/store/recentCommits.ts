import type { StoredRow } from './storedRow.ts';

/**
 * The rows of the last few batches this process committed, so followers woken by a commit (the API's
 * indexes, the Merkle log, projections, erasure) read them from memory instead of querying the table
 * they were just written to. Only a contiguous run of positions is kept: a batch that does not start
 * where the run ends (another process appended in between) starts a new run, so every position in
 * [first, end) is known here and a read starting inside it gets exactly the rows SQL would give, up to
 * the run's end (a shorter page; the caller reads on from there).
 */
export class RecentCommits {
  private rows: StoredRow[] = [];
  private start = 0; // index in `rows` of the oldest kept row

  constructor(private readonly keep = 4096) {}

  private get first(): number {
    return this.rows.length > this.start ? this.rows[this.start]![0] : 0;
  }

  private get end(): number {
    return this.rows.length > this.start ? this.rows[this.rows.length - 1]![0] + 1 : 0;
  }

  /** Rows of one committed batch, in position order. */
  add(batch: StoredRow[]): void {
    if (batch.length === 0) return;
    if (this.rows.length === this.start || batch[0]![0] !== this.end) {
      this.rows = [];
      this.start = 0;
    }
    for (const r of batch) this.rows.push(r);
    const excess = this.rows.length - this.start - this.keep;
    if (excess > 0) this.start += excess;
    if (this.start > this.keep) {
      this.rows = this.rows.slice(this.start);
      this.start = 0;
    }
  }

  /** Up to `max` rows from `position` on, or undefined when `position` is not in the kept run. */
  from(position: number, max: number): StoredRow[] | undefined {
    if (!(max >= 1) || this.rows.length === this.start) return undefined;
    if (position < this.first || position >= this.end) return undefined;
    const i = this.start + (position - this.first);
    return this.rows.slice(i, i + Math.min(max, this.rows.length - i));
  }
}
