import { LedgerError } from '../../errors.ts';

/**
 * How the PostgreSQL adapter waits for a server that may not answer.
 *
 * A PostgreSQL that is shutting down slowly, hung, or behind a black-holed route can keep an open
 * connection silent for as long as it likes; TCP keepalive notices only after minutes. Where giving up
 * is safe — a read, and an append's connect and first round trip, before anything is written — the wait
 * is bounded (`answered`). A COMMIT is never abandoned: it may succeed on the server, and answering 503
 * for a command that then lands would be an answer we could not stand by.
 *
 * Bounding each wait is not enough: commands queue (per stream, behind the writer, for a pooled
 * connection), so the tenth command in a queue would wait out ten deadlines. After a request finds the
 * server not answering, the gate lets one request at a time try it; the others are refused at once with
 * LL_STORE_UNAVAILABLE until one gets an answer (docs/reliability.md, "PostgreSQL restarted under load").
 */
export class ServerGate {
  private failing = false;
  private probing = false;

  constructor(
    /** Failures that mean the server is unreachable or not answering (not a constraint, not a bad query). */
    private readonly isOutage: (e: unknown) => boolean,
    /** Called when the server answers again after failing: followers refused meanwhile catch up. */
    private readonly onRecovered: () => void,
  ) {}

  async run<T>(op: () => Promise<T>): Promise<T> {
    const probe = this.failing;
    if (probe) {
      if (this.probing)
        throw new LedgerError(
          'LL_STORE_UNAVAILABLE',
          'the PostgreSQL store did not answer the last request; another request is trying it now — retry shortly',
        );
      this.probing = true;
    }
    try {
      const result = await op();
      if (this.failing) {
        this.failing = false;
        this.onRecovered();
      }
      return result;
    } catch (e) {
      if (this.isOutage(e)) this.failing = true;
      throw e;
    } finally {
      if (probe) this.probing = false;
    }
  }
}

/** The error a bounded wait ends with: connection-class (ETIMEDOUT), so it maps to LL_STORE_UNAVAILABLE. */
export class NoAnswer extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(what: string, ms: number) {
    super(`PostgreSQL did not answer ${what} within ${ms} ms`);
  }
}

/**
 * One deadline shared by the steps of an operation (connect, then query): each step waits at most for
 * what is left. A step that answers after the deadline is handed to `late` (to destroy its connection).
 */
export function deadline(ms: number) {
  const until = Date.now() + ms;
  return {
    answered<T>(step: Promise<T>, what: string, late?: (value: T) => void): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      let expired = false;
      const left = Math.max(0, until - Date.now());
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          expired = true;
          reject(new NoAnswer(what, ms));
        }, left);
      });
      step.then(
        (value) => {
          if (expired) late?.(value);
        },
        () => {},
      );
      return Promise.race([step, timeout]).finally(() => clearTimeout(timer));
    },
  };
}
