import type { PositionedEvent } from '../../../src/events/envelope.ts';
import { request, type Reply } from './http.ts';

/**
 * Every command a test sent, with its Idempotency-Key, and what came back: the event ids of a 201
 * (acknowledged), a problem code, or nothing (the connection died: the command may or may not have
 * landed). The book is the test's ground truth for "nothing acknowledged lost, nothing doubled".
 */
export interface SentCommand {
  key: string;
  org: string;
  apiKey: string;
  path: string;
  body: unknown;
  ifMatch?: number;
  /** Set once answered. */
  status?: number;
  code?: string;
  eventIds?: string[];
  /** How many times it was sent (retries with the same key). */
  attempts: number;
  /** The last answer was a replay (`Idempotent-Replayed: true`): the command had landed before. */
  replayed?: boolean;
}

export class CommandBook {
  readonly commands = new Map<string, SentCommand>();
  readonly statuses = new Map<string, number>();
  transportErrors = 0;
  /** What each transport error was (name, cause code, path, ms since the book was made), to explain a failure. */
  readonly transportErrorDetails: string[] = [];
  private readonly startedAt = performance.now();

  /** `timeoutMs`: the client gives up on an answer after this long (a transport error). */
  constructor(private readonly timeoutMs = 60_000) {}

  async send(url: string, cmd: Omit<SentCommand, 'attempts'>): Promise<SentCommand> {
    let c = this.commands.get(cmd.key);
    if (!c) {
      c = { ...cmd, attempts: 0 };
      this.commands.set(cmd.key, c);
    }
    c.attempts++;
    let r: Reply;
    try {
      r = await request(url, c.apiKey, 'POST', c.path, {
        body: c.body,
        idempotencyKey: c.key,
        timeoutMs: this.timeoutMs,
        ...(c.ifMatch !== undefined ? { ifMatch: c.ifMatch } : {}),
      });
    } catch (e) {
      this.transportErrors++;
      const err = e as Error & { cause?: { code?: string; message?: string } };
      this.transportErrorDetails.push(
        `${err.name}: ${err.cause?.code ?? err.cause?.message ?? err.message} (${c.path}, at ${this.elapsedMs()} ms)`,
      );
      throw e;
    }
    c.status = r.status;
    c.replayed = r.headers.get('idempotent-replayed') === 'true';
    const label = r.status === 201 ? '201' : `${r.status} ${String(r.body.code)}`;
    this.statuses.set(label, (this.statuses.get(label) ?? 0) + 1);
    if (r.status === 201) c.eventIds = (r.body.events as { id: string }[]).map((e) => e.id);
    else c.code = String(r.body.code);
    return c;
  }

  /** Milliseconds since the book was made: the clock of `transportErrorDetails`. */
  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  acked(): SentCommand[] {
    return [...this.commands.values()].filter((c) => c.status === 201);
  }

  /** Sent, never answered: the server died with them in flight. */
  unanswered(): SentCommand[] {
    return [...this.commands.values()].filter((c) => c.status === undefined);
  }

  /**
   * Against every event in the store: each answered command's events are stored exactly once and are
   * exactly the ones its key produced; a command refused or never answered produced no events, or (never
   * answered) one complete set. Returns the problems found (empty: all good).
   */
  checkAgainstStore(events: PositionedEvent[]): string[] {
    const problems: string[] = [];
    const idCount = new Map<string, number>();
    const byKey = new Map<string, string[]>();
    for (const e of events) {
      idCount.set(e.id, (idCount.get(e.id) ?? 0) + 1);
      const k = e.meta.idempotencyKey;
      if (k !== undefined) {
        const ids = byKey.get(`${e.meta.actor.org}\u0000${k}`) ?? [];
        ids.push(e.id);
        byKey.set(`${e.meta.actor.org}\u0000${k}`, ids);
      }
    }
    for (const [id, n] of idCount) if (n !== 1) problems.push(`event ${id} stored ${n} times`);
    for (const c of this.commands.values()) {
      const stored = (byKey.get(`${c.org}\u0000${c.key}`) ?? []).sort();
      if (c.status === 201) {
        const want = [...c.eventIds!].sort();
        if (JSON.stringify(stored) !== JSON.stringify(want))
          problems.push(
            `${c.key}: acknowledged ${want.length} events ${want.join(',')}, stored ${stored.join(',') || 'none'}`,
          );
      } else if (c.status !== undefined && c.status !== 201 && stored.length > 0) {
        problems.push(`${c.key}: refused with ${c.status} ${c.code} but ${stored.length} events stored`);
      }
    }
    return problems;
  }
}

/**
 * `clients` loops, each sending the next command as soon as the last is answered, until `stopped()`.
 * A transport failure ends a loop once stopped (the server was killed); before that it is counted and
 * the loop goes on after a short pause.
 */
export async function drive(
  clients: number,
  next: (client: number) => Omit<SentCommand, 'attempts'>,
  send: (cmd: Omit<SentCommand, 'attempts'>) => Promise<unknown>,
  stopped: () => boolean,
): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      while (!stopped()) {
        try {
          await send(next(i));
        } catch {
          if (stopped()) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }),
  );
}

/** Every event of a store, in log order. */
export async function readAllEvents(store: {
  readAll(o: {
    fromPosition: number;
    max: number;
  }): Promise<{ events: PositionedEvent[]; nextPosition: number }>;
}): Promise<PositionedEvent[]> {
  const all: PositionedEvent[] = [];
  let from = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: from, max: 5000 });
    all.push(...page.events);
    if (page.events.length === 0) return all;
    from = page.nextPosition;
  }
}
