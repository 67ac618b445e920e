import type { RecordedEvent } from '../events/envelope.ts';
import type { EventStore } from '../store/eventStore.ts';

/**
 * Follows the store's total order and feeds the API's in-memory indexes (keys, parties, idempotency).
 * Catch-up is serialized: one readAll loop at a time, woken by the store's onAppended and by `poke()`
 * (e.g. on an unknown API key: another process — the CLI — may have issued it).
 */
export interface EventSink {
  apply(event: RecordedEvent): void;
}

export class Follower {
  private position = 0;
  private running: Promise<void> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Positions at or past `position` whose events the sinks already have (see `appliedAt`). */
  private readonly appliedAhead = new Set<number>();
  lastError: unknown;

  constructor(
    private readonly store: EventStore,
    private readonly sinks: EventSink[],
    /** Also poll, for commits by other processes (a key revoked by the CLI stops working within this). */
    private readonly pollMs = 1000,
  ) {}

  /** Reads everything up to the head, then follows new commits. */
  async start(): Promise<void> {
    await this.catchUp();
    const wake = () => void this.catchUp().catch(() => undefined);
    this.unsubscribe = this.store.onAppended(wake);
    this.timer = setInterval(wake, this.pollMs);
    this.timer.unref();
  }

  stop(): void {
    this.unsubscribe?.();
    clearInterval(this.timer);
  }

  /**
   * This process gave the event at `position` to every sink itself, right after committing it (so the
   * next request sees it without waiting for a wake); the catch-up then passes it by instead of applying
   * it a second time. The sinks are idempotent, so this only saves the work.
   */
  appliedAt(position: number): void {
    if (position >= this.position) this.appliedAhead.add(position);
  }

  /** Next position to read: the count of events applied on dense stores. */
  get applied(): number {
    return this.position;
  }

  catchUp(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          for (;;) {
            const page = await this.store.readAll({ fromPosition: this.position, max: 1000, recent: true });
            for (const e of page.events) {
              if (this.appliedAhead.delete(e.position)) continue;
              for (const s of this.sinks) s.apply(e);
            }
            if (page.events.length === 0 || page.nextPosition === this.position) break;
            this.position = page.nextPosition;
          }
        } while (this.again);
        this.lastError = undefined;
      } catch (e) {
        this.lastError = e;
        throw e;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
