import type { AnchorRecord, AnchorRepository, AnchorState } from './anchorRepository.ts';
import { AnchorRefused, type AnchoredEvent, type ChainClient, type ChainReceipt } from './chainClient.ts';
import { AnchorerConfigSchema, type AnchorerConfig, type AnchorerConfigInput } from './config.ts';
import { LedgerError } from '../errors.ts';

/**
 * The anchorer: puts the latest signed checkpoint of the Merkle log on chain, one transaction per
 * anchor whatever the number of events, and follows each anchor to finality.
 *
 * It runs in the background and never blocks an append: the log only exposes its latest checkpoint,
 * the anchorer reads it when it wakes. When the node is down every pass fails, the loop backs off
 * exponentially (with jitter) and the records stay as they were; nothing is lost because the records
 * are durable and the next pass starts from them.
 */

/** What the anchorer needs of the Merkle log (src/ledger provides it; the composition root adapts). */
export interface Checkpoint {
  treeSize: number;
  rootHash: Uint8Array;
}
export interface CheckpointSource {
  /** The latest signed checkpoint (signing one first if the log grew). */
  latest(): Checkpoint | undefined | Promise<Checkpoint | undefined>;
  /**
   * The log's size now, without signing anything. Given it, a pass signs a checkpoint only when an
   * anchor is due: an Ed25519 signature per pass (up to ten a second under load) is CPU on the request
   * thread for checkpoints nobody anchors.
   */
  currentSize?(): number | Promise<number>;
  /**
   * The local log's root at `treeSize`, or undefined when the log is shorter. With it the anchorer
   * compares the local log with the chain's latest anchor before anchoring anything (`checkHistory`).
   */
  rootAt?(treeSize: number): Uint8Array | undefined | Promise<Uint8Array | undefined>;
}

/** What the start-up comparison with the chain's latest anchor found. */
export type HistoryCheck =
  | { result: 'ok'; anchoredSize: number }
  | { result: 'unreachable'; error: string }
  | { result: 'mismatch'; error: LedgerError };

/** The part of ChainClient the anchorer uses. */
export type AnchorChain = Pick<
  ChainClient,
  | 'contract'
  | 'chainId'
  | 'blockNumber'
  | 'block'
  | 'finalizedBlockNumber'
  | 'receipt'
  | 'inMempool'
  | 'latestAnchor'
  | 'anchoredEvents'
  | 'anchoredInReceipt'
  | 'prepareAnchor'
  | 'broadcast'
>;

export interface AnchorerStatus {
  running: boolean;
  logId: string;
  chainId: number | null;
  contract: string;
  /** The last pass reached the chain node. */
  chainReachable: boolean;
  consecutiveFailures: number;
  lastError: string | null;
  checkpointSize: number;
  /** Largest tree size included (or final) on chain. */
  anchoredSize: number;
  finalSize: number;
  /** Events in the latest checkpoint not yet covered by an included anchor. */
  lagEvents: number;
  /** Seconds since the oldest of those events was first seen by the anchorer; 0 when nothing lags. */
  lagSeconds: number;
  pendingCount: number;
  includedCount: number;
  /**
   * Set when the local log disagrees with the chain's latest anchor (history below an anchored
   * checkpoint rewritten or lost): the anchorer stops for good and the ledger refuses writes.
   */
  historyMismatch: string | null;
}

export interface AnchorerDeps {
  source: CheckpointSource;
  chain: AnchorChain;
  repo: AnchorRepository;
  config: AnchorerConfigInput;
  now?: () => number;
  /** Called with every failed pass (the loop itself keeps going). */
  onError?: (error: unknown) => void;
}

type WaitFor = 'created' | 'included' | 'final';

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 500);

