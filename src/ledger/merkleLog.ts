import { LedgerError } from '../errors.ts';
import type { PositionedEvent } from '../events/envelope.ts';
import type { EventStore } from '../store/eventStore.ts';
import { eventLeafHash, leafBytes } from './leaf.ts';
import {
  CompactRange,
  consistencyPlan,
  foldRange,
  hashesEqual,
  inclusionPlan,
  resolvePlanBatch,
  rootPlan,
  type Hash,
  type HashReader,
} from './merkle.ts';
import type { LeafBatch, TreeStore } from './treeStore.ts';

/**
 * The Merkle log: one leaf per event, in the store's total order. Leaf index = count of events the log
 * has taken (on SQLite/PostgreSQL that is the event's position, checked; on EventStoreDB the log assigns
 * it and remembers the commit position). It persists every complete subtree so any historical root or
 * proof is O(log n) reads, resumes from its stored state, and refuses to run on a tree that does not
 * match the store (LL_LOG_INTEGRITY naming the leaf).
 */
export interface MerkleLogOptions {
  store: EventStore;
  tree: TreeStore;
  /** Re-derive every leaf from the store when opening (default true). */
  verifyOnOpen?: boolean;
  /** Events per readAll page = per tree transaction (default 1000). */
  batchSize?: number;
}

export class MerkleLog {
  private range: CompactRange;
  private cursor: number;
  private running: Promise<number> | undefined;
  private again = false;
  private unsubscribe: (() => void) | undefined;
  private failure: unknown;
  private readonly batchSize: number;
  private readonly dense: boolean;
  readonly read: HashReader;

  private constructor(
    readonly store: EventStore,
    readonly tree: TreeStore,
    batchSize: number,
  ) {
    const state = tree.state();
    this.read = (level, index) => tree.readNode(level, index);
    this.range = CompactRange.load(state.size, this.read);
    this.cursor = state.cursor;
    this.batchSize = batchSize;
    this.dense = store.kind !== 'esdb';
  }

  static async open(options: MerkleLogOptions): Promise<MerkleLog> {
    let log: MerkleLog;
    try {
      log = new MerkleLog(options.store, options.tree, options.batchSize ?? 1000);
    } catch (e) {
      // The stored state names nodes that are not there (rows deleted, or a size edited upward).
      if (e instanceof RangeError)
        throw new LedgerError(
          'LL_LOG_INTEGRITY',
          `the stored tree is incomplete: ${e.message}`,
          {},
          { cause: e },
        );
      throw e;
    }
    if (options.verifyOnOpen ?? true) await log.verifyAgainstStore();
    await log.catchUp();
    return log;
  }

  get size(): number {
    return this.range.size;
  }

  /** Root of the current tree, or of any earlier size. */
  root(size = this.size): Hash {
    this.checkSize(size);
    return size === this.size ? this.range.root() : foldRange(this.tree.readNodes(rootPlan(size)));
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    this.checkSize(size);
    return resolvePlanBatch(inclusionPlan(index, size), (n) => this.tree.readNodes(n));
  }

  consistencyProof(size1: number, size2 = this.size): Hash[] {
    this.checkSize(size2);
    return resolvePlanBatch(consistencyPlan(size1, size2), (n) => this.tree.readNodes(n));
  }

  leafHashes(start: number, end: number): Hash[] {
    this.checkSize(end);
    return this.tree.leafHashes(start, end);
  }

  /** The events at leaves [start, end), read back from the store (in leaf order). */
  async events(start: number, end: number): Promise<PositionedEvent[]> {
    this.checkSize(end);
    if (start >= end) return [];
    const positions = this.tree.leafPositions(start, end);
    const out: PositionedEvent[] = [];
    let from = positions[0] as number;
    while (out.length < positions.length) {
      const page = await this.store.readAll({
        fromPosition: from,
        max: Math.min(this.batchSize, end - start),
      });
      if (page.events.length === 0) break;
      for (const e of page.events) {
        if (out.length === positions.length) break;
        out.push(e);
      }
      from = page.nextPosition;
    }
    out.forEach((e, i) => {
      if (e.position !== positions[i])
        this.integrity(start + i, 'the event at this leaf is missing from the store', e);
    });
    if (out.length < positions.length) this.integrity(start + out.length, 'the store ends before the log');
    return out;
  }

  /** Canonical leaf bytes of leaves [start, end). */
  async entries(start: number, end: number): Promise<Uint8Array[]> {
    return (await this.events(start, end)).map(leafBytes);
  }

