import { rememberCanonicalBody } from '../events/canonicalBodies.ts';
import type { PositionedEvent } from '../events/envelope.ts';
import { eventFromRow, type StoredRow } from './storedRow.ts';

/**
 * Tests freeze every event handed out from memory: one parsed object is shared by every follower that
 * reads it, so a follower that changed an event would change it for the others. Freezing costs a few
 * microseconds per event, so production trusts what the test suite (where a write to a frozen event
 * throws) has shown.
 */
const FREEZE_SHARED_EVENTS = process.env.NODE_ENV === 'test';

const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

/**
 * The rows of the last few batches this process committed, so followers woken by a commit (the API's
 * indexes, the Merkle log, projections, erasure) read them from memory instead of querying the table
 * they were just written to. Only a contiguous run of positions is kept: a batch that does not start
 * where the run ends (another process appended in between) starts a new run, so every position in
 * [first, end) is known here and a read starting inside it gets exactly the rows SQL would give, up to
 * the run's end (a shorter page; the caller reads on from there).
 *
 * Each row is parsed at most once (`eventsFrom`): the API's indexes, the Merkle log, erasure and the
 * projections each read every new event, and four JSON.parse of the same body were ~4 % of the request
 * thread under load.
 */
export class RecentCommits {
  private rows: StoredRow[] = [];
  /** The parsed event of rows[i], once a reader asked for it. */
  private parsed: (PositionedEvent | undefined)[] = [];
  private start = 0; // index in `rows` of the oldest kept row

  constructor(private readonly keep = 4096) {}

  private get first(): number {
    return this.rows.length > this.start ? this.rows[this.start]![0] : 0;
  }

  private get end(): number {
    return this.rows.length > this.start ? this.rows[this.rows.length - 1]![0] + 1 : 0;
  }

  /**
   * Rows of one committed batch, in position order. Their bodies must be the store's own canonical JSON
   * (validateAppend's): the Merkle log builds leaves from them (src/events/canonicalBodies.ts).
   */
  add(batch: StoredRow[]): void {
    if (batch.length === 0) return;
    if (this.rows.length === this.start || batch[0]![0] !== this.end) {
      this.rows = [];
      this.parsed = [];
      this.start = 0;
    }
    for (const r of batch) {
      this.rows.push(r);
      this.parsed.push(undefined);
    }
    const excess = this.rows.length - this.start - this.keep;
    if (excess > 0) this.start += excess;
    if (this.start > this.keep) {
      this.rows = this.rows.slice(this.start);
      this.parsed = this.parsed.slice(this.start);
      this.start = 0;
    }
  }

  /** Up to `max` rows from `position` on, or undefined when `position` is not in the kept run. */
  from(position: number, max: number): StoredRow[] | undefined {
    const i = this.indexOf(position, max);
    return i === undefined ? undefined : this.rows.slice(i, i + Math.min(max, this.rows.length - i));
  }

  /**
   * `from` as events (`eventFromRow` of each row, parsed on the first read and shared after that: a
   * reader must not change them).
   */
  eventsFrom(position: number, max: number): PositionedEvent[] | undefined {
    const i = this.indexOf(position, max);
    if (i === undefined) return undefined;
    const end = i + Math.min(max, this.rows.length - i);
    const events: PositionedEvent[] = [];
    for (let k = i; k < end; k++) {
      let e = this.parsed[k];
      if (e === undefined) {
        e = eventFromRow(this.rows[k]!);
        // The body is the store's own canonicalJson of the appended event (validateAppend).
        rememberCanonicalBody(e, this.rows[k]![3]);
        this.parsed[k] = FREEZE_SHARED_EVENTS ? deepFreeze(e) : e;
      }
      events.push(e);
    }
    return events;
  }

  /** True when the kept run is not empty and ends just before `position` (the next position to commit). */
  endsAt(position: number): boolean {
    return this.rows.length > this.start && position === this.end;
  }

  private indexOf(position: number, max: number): number | undefined {
    if (!(max >= 1) || this.rows.length === this.start) return undefined;
    if (position < this.first || position >= this.end) return undefined;
    return this.start + (position - this.first);
  }
}