export class Anchorer {
  readonly config: AnchorerConfig;
  readonly #source: CheckpointSource;
  readonly #chain: AnchorChain;
  readonly #repo: AnchorRepository;
  readonly #now: () => number;
  readonly #onError: (e: unknown) => void;

  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #wakeForStop: (() => void) | undefined;
  #pass: Promise<void> = Promise.resolve();
  #failures = 0;
  #lastError: string | null = null;
  #reachable = false;
  #chainId: number | null = null;
  #lastCreatedAt: number | undefined;
  #unanchoredSince: number | undefined;
  #checkpointSize = 0;
  #records: AnchorRecord[] = [];
  #history: 'unchecked' | 'ok' | LedgerError = 'unchecked';

  constructor(deps: AnchorerDeps) {
    this.config = AnchorerConfigSchema.parse(deps.config);
    this.#source = deps.source;
    this.#chain = deps.chain;
    this.#repo = deps.repo;
    this.#now = deps.now ?? Date.now;
    this.#onError = deps.onError ?? (() => {});
  }

  /** Starts the background loop. Returns at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wakeForStop?.();
    await this.#loop;
    await this.#pass.catch(() => {});
  }

  /** A hint that the log grew: look now instead of at the next poll. Never waits. */
  notify(): void {
    this.#wake?.();
  }