  /**
   * Takes every event committed since the last call into the tree, one transaction per page.
   * Concurrent calls share one run; a call during a run schedules one more. Resolves to the new size.
   */
  catchUp(): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again);
        return this.size;
      } catch (e) {
        if (e instanceof LedgerError && e.code === 'LL_LOG_INTEGRITY') this.failure = e;
        throw e;
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Follows the store: every commit wakes catchUp. Errors are reported to `onError` (default: warning). */
  follow(onError: (e: unknown) => void = (e) => process.emitWarning(`Merkle log: ${String(e)}`)): () => void {
    this.unsubscribe?.();
    const off = this.store.onAppended(() => {
      this.catchUp().catch(onError);
    });
    this.unsubscribe = off;
    this.catchUp().catch(onError);
    return () => {
      off();
      if (this.unsubscribe === off) this.unsubscribe = undefined;
    };
  }

  /**
   * Re-derives every leaf hash from the store and recomputes every stored subtree from them; throws
   * LL_LOG_INTEGRITY naming the first leaf (index, stream, revision) or node that differs.
   */
  async verifyAgainstStore(): Promise<void> {
    const size = this.size;
    const check = new CompactRange();
    const positions = size > 0 ? this.tree.leafPositions(0, size) : [];
    let from = positions[0] ?? 0;
    let index = 0;
    while (index < size) {
      const page = await this.store.readAll({
        fromPosition: from,
        max: Math.min(this.batchSize, size - index),
      });
      if (page.events.length === 0) break;
      const stored = this.tree.leafHashes(index, index + page.events.length);
      for (let i = 0; i < page.events.length && index < size; i++, index++) {
        const e = page.events[i] as PositionedEvent;
        if (e.position !== positions[index])
          this.integrity(index, 'the event at this leaf is missing from the store', e);
        const h = eventLeafHash(e);
        const s = stored[i];
        if (!s || !hashesEqual(h, s))
          this.integrity(index, 'the event differs from the one hashed into the log', e);
        check.append(h, (level, idx, hash) => {
          if (level === 0) return;
          let stored: Hash | undefined;
          try {
            stored = this.tree.readNode(level, idx);
          } catch {
            stored = undefined; // a deleted node row: as corrupt as a changed one
          }
          if (!stored || !hashesEqual(hash, stored)) {
            // Name the leaves under the node, so an operator knows which events' proofs it breaks.
            const leafStart = idx * 2 ** level;
            const leafEnd = leafStart + 2 ** level;
            throw new LedgerError(
              'LL_LOG_INTEGRITY',
              `stored tree node (${level}, ${idx}) over leaves [${leafStart}, ${leafEnd}) is ${stored ? 'corrupt' : 'missing'}`,
              { level, nodeIndex: idx, leafStart, leafEnd },
            );
          }
        });
      }
      from = page.nextPosition;
    }
    if (index < size) this.integrity(index, 'the store ends before the log');
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async drain(): Promise<void> {
    for (;;) {
      // `recent`: the rows just committed, from the store's memory (what verification reads is the table).
      const page = await this.store.readAll({ fromPosition: this.cursor, max: this.batchSize, recent: true });
      if (page.events.length === 0) return;
      const batch: LeafBatch = { nodes: [], leaves: [], state: { size: 0, cursor: page.nextPosition } };
      const range = this.range.clone(); // `this.range` moves only once the batch is committed
      for (const e of page.events) {
        const index = range.size;
        if (this.dense && e.position !== index)
          this.integrity(index, `store position ${e.position} is not the next leaf index`, e);
        range.append(eventLeafHash(e), (level, idx, hash) => batch.nodes.push({ level, index: idx, hash }));
        batch.leaves.push({ index, position: e.position });
      }
      batch.state.size = range.size;
      this.tree.appendBatch(batch);
      this.range = range;
      this.cursor = page.nextPosition;
    }
  }

  private checkSize(size: number): void {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size)
      throw new LedgerError('LL_INVALID_QUERY', `tree size ${size} is not in [0, ${this.size}]`, { size });
  }

  private integrity(index: number, message: string, e?: PositionedEvent): never {
    throw new LedgerError('LL_LOG_INTEGRITY', `leaf ${index}: ${message}`, {
      leafIndex: index,
      ...(e ? { stream: e.stream, revision: e.revision, position: e.position } : {}),
    });
  }
}
