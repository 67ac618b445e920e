import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/events/canonicalJson.ts';
import {
  StreamName,
  toHashedForm,
  type EventToAppend,
  type Json,
  type PositionedEvent,
} from '../../src/events/envelope.ts';
import { newEventId } from '../../src/events/ids.ts';
import { LedgerError } from '../../src/errors.ts';
import type { AppendResult, EventStore, ExpectedRevision } from '../../src/store/eventStore.ts';
import { MAX_EVENT_DATA_BYTES } from '../../src/store/validateAppend.ts';

/**
 * The one contract every EventStore adapter passes (Emmett's pattern: one suite, a factory per adapter).
 * Tests use fresh, random stream names and positions relative to the head, so the suite also runs on a
 * shared server (EventStoreDB).
 */

export interface StoreHarness {
  /** Opens the store; called again after `close()` to reopen the same data (catch-up after restart). */
  open(): Promise<EventStore>;
  /** Deletes the data (file, database) after the test. */
  dispose?(): Promise<void>;
  /** Environment for test/store/appendLoop.ts, when the adapter takes part in the SIGKILL durability test. */
  childEnv?: Record<string, string>;
}

export interface ContractOptions {
  /** Positions are 0-based and dense (SQLite, PostgreSQL); EventStoreDB's are only increasing. */
  dense: boolean;
  /** Event ids are unique across streams (SQLite, PostgreSQL); EventStoreDB checks them per stream only. */
  idsUniqueAcrossStreams?: boolean;
}

export const streamName = (category = 'loan'): string => `${category}-${newEventId()}`;

export const makeEvent = (data: Record<string, Json> = { n: 1 }, type = 'LoanApplied'): EventToAppend => ({
  id: newEventId(),
  type,
  schemaVersion: 1,
  data,
  meta: {
    actor: { org: 'bank-1', role: 'bank' },
    recordedAt: '2026-01-31T08:00:00.000Z',
    correlationId: 'corr-1',
    causationId: 'cause-1',
  },
});

export async function expectLedgerError(p: Promise<unknown>, code: string): Promise<LedgerError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as LedgerError).code).toBe(code);
    return error as LedgerError;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Reads every event from `from` to the head, in pages. */
export async function readAllFrom(store: EventStore, from: number, page = 500): Promise<PositionedEvent[]> {
  const out: PositionedEvent[] = [];
  let pos = from;
  for (;;) {
    const r = await store.readAll({ fromPosition: pos, max: page });
    out.push(...r.events);
    if (r.events.length === 0) return out;
    pos = r.nextPosition;
  }
}

const stripPosition = (e: PositionedEvent) => toHashedForm(e);