  /**
   * `loan-ledger anchor now`: anchors the latest checkpoint regardless of the batching rule (unless it
   * is already anchored or an anchor is in flight) and waits until the record reaches `waitFor`.
   * Returns the record covering the latest checkpoint, if any.
   */
  async anchorNow(opts: { waitFor?: WaitFor; timeoutMs?: number } = {}): Promise<AnchorRecord | undefined> {
    const waitFor = opts.waitFor ?? 'included';
    const deadline = this.#now() + (opts.timeoutMs ?? 60_000);
    await this.#serialized(() => this.#passOnce(true));
    const cp = await this.#source.latest();
    if (!cp) return undefined;
    const order: AnchorState[] = ['pending', 'included', 'final'];
    for (;;) {
      const rec = this.#records.find((r) => r.treeSize >= cp.treeSize && r.status !== 'failed');
      if (rec && (waitFor === 'created' || rec.status === 'superseded')) return rec;
      if (rec && order.indexOf(rec.status) >= order.indexOf(waitFor === 'final' ? 'final' : 'included'))
        return rec;
      if (this.#now() > deadline) return rec;
      await new Promise((r) => setTimeout(r, Math.min(this.config.pollIntervalMs, 200)));
      // force: if an anchor was in flight, the latest checkpoint is anchored as soon as it lands
      await this.#serialized(() => this.#passOnce(true)).catch(() => {});
    }
  }

  /** One pass (what the loop does on each wake-up); exposed for tests and the CLI. */
  tick(): Promise<void> {
    return this.#serialized(() => this.#passOnce(false));
  }

  /** Every anchor of this log, by tree size; or one page of them (`AnchorPage`, GET /v1/log/anchors). */
  async records(page?: AnchorPage): Promise<AnchorRecord[]> {
    if (!page) return this.#repo.list({ logId: this.config.logId });
    const desc = page.order === 'desc';
    return this.#repo.list({
      logId: this.config.logId,
      ...(page.fromTreeSize === undefined
        ? {}
        : desc
          ? { maxTreeSize: page.fromTreeSize }
          : { minTreeSize: page.fromTreeSize }),
      newestFirst: desc,
      limit: page.limit,
    });
  }

  /**
   * The anchors a pass works on (unsettled ones, and those from the newest final one up), as of the last
   * pass: enough to choose the anchor for any evidence bundle (`chooseAnchor` wants the newest final
   * anchor or an included one), without reading the whole history per bundle. Before the first pass
   * (chain not yet known), every record.
   */
  async currentRecords(): Promise<AnchorRecord[]> {
    if (this.#chainId === null) return this.records();
    return [...this.#records];
  }

  async status(): Promise<AnchorerStatus> {
    const recs = this.#records;
    const of = (s: AnchorState[]) => recs.filter((r) => s.includes(r.status));
    const anchoredSize = Math.max(0, ...of(['included', 'final']).map((r) => r.treeSize));
    const lagEvents = Math.max(0, this.#checkpointSize - anchoredSize);
    return {
      running: this.#running,
      logId: this.config.logId,
      chainId: this.#chainId,
      contract: this.#chain.contract,
      chainReachable: this.#reachable,
      consecutiveFailures: this.#failures,
      lastError: this.#lastError,
      checkpointSize: this.#checkpointSize,
      anchoredSize,
      finalSize: Math.max(0, ...of(['final']).map((r) => r.treeSize)),
      lagEvents,
      lagSeconds:
        lagEvents > 0 && this.#unanchoredSince !== undefined
          ? Math.max(0, (this.#now() - this.#unanchoredSince) / 1000)
          : 0,
      pendingCount: of(['pending']).length,
      includedCount: of(['included']).length,
      historyMismatch: this.#history instanceof LedgerError ? this.#history.message : null,
    };
  }

  /** The mismatch found by `checkHistory`, if any (the ledger refuses writes while it is set). */
  historyMismatch(): LedgerError | undefined {
    return this.#history instanceof LedgerError ? this.#history : undefined;
  }

  /**
   * Compares the local log with the chain's latest anchor of this log: the local root at that size
   * must be the anchored root. Done once (at start-up, and by the first pass that reaches the chain
   * if the node was down then); a mismatch stops anchoring for good — anchoring a rewritten log
   * would put the rewrite on chain — and is kept as `historyMismatch()`.
   */
  checkHistory(): Promise<HistoryCheck> {
    let out: HistoryCheck = { result: 'unreachable', error: 'not checked' };
    return this.#serialized(async () => {
      try {
        await this.#checkHistoryOnce();
        out =
          this.#history instanceof LedgerError
            ? { result: 'mismatch', error: this.#history }
            : { result: 'ok', anchoredSize: this.#historyAnchoredSize };
      } catch (e) {
        out = { result: 'unreachable', error: message(e) };
      }
    }).then(() => out);
  }

  #historyAnchoredSize = 0;

  async #checkHistoryOnce(): Promise<void> {
    if (this.#history !== 'unchecked' || !this.#source.rootAt) {
      if (this.#history === 'unchecked') this.#history = 'ok';
      return;
    }
    const onChain = await this.#chain.latestAnchor(this.config.logId);
    this.#historyAnchoredSize = onChain.treeSize;
    if (onChain.treeSize === 0) {
      this.#history = 'ok';
      return;
    }
    const local = await this.#source.rootAt(onChain.treeSize);
    if (local !== undefined && hex(local) === onChain.root) {
      this.#history = 'ok';
      return;
    }
    const details = {
      anchoredSize: onChain.treeSize,
      anchoredRoot: onChain.root,
      localRoot: local === undefined ? null : hex(local),
      contract: this.#chain.contract,
      logId: this.config.logId,
    };
    this.#history = new LedgerError(
      'LL_LOG_INTEGRITY',
      local === undefined
        ? `the chain's latest anchor covers ${onChain.treeSize} leaves but the local log is shorter: ` +
            'history below an anchored checkpoint was lost (restored from an old backup?); writes refused'
        : `the local log's root at size ${onChain.treeSize} is ${details.localRoot}, but the chain anchored ` +
            `${onChain.root}: history below an anchored checkpoint was rewritten; writes refused`,
      details,
    );
    this.#lastError = this.#history.message;
    this.#onError(this.#history);
  }

  /** Anchor status of a log index (leaf position), for the read API: the best anchor covering it. */
  statusOfIndex(index: number): 'unanchored' | 'pending' | 'included' | 'final' {
    const covering = this.#records.filter((r) => r.treeSize > index);
    for (const s of ['final', 'included', 'pending'] as const)
      if (covering.some((r) => r.status === s)) return s;
    return 'unanchored';
  }

  // ---- the loop ----------------------------------------------------------------------------------

  async #run(): Promise<void> {
    let woken = false;
    let lastFullPass = -Infinity;
    while (this.#running) {
      let delay = this.config.pollIntervalMs;
      let backingOff = false;
      const passStarted = performance.now();
      try {
        // Woken by appends before the next poll is due: only whether an anchor is due now. The receipts,
        // re-org checks and records wait for the poll (under load a wake comes every minPassIntervalMs,
        // and each full pass is several RPCs and reads: ~50 RPCs a second at 6,000 commands/s).
        if (woken && passStarted - lastFullPass < this.config.pollIntervalMs) await this.#wokenPass();
        else {
          lastFullPass = passStarted;
          await this.tick();
        }
      } catch {
        delay = this.#backoff();
        backingOff = true;
      }
      if (!this.#running) break;
      await new Promise<void>((resolve) => {
        let t = setTimeout(resolve, delay);
        const wake = () => {
          clearTimeout(t);
          resolve();
        };
        this.#wakeForStop = wake;
        // While backing off, appends do not wake us: at 100 appends/s a dead node would get 100
        // passes a second instead of one every few seconds.
        woken = false;
        if (!backingOff)
          this.#wake = () => {
            this.#wake = undefined;
            woken = true;
            const wait = passStarted + this.config.minPassIntervalMs - performance.now();
            if (wait <= 0) return wake();
            if (wait >= delay) return; // the poll comes first anyway
            clearTimeout(t);
            t = setTimeout(resolve, wait);
          };
      });
      this.#wake = undefined;
      this.#wakeForStop = undefined;
    }
  }

  #backoff(): number {
    const { initialMs, maxMs } = this.config.backoff;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(this.#failures - 1, 30));
    return Math.round(base * (0.5 + Math.random() / 2));
  }

  #serialized(fn: () => Promise<void>): Promise<void> {
    const p = this.#pass.catch(() => {}).then(fn);
    this.#pass = p;
    return p;
  }

  /** A pass for a wake between polls: the full pass only if an anchor is due by the batching rule. */
  #wokenPass(): Promise<void> {
    return this.#serialized(async () => {
      if (this.historyMismatch() || this.#chainId === null) return this.#passOnce(false);
      const size = await this.#observeSize();
      if (size !== undefined && this.#anchorDue(size, false)) await this.#passOnce(false);
    });
  }

  async #passOnce(force: boolean): Promise<void> {
    if (this.historyMismatch()) return; // a rewritten log is never anchored
    try {
      // First, what the log holds: the lag must keep growing in status() while the chain is down.
      await this.#observeSize();
      this.#chainId ??= await this.#chain.chainId();
      await this.#checkHistoryOnce();
      if (this.historyMismatch()) return;
      await this.#refresh();
      // Re-orgs first (final, then included anchors go back to pending), then every pending anchor
      // oldest first: after a re-org each lost checkpoint is anchored again itself, in order (the
      // contract only takes growing sizes), rather than being overtaken by a later one.
      await this.#recheckFinal();
      for (const rec of this.#records.filter((r) => r.status === 'included')) await this.#advance(rec);
      const pending = this.#records.filter((r) => r.status === 'pending');
      for (const rec of pending.sort((a, b) => a.treeSize - b.treeSize)) await this.#advance(rec);
      await this.#maybeCreate(force);
      this.#failures = 0;
      this.#reachable = true;
      this.#lastError = null;
    } catch (e) {
      this.#failures++;
      this.#lastError = message(e);
      this.#reachable = !isUnavailable(e);
      this.#onError(e);
      throw e;
    } finally {
      await this.#refresh().catch(() => {});
    }
  }

  #scope() {
    return { logId: this.config.logId, chainId: this.#chainId as number, contract: this.#chain.contract };
  }

  /**
   * The records a pass works on: every unsettled anchor (pending, included) and everything from the
   * newest final anchor up. Not the whole history: one anchor a second is 86,400 records a day, and
   * reading them all on every pass made each pass (and the event loop) slower by the hour (found by the
   * soak: p50 rising minute after minute). The newest final anchor answers every question older finals
   * could (a final anchor of size n covers every index below n); older ones are read only after a re-org.
   */
  async #refresh(): Promise<void> {
    if (this.#chainId === null) return;
    const scope = this.#scope();
    const [newestFinal] = await this.#repo.list({
      ...scope,
      statuses: ['final'],
      newestFirst: true,
      limit: 1,
    });
    const unsettled = await this.#repo.list({ ...scope, statuses: ['pending', 'included'] });
    const recent = await this.#repo.list({ ...scope, minTreeSize: newestFinal?.treeSize ?? 0 });
    const bySize = new Map([...unsettled, ...recent].map((r) => [r.treeSize, r]));
    this.#records = [...bySize.values()].sort((a, b) => a.treeSize - b.treeSize);
    this.#lastCreatedAt ??= Math.max(0, ...this.#records.map((r) => r.createdAt)) || this.#now();
  }

  async #save(rec: AnchorRecord, changes: Partial<AnchorRecord>): Promise<AnchorRecord> {
    Object.assign(rec, changes, { updatedAt: this.#now() });
    await this.#repo.save(rec);
    return rec;
  }

  // ---- creating anchors --------------------------------------------------------------------------

  /**
   * The log's size (from the source's `currentSize`, else its latest checkpoint); updates the lag figures from
   * the records we hold.
   */
  async #observeSize(): Promise<number | undefined> {
    const size = this.#source.currentSize
      ? await this.#source.currentSize()
      : (await this.#source.latest())?.treeSize;
    if (size === undefined) return undefined;
    this.#checkpointSize = size;
    const live = this.#records.filter((r) => r.status !== 'failed' && r.status !== 'superseded');
    const included = Math.max(0, ...live.filter((r) => r.status !== 'pending').map((r) => r.treeSize));
    if (size <= included) this.#unanchoredSince = undefined;
    else this.#unanchoredSince ??= this.#now();
    return size;
  }

  /** The largest tree size a live (not failed, not superseded) anchor covers. */
  #anchoredSize(): number {
    const live = this.#records.filter((r) => r.status !== 'failed' && r.status !== 'superseded');
    return Math.max(0, ...live.map((r) => r.treeSize));
  }

  /** Whether a log of `size` gets a new anchor now (the batching rule; `force`: anchor now). */
  #anchorDue(size: number, force: boolean): boolean {
    const anchored = this.#anchoredSize();
    if (size <= anchored) return false;
    // One anchor in flight at a time: when the chain is slow the next one simply covers more events.
    if (this.#records.some((r) => r.status === 'pending')) return false;
    const now = this.#now();
    return (
      force ||
      size - anchored >= this.config.everyEvents ||
      now - (this.#lastCreatedAt ?? now) >= this.config.everySeconds * 1000
    );
  }

  async #maybeCreate(force: boolean): Promise<void> {
    const size = await this.#observeSize();
    if (size === undefined || !this.#anchorDue(size, force)) return;
    const anchored = this.#anchoredSize();
    const now = this.#now();
    const cp = await this.#source.latest();
    if (!cp || cp.treeSize <= anchored) return;
    const rec: AnchorRecord = {
      logId: this.config.logId,
      treeSize: cp.treeSize,
      root: hex(cp.rootHash),
      chainId: this.#chainId as number,
      contract: this.#chain.contract,
      txHash: null,
      blockNumber: null,
      blockHash: null,
      status: 'pending',
      attempts: 0,
      lastError: null,
      sentAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#repo.save(rec);
    this.#lastCreatedAt = now;
    this.#records.push(rec);
    await this.#send(rec);
  }

  /** Signs, records the tx hash, then broadcasts: a crash in between leaves a hash we can look up. */
  async #send(rec: AnchorRecord): Promise<void> {
    let prepared;
    try {
      prepared = await this.#chain.prepareAnchor(rec.logId, rec.treeSize, rec.root);
    } catch (e) {
      if (e instanceof AnchorRefused) return this.#reconcileRefusal(rec, e.message);
      await this.#save(rec, { lastError: message(e) });
      throw e;
    }
    await this.#save(rec, {
      txHash: prepared.txHash,
      sentAt: null,
      attempts: rec.attempts + 1,
      status: 'pending',
      blockNumber: null,
      blockHash: null,
    });
    try {
      await this.#chain.broadcast(prepared.rawTx);
    } catch (e) {
      await this.#save(rec, { lastError: message(e) });
      throw e;
    }
    await this.#save(rec, { sentAt: this.#now() });
  }

  // ---- following anchors -------------------------------------------------------------------------

  async #advance(rec: AnchorRecord): Promise<void> {
    if (rec.status === 'pending') {
      if (!rec.txHash) return this.#send(rec);
      const receipt = await this.#canonicalReceipt(rec.txHash);
      if (receipt) return this.#onReceipt(rec, receipt);
      if (await this.#chain.inMempool(rec.txHash)) return; // in the mempool: wait
      const lostFor = rec.sentAt === null ? Infinity : this.#now() - rec.sentAt;
      if (lostFor < this.config.resendAfterMs) return;
      // (sentAt null: the broadcast failed, or a re-org put it back here; lastError already says so)
      if (rec.sentAt !== null)
        await this.#save(rec, {
          lastError: `tx ${rec.txHash} unknown to the node (dropped or lost): re-sent`,
        });
      return this.#send(rec);
    }
    // included: still there, in the same block? final yet?
    const receipt = await this.#canonicalReceipt(rec.txHash as string);
    if (!receipt) {
      await this.#save(rec, {
        status: 'pending',
        lastError: `re-org: block ${rec.blockNumber} ${rec.blockHash} no longer holds tx ${rec.txHash}`,
        blockNumber: null,
        blockHash: null,
        sentAt: null, // re-sent at once below (oldest first) unless it is back in the mempool
      });
      return;
    }
    if (receipt.blockHash !== rec.blockHash) return this.#onReceipt(rec, receipt);
    if (await this.#isFinal(receipt.blockNumber)) await this.#save(rec, { status: 'final' });
  }

  /**
   * A re-org deeper than finality (a chain that broke its finality, a 51 % attack, a dev chain
   * reverted) would silently drop anchors we call final. So the newest final anchor is re-checked on
   * every full pass (two reads); if its receipt is gone or moved, every final anchor no longer in its block
   * goes back to pending and is sent again. Nothing anchored is forgotten.
   */
  async #recheckFinal(): Promise<void> {
    const newest = this.#records
      .filter((r) => r.status === 'final' && r.txHash)
      .sort((a, b) => b.treeSize - a.treeSize)[0];
    if (!newest) return;
    const receipt = await this.#canonicalReceipt(newest.txHash as string);
    if (receipt?.blockHash === newest.blockHash) return; // it and every older one still stand
    // A re-org deeper than finality: walk back through the whole history of final anchors.
    const finals = (
      await this.#repo.list({ ...this.#scope(), statuses: ['final'], newestFirst: true })
    ).filter((r) => r.txHash);
    for (const rec of finals) {
      const receipt = await this.#canonicalReceipt(rec.txHash as string);
      if (receipt?.blockHash === rec.blockHash) break; // this one and every older one still stand
      await this.#save(rec, {
        status: 'pending',
        lastError: `re-org deeper than finality: block ${rec.blockNumber} ${rec.blockHash} no longer holds tx ${rec.txHash}`,
        blockNumber: null,
        blockHash: null,
        sentAt: null,
      });
    }
    await this.#refresh(); // the pass goes on to re-send them
  }

  /** The receipt, but only if its block is the canonical block at that height (nodes may lag a re-org). */
  async #canonicalReceipt(txHash: string): Promise<ChainReceipt | null> {
    const receipt = await this.#chain.receipt(txHash);
    if (!receipt) return null;
    const block = await this.#chain.block(receipt.blockNumber);
    return block?.hash === receipt.blockHash ? receipt : null;
  }

  async #onReceipt(rec: AnchorRecord, receipt: ChainReceipt): Promise<void> {
    if (receipt.status === 'reverted')
      return this.#reconcileRefusal(rec, `tx ${receipt.transactionHash} reverted`);
    const ours = this.#chain
      .anchoredInReceipt(receipt)
      .find((a) => a.logId === rec.logId && a.treeSize === rec.treeSize && a.root === rec.root);
    if (!ours) {
      return void (await this.#save(rec, {
        status: 'failed',
        lastError: `receipt of ${receipt.transactionHash} has no matching Anchored event`,
      }));
    }
    await this.#markIncluded(rec, ours);
  }

  async #markIncluded(rec: AnchorRecord, ev: AnchoredEvent): Promise<void> {
    await this.#save(rec, {
      status: 'included',
      txHash: ev.txHash,
      blockNumber: ev.blockNumber,
      blockHash: ev.blockHash,
    });
    if (await this.#isFinal(ev.blockNumber)) await this.#save(rec, { status: 'final' });
  }

  async #isFinal(blockNumber: number): Promise<boolean> {
    const { mode, confirmations } = this.config.finality;
    if (mode === 'auto') {
      const finalized = await this.#chain.finalizedBlockNumber();
      if (finalized !== undefined) return finalized >= blockNumber;
    }
    if (confirmations === 0) return true;
    return (await this.#chain.blockNumber()) - blockNumber + 1 >= confirmations;
  }

  /**
   * The contract refused (or would refuse) this size. Either our anchor is already there through
   * another transaction (a re-sent duplicate after a re-org, or a tx that survived after all):
   * then it is included; or a larger size is anchored: superseded; or the chain has a different
   * root for this very size: a fork of the log, failed.
   */
  async #reconcileRefusal(rec: AnchorRecord, why: string): Promise<void> {
    const onChain = await this.#chain.latestAnchor(rec.logId);
    if (onChain.treeSize < rec.treeSize) {
      // Not a size problem (e.g. this key is not the operator): keep it pending and let the loop back off.
      await this.#save(rec, { lastError: why });
      throw new Error(`anchor of size ${rec.treeSize} refused: ${why}`);
    }
    const head = await this.#chain.blockNumber();
    const from = Math.max(0, head - this.config.logSearchBlocks);
    const events = await this.#chain.anchoredEvents(rec.logId, from, head);
    const landed = events.find((e) => e.treeSize === rec.treeSize);
    if (landed && landed.root === rec.root) return this.#markIncluded(rec, landed);
    if (landed || (onChain.treeSize === rec.treeSize && onChain.root !== rec.root)) {
      await this.#save(rec, {
        status: 'failed',
        lastError: `fork: the chain holds root ${landed?.root ?? onChain.root} for size ${rec.treeSize}, ours is ${rec.root}`,
      });
      return;
    }
    if (onChain.treeSize === rec.treeSize) {
      // Same (size, root) on chain but its event is older than the search window.
      await this.#save(rec, { status: 'included', lastError: `anchored by a tx older than ${from}; ${why}` });
      return;
    }
    await this.#save(rec, {
      status: 'superseded',
      lastError: `size ${onChain.treeSize} is already anchored; ${why}`,
    });
  }
}

const isUnavailable = (e: unknown) => (e as { code?: unknown } | null)?.code === 'LL_CHAIN_UNAVAILABLE';

/**
 * A page of anchors: by tree size, ascending from `fromTreeSize` (inclusive) or descending from it
 * (`desc`: the newest first), at most `limit` records.
 */
export interface AnchorPage {
  fromTreeSize?: number;
  order: 'asc' | 'desc';
  limit: number;
}

/** The public shape of GET /v1/log/anchors (root in base64, like every hash of the public log API). */
export function toPublicAnchor(r: AnchorRecord) {
  return {
    treeSize: r.treeSize,
    root: Buffer.from(r.root.slice(2), 'hex').toString('base64'),
    chainId: r.chainId,
    contract: r.contract,
    txHash: r.txHash ?? '',
    blockNumber: r.blockNumber,
    blockHash: r.blockHash,
    status: r.status,
  };
}