export function eventStoreContract(
  name: string,
  factory: () => Promise<StoreHarness>,
  opts: ContractOptions,
): void {
  describe(`EventStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = await factory();
      store = await harness.open();
    });
    afterEach(async () => {
      await store.close();
      await harness.dispose?.();
    });

    const reopen = async () => {
      await store.close();
      store = await harness.open();
    };

    describe('append and read', () => {
      it('round-trips events with 0-based revisions and positions in append order', async () => {
        const s = streamName();
        const head = await store.headPosition();
        const events = [makeEvent({ a: 1 }), makeEvent({ b: 'two' }), makeEvent({ c: [true, null] })];
        const r = await store.appendToStream(s, events, { expectedRevision: 'no_stream' });
        expect(r.nextExpectedRevision).toBe(2);
        expect(r.positions).toHaveLength(3);
        if (opts.dense) expect(r.positions).toEqual([head, head + 1, head + 2]);
        expect([...r.positions].sort((a, b) => a - b)).toEqual(r.positions);

        const read = await store.readStream(s);
        expect(read.map(stripPosition)).toEqual(events.map((e, i) => ({ ...e, stream: s, revision: i })));
        expect(read.map((e) => e.position)).toEqual(r.positions);
        expect(await store.streamRevision(s)).toBe(2);
        expect(await store.streamRevision(streamName())).toBeUndefined();
        expect(await store.readStream(streamName())).toEqual([]);
        expect((await store.readStream(s, { from: 1, max: 1 })).map((e) => e.revision)).toEqual([1]);
        expect((await store.readStream(s, { from: 1 })).map((e) => e.revision)).toEqual([1, 2]);

        const all = await readAllFrom(store, head);
        expect(all.filter((e) => e.stream === s)).toEqual(read);
        if (opts.dense) expect(await store.headPosition()).toBe(head + 3);
      });

      it('readAll returns the total order and pages through it without gaps or repeats', async () => {
        const head = await store.headPosition();
        const streams = [streamName(), streamName('enterprise'), streamName('dispute')];
        const ids: string[] = [];
        for (let round = 0; round < 4; round++) {
          for (const s of streams) {
            const batch = [makeEvent({ round }), makeEvent({ round, second: true })];
            await store.appendToStream(s, batch);
            ids.push(...batch.map((e) => e.id));
          }
        }
        for (const page of [1, 3, 5, 1000]) {
          const seen: PositionedEvent[] = [];
          let pos = head;
          for (;;) {
            const r = await store.readAll({ fromPosition: pos, max: page });
            expect(r.events.length).toBeLessThanOrEqual(page);
            if (r.events.length === 0) {
              expect(r.nextPosition).toBe(pos);
              break;
            }
            expect(r.nextPosition).toBeGreaterThan(r.events[r.events.length - 1]!.position);
            seen.push(...r.events);
            pos = r.nextPosition;
          }
          const mine = seen.filter((e) => streams.includes(e.stream));
          expect(mine.map((e) => e.id)).toEqual(ids);
          const positions = seen.map((e) => e.position);
          for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]!);
          if (opts.dense) expect(positions).toEqual(Array.from({ length: ids.length }, (_, i) => head + i));
        }
      });
    });

    describe('expected revision', () => {
      const conflict = async (s: string, expected: ExpectedRevision, actual: number | 'no_stream') => {
        const head = await store.headPosition();
        const before = await store.streamRevision(s);
        const e = await expectLedgerError(
          store.appendToStream(s, [makeEvent()], { expectedRevision: expected }),
          'LL_WRONG_EXPECTED_REVISION',
        );
        expect(e.details).toEqual({ stream: s, expected, actual });
        expect(await store.streamRevision(s)).toBe(before);
        if (opts.dense) expect(await store.headPosition()).toBe(head);
      };

      it('no_stream: succeeds on a new stream, conflicts on an existing one', async () => {
        const s = streamName();
        expect(
          (await store.appendToStream(s, [makeEvent()], { expectedRevision: 'no_stream' }))
            .nextExpectedRevision,
        ).toBe(0);
        await conflict(s, 'no_stream', 0);
      });

      it('stream_exists: conflicts on a new stream, succeeds on an existing one', async () => {
        const s = streamName();
        await conflict(s, 'stream_exists', 'no_stream');
        await store.appendToStream(s, [makeEvent()]);
        expect(
          (await store.appendToStream(s, [makeEvent()], { expectedRevision: 'stream_exists' }))
            .nextExpectedRevision,
        ).toBe(1);
      });

      it('a number: succeeds only at exactly that revision', async () => {
        const s = streamName();
        await conflict(s, 0, 'no_stream');
        await store.appendToStream(s, [makeEvent(), makeEvent()], { expectedRevision: 'no_stream' });
        await conflict(s, 0, 1);
        await conflict(s, 2, 1);
        await conflict(s, 7, 1);
        const r = await store.appendToStream(s, [makeEvent(), makeEvent()], { expectedRevision: 1 });
        expect(r.nextExpectedRevision).toBe(3);
        expect(
          (await store.appendToStream(s, [makeEvent()], { expectedRevision: 3 })).nextExpectedRevision,
        ).toBe(4);
      });

      it('any (and the default): always appends', async () => {
        const s = streamName();
        expect(
          (await store.appendToStream(s, [makeEvent()], { expectedRevision: 'any' })).nextExpectedRevision,
        ).toBe(0);
        expect((await store.appendToStream(s, [makeEvent()])).nextExpectedRevision).toBe(1);
        expect((await store.appendToStream(s, [makeEvent()], {})).nextExpectedRevision).toBe(2);
      });

      it('a conflicting multi-event append writes none of its events', async () => {
        const s = streamName();
        await store.appendToStream(s, [makeEvent()]);
        const batch = [makeEvent(), makeEvent(), makeEvent()];
        await expectLedgerError(
          store.appendToStream(s, batch, { expectedRevision: 5 }),
          'LL_WRONG_EXPECTED_REVISION',
        );
        expect((await store.readStream(s)).map((e) => e.id)).not.toContain(batch[0]!.id);
        // The same ids are still free to use.
        await store.appendToStream(s, batch, { expectedRevision: 0 });
        expect(await store.streamRevision(s)).toBe(3);
      });
    });

    describe('idempotency', () => {
      it('a retried append returns the original result and stores nothing new', async () => {
        const s = streamName();
        await store.appendToStream(s, [makeEvent()]);
        const batch = [makeEvent({ amountFen: 100_000_00 }), makeEvent({ x: 'y' })];
        const first = await store.appendToStream(s, batch, { expectedRevision: 0 });
        const head = await store.headPosition();
        const again = await store.appendToStream(s, batch, { expectedRevision: 0 });
        expect(again).toEqual(first);
        const anyRetry = await store.appendToStream(s, batch, { expectedRevision: 'any' });
        expect(anyRetry).toEqual(first);
        if (opts.dense) expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(s)).toHaveLength(3);
      });

      it('a retry of a single event to a new stream is recognised', async () => {
        const s = streamName();
        const e = makeEvent();
        const first = await store.appendToStream(s, [e], { expectedRevision: 'no_stream' });
        expect(
          await store.appendToStream(s, [structuredClone(e)], { expectedRevision: 'no_stream' }),
        ).toEqual(first);
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('the same id with other content is rejected, never overwritten', async () => {
        const s = streamName();
        const e = makeEvent({ amountFen: 500 });
        await store.appendToStream(s, [e], { expectedRevision: 'no_stream' });
        const tampered = { ...e, data: { amountFen: 501 } };
        await expectLedgerError(
          store.appendToStream(s, [tampered], { expectedRevision: 'no_stream' }),
          'LL_EVENT_ID_CONFLICT',
        );
        await expectLedgerError(
          store.appendToStream(s, [tampered], { expectedRevision: 'any' }),
          'LL_EVENT_ID_CONFLICT',
        );
        const read = await store.readStream(s);
        expect(read).toHaveLength(1);
        expect(read[0]!.data).toEqual({ amountFen: 500 });
      });

      it.runIf(opts.idsUniqueAcrossStreams !== false)(
        'the same id in another stream is rejected',
        async () => {
          const e = makeEvent();
          await store.appendToStream(streamName(), [e]);
          const other = streamName();
          await expectLedgerError(store.appendToStream(other, [e]), 'LL_EVENT_ID_CONFLICT');
          expect(await store.streamRevision(other)).toBeUndefined();
        },
      );
    });

    describe('followers', () => {
      it('wakes onAppended listeners after a commit', async () => {
        let woken = 0;
        const off = store.onAppended(() => woken++);
        const s = streamName();
        const appended = store.appendToStream(s, [makeEvent()]);
        await appended;
        await expect.poll(() => woken, { timeout: 5000 }).toBeGreaterThan(0);
        off();
      });

      it('catches up from a position after a restart', async () => {
        const s = streamName();
        await store.appendToStream(s, [makeEvent(), makeEvent()]);
        const page = await store.readAll({ fromPosition: await store.headPosition() });
        const checkpoint = page.nextPosition;
        await reopen();
        const later = [makeEvent({ later: 1 }), makeEvent({ later: 2 })];
        await store.appendToStream(s, later, { expectedRevision: 1 });
        await reopen();
        const caught = (await readAllFrom(store, checkpoint)).filter((e) => e.stream === s);
        expect(caught.map((e) => e.id)).toEqual(later.map((e) => e.id));
        expect(caught.map((e) => e.revision)).toEqual([2, 3]);
        expect(await store.streamRevision(s)).toBe(3);
      });

      it('a follower paging readAll while 64 writers commit sees every event exactly once, in order', async () => {
        const head = await store.headPosition();
        const writers = 64;
        const perWriter = 8;
        const expected = new Set<string>();
        let done = false;
        const write = async (w: number) => {
          const s = streamName('loan');
          for (let i = 0; i < perWriter; i++) {
            const e = makeEvent({ w, i });
            expected.add(e.id);
            await store.appendToStream(s, [e], { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
          }
        };
        const seen: PositionedEvent[] = [];
        const follow = async () => {
          let pos = head;
          for (;;) {
            const finished = done;
            const r = await store.readAll({ fromPosition: pos, max: 7 });
            seen.push(...r.events);
            pos = r.nextPosition;
            if (r.events.length === 0) {
              if (finished) return;
              await new Promise((res) => setTimeout(res, 1));
            }
          }
        };
        const follower = follow();
        await Promise.all(Array.from({ length: writers }, (_, w) => write(w)));
        done = true;
        await follower;
        const mine = seen.filter((e) => expected.has(e.id));
        expect(mine).toHaveLength(writers * perWriter);
        expect(new Set(mine.map((e) => e.id)).size).toBe(writers * perWriter);
        for (let i = 1; i < seen.length; i++)
          expect(seen[i]!.position).toBeGreaterThan(seen[i - 1]!.position);
        if (opts.dense) expect(seen.map((e) => e.position)).toEqual(seen.map((_, i) => head + i));
      });
    });

    describe('concurrency', () => {
      it('50 appenders racing on one revision: exactly one wins, the others get the typed error', async () => {
        const s = streamName();
        await store.appendToStream(s, [makeEvent()], { expectedRevision: 'no_stream' });
        const events = Array.from({ length: 50 }, (_, i) => makeEvent({ i }));
        const results = await Promise.allSettled(
          events.map((e) => store.appendToStream(s, [e], { expectedRevision: 0 })),
        );
        const winners = results.filter((r) => r.status === 'fulfilled');
        expect(winners).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') {
            expect(r.reason).toBeInstanceOf(LedgerError);
            expect((r.reason as LedgerError).code).toBe('LL_WRONG_EXPECTED_REVISION');
            expect((r.reason as LedgerError).details).toEqual({ stream: s, expected: 0, actual: 1 });
          }
        }
        const read = await store.readStream(s);
        expect(read).toHaveLength(2);
        const winner = events[results.findIndex((r) => r.status === 'fulfilled')]!;
        expect(read[1]!.id).toBe(winner.id);
      });

      it('50 appenders retrying on one stream: one winner per revision, nothing lost or duplicated', async () => {
        const s = streamName();
        const conflicts: number[] = [];
        const appendWithRetry = async (e: EventToAppend): Promise<AppendResult> => {
          for (;;) {
            const current = await store.streamRevision(s);
            try {
              return await store.appendToStream(s, [e], { expectedRevision: current ?? 'no_stream' });
            } catch (error) {
              expect(error).toBeInstanceOf(LedgerError);
              expect((error as LedgerError).code).toBe('LL_WRONG_EXPECTED_REVISION');
              conflicts.push(1);
            }
          }
        };
        const events = Array.from({ length: 50 }, (_, i) => makeEvent({ i }));
        const results = await Promise.all(events.map(appendWithRetry));
        const revisions = results.map((r) => r.nextExpectedRevision).sort((a, b) => a - b);
        expect(revisions).toEqual(Array.from({ length: 50 }, (_, i) => i));
        const read = await store.readStream(s);
        expect(read.map((e) => e.revision)).toEqual(revisions);
        expect(new Set(read.map((e) => e.id))).toEqual(new Set(events.map((e) => e.id)));
        expect(conflicts.length).toBeGreaterThan(0);
      });

      it('50 appenders to different streams all succeed, with distinct (dense) positions', async () => {
        const head = await store.headPosition();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.appendToStream(streamName(), [makeEvent({ i }), makeEvent({ i })], {
              expectedRevision: 'no_stream',
            }),
          ),
        );
        const positions = results.flatMap((r) => r.positions).sort((a, b) => a - b);
        expect(new Set(positions).size).toBe(100);
        if (opts.dense) {
          expect(positions).toEqual(Array.from({ length: 100 }, (_, i) => head + i));
          expect(await store.headPosition()).toBe(head + 100);
        }
        for (const r of results) expect(r.positions[1]).toBeGreaterThan(r.positions[0]!);
      });
    });

    describe('sizes and text', () => {
      /** data whose canonical JSON is exactly `bytes` long (bytes ≥ 9: {"p":""} is 8). */
      const dataOfSize = (bytes: number): Record<string, Json> => {
        const data = { p: 'x'.repeat(Math.max(0, bytes - 8)) };
        expect(Buffer.byteLength(canonicalJson(data))).toBe(Math.max(8, bytes));
        return data;
      };

      it('stores events from 1 byte of payload to 1 MiB of canonical data', async () => {
        const s = streamName();
        const events = [
          makeEvent({ p: 'x' }),
          makeEvent(dataOfSize(1024)),
          makeEvent(dataOfSize(65_536)),
          makeEvent(dataOfSize(MAX_EVENT_DATA_BYTES)),
        ];
        for (const e of events) await store.appendToStream(s, [e]);
        const read = await store.readStream(s);
        expect(read.map((e) => canonicalJson(e.data))).toEqual(events.map((e) => canonicalJson(e.data)));
      });

      it('rejects an event over the limit with LL_EVENT_TOO_LARGE and writes nothing', async () => {
        const s = streamName();
        const head = await store.headPosition();
        const e = await expectLedgerError(
          store.appendToStream(s, [makeEvent(), makeEvent(dataOfSize(MAX_EVENT_DATA_BYTES + 1))]),
          'LL_EVENT_TOO_LARGE',
        );
        expect(e.details).toMatchObject({
          index: 1,
          bytes: MAX_EVENT_DATA_BYTES + 1,
          limit: MAX_EVENT_DATA_BYTES,
        });
        expect(await store.streamRevision(s)).toBeUndefined();
        if (opts.dense) expect(await store.headPosition()).toBe(head);
      });

      it('round-trips unicode byte-exactly: Chinese enterprise names, emoji, astral and combining characters', async () => {
        const s = streamName('enterprise');
        const data = {
          name: '杭州西湖区小微企业融资担保有限公司',
          traditional: '臺灣積體電路製造股份有限公司',
          emoji: '💰🏦📈👨‍👩‍👧‍👦',
          astral: '𠀀𠮷𩸽𝕳',
          combining: 'e\u0301 vs é',
          controls: 'line\u2028sep\u2029\t"quoted"\\',
          键名: { 嵌套: ['数组', '😀'] },
        };
        const e = makeEvent(data, 'EnterpriseRegistered');
        e.meta.actor.org = '浙江省融资信用服务平台';
        await store.appendToStream(s, [e]);
        const [read] = await store.readStream(s);
        expect(read).toBeDefined();
        expect(canonicalJson(toHashedForm(read!))).toBe(canonicalJson({ ...e, stream: s, revision: 0 }));
        expect(Buffer.from(canonicalJson(read!.data))).toEqual(Buffer.from(canonicalJson(data)));
        expect(read!.data.astral).toBe('𠀀𠮷𩸽𝕳');
      });
    });

    describe('bad input writes nothing', () => {
      const rejects = async (append: () => Promise<unknown>, code: string, s: string) => {
        const head = await store.headPosition();
        const e = await expectLedgerError(append(), code);
        expect(e.message.length).toBeGreaterThan(10);
        if (opts.dense) expect(await store.headPosition()).toBe(head);
        if (StreamName.safeParse(s).success) expect(await store.streamRevision(s)).toBeUndefined();
      };

      it('a malformed envelope: LL_VALIDATION_FAILED', async () => {
        const s = streamName();
        const good = makeEvent();
        const bad: unknown[] = [
          { ...good, id: 'not-a-uuid' },
          { ...good, meta: undefined },
          { ...good, type: 'lowercase' },
          { ...good, extra: 1 },
          { ...good, data: { n: Number.NaN } },
          { ...good, meta: { ...good.meta, recordedAt: '2026-01-31' } },
          { ...good, meta: { ...good.meta, actor: { org: 'x', role: 'wizard' } } },
          null,
        ];
        for (const b of bad) {
          await rejects(
            () => store.appendToStream(s, [makeEvent(), b as EventToAppend]),
            'LL_VALIDATION_FAILED',
            s,
          );
        }
        await rejects(() => store.appendToStream(s, []), 'LL_VALIDATION_FAILED', s);
        await rejects(() => store.appendToStream(s, [good, good]), 'LL_VALIDATION_FAILED', s);
      });

      it('an unknown expected-revision value: LL_INVALID_EXPECTED_REVISION', async () => {
        const s = streamName();
        for (const v of ['latest', -1, 1.5, '3', null, Number.MAX_SAFE_INTEGER + 1]) {
          await rejects(
            () => store.appendToStream(s, [makeEvent()], { expectedRevision: v as ExpectedRevision }),
            'LL_INVALID_EXPECTED_REVISION',
            s,
          );
        }
      });

      it('an empty, too long or malformed stream name: LL_INVALID_STREAM_NAME', async () => {
        for (const s of ['', 'loan-' + 'x'.repeat(300), 'no dash', 'Loan-1', 'loan-with space', '$all']) {
          await rejects(() => store.appendToStream(s, [makeEvent()]), 'LL_INVALID_STREAM_NAME', s);
        }
      });
    });

    describe('durability', () => {
      it('every append acknowledged before SIGKILL is read back', async (ctx) => {
        if (!harness.childEnv) {
          ctx.skip();
          return;
        }
        await store.close();
        const acked = await runAndKill(harness.childEnv, 400);
        store = await harness.open();
        const stored = new Set((await readAllFrom(store, 0, 5000)).map((e) => e.id));
        const missing = acked.filter((id) => !stored.has(id));
        expect(acked.length).toBeGreaterThanOrEqual(400);
        expect(missing).toEqual([]);
      }, 60_000);
    });
  });
}

const appendLoop = fileURLToPath(new URL('./appendLoop.ts', import.meta.url));

/** Starts appendLoop.ts, lets it acknowledge at least `minAcks` appends, SIGKILLs it; returns the acknowledged ids. */
export function runAndKill(env: Record<string, string>, minAcks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', appendLoop], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!killed && out.split('\n').length > minAcks) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (_code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`append loop ended by itself: ${err.slice(-2000)}`));
      // Only complete lines were acknowledged; a torn last line is not counted.
      const lines = out.split('\n');
      lines.pop();
      resolve(lines.filter((l) => l.length > 0));
    });
  });
}
