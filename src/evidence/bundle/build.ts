import { canonicalBytes } from '../../events/canonicalJson.ts';
import { toHashedForm, type PositionedEvent } from '../../events/envelope.ts';
import { LedgerError } from '../../errors.ts';
import type { Hash } from '../../ledger/merkle.ts';
import { BUNDLE_FORMAT, EvidenceBundle, type Anchor, type Subject } from './format.ts';
import { noteTreeSize } from './note.ts';
import { verifyBundleOffline } from './verify.ts';

/**
 * Cuts a bundle out of the log. Everything it reads comes in through `BundleSources`, so tests and the
 * bench hand it the real store, the real Merkle log and real anchor records, and the server hands it the
 * same; the builder itself does no I/O of its own.
 */

type MaybePromise<T> = T | Promise<T>;

/** An anchor as the anchorer records it (src/anchor): what was sent, and what the chain said about it. */
export interface AnchorRecordView {
  treeSize: number;
  /** 0x + 64 hex. */
  root: string;
  chainId: number;
  contract: string;
  logId: string;
  txHash: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  /** Only 'included' and 'final' anchors are used; anything else (pending, replaced…) is skipped. */
  status: string;
}

export interface BundleSources {
  inclusionProof(index: number, treeSize: number): MaybePromise<Hash[]>;
  consistencyProof(first: number, second: number): MaybePromise<Hash[]>;
  /** The signed checkpoint note of exactly this tree size, if the log has one. */
  checkpointAt(treeSize: number): MaybePromise<string | undefined>;
  latestCheckpoint(): MaybePromise<string>;
  /** The log's verifier key first, then witness keys. */
  verifierKeys(): MaybePromise<string[]>;
  anchors(): MaybePromise<AnchorRecordView[]>;
  /** Leaf index of an event; default: its store position (dense on SQLite and PostgreSQL). */
  leafIndexOf?(event: PositionedEvent): MaybePromise<number>;
}

export interface BuildOptions {
  /** Re-verify the bundle offline before handing it out (default true): a court never gets a broken one. */
  selfCheck?: boolean;
}

const b64 = (h: Uint8Array): string => Buffer.from(h).toString('base64');

/**
 * Picks the anchor the proofs lead to: a final one if any covers every event (the newest, so the
 * consistency proof to the latest checkpoint is short), else the oldest included one (most confirmations).
 */
export function chooseAnchor(
  anchors: readonly AnchorRecordView[],
  minTreeSize: number,
): AnchorRecordView | undefined {
  const usable = anchors.filter(
    (a) =>
      a.treeSize >= minTreeSize && a.blockNumber !== null && a.blockHash !== null && a.status !== 'pending',
  );
  const final = usable.filter((a) => a.status === 'final').sort((a, b) => b.treeSize - a.treeSize);
  const included = usable.filter((a) => a.status === 'included').sort((a, b) => a.treeSize - b.treeSize);
  return final[0] ?? included[0];
}

export async function buildBundle(
  subject: Subject,
  events: readonly PositionedEvent[],
  sources: BundleSources,
  options: BuildOptions = {},
): Promise<EvidenceBundle> {
  if (events.length === 0)
    throw new LedgerError('LL_NOT_FOUND', `no events for ${subject.kind} ${subject.id}`);
  const indexed = await Promise.all(
    events.map(async (e) => ({ e, index: sources.leafIndexOf ? await sources.leafIndexOf(e) : e.position })),
  );
  indexed.sort((a, b) => a.index - b.index);
  const maxIndex = indexed[indexed.length - 1]!.index;

  const record = chooseAnchor(await sources.anchors(), maxIndex + 1);
  if (!record) {
    throw new LedgerError(
      'LL_EVIDENCE_NOT_ANCHORED',
      `the events of ${subject.kind} ${subject.id} are not anchored yet`,
      {
        lastIndex: maxIndex,
      },
    );
  }
  const size = record.treeSize;
  const checkpoint = await sources.checkpointAt(size);
  if (checkpoint === undefined) {
    throw new LedgerError(
      'LL_LOG_INTEGRITY',
      `no signed checkpoint of size ${size} for the anchor ${record.txHash}`,
    );
  }
  const latest = await sources.latestCheckpoint();
  const latestSize = noteTreeSize(latest);
  if (latestSize === undefined || latestSize < size) {
    throw new LedgerError('LL_LOG_INTEGRITY', 'the latest checkpoint is older than the anchored one');
  }

  const bundleEvents = await Promise.all(
    indexed.map(async ({ e, index }) => ({
      index,
      canonical: Buffer.from(canonicalBytes(toHashedForm(e))).toString('base64'),
      inclusionProof: (await sources.inclusionProof(index, size)).map(b64),
    })),
  );
  const anchor: Anchor = {
    chainId: record.chainId,
    contract: record.contract.toLowerCase(),
    logId: record.logId.toLowerCase(),
    txHash: record.txHash!.toLowerCase(),
    blockNumber: record.blockNumber!,
    blockHash: record.blockHash!.toLowerCase(),
    status: record.status === 'final' ? 'final' : 'included',
  };
  const bundle = EvidenceBundle.parse({
    format: BUNDLE_FORMAT,
    subject,
    verifierKeys: await sources.verifierKeys(),
    events: bundleEvents,
    checkpoint,
    anchor,
    latest: {
      checkpoint: latest,
      consistencyProof: (await sources.consistencyProof(size, latestSize)).map(b64),
    },
  });

  if (options.selfCheck ?? true) {
    const failed = verifyBundleOffline(bundle).checks.filter((c) => c.status === 'fail');
    if (failed.length > 0) {
      throw new LedgerError('LL_LOG_INTEGRITY', 'the evidence bundle does not verify', {
        failed: failed.map((c) => `${c.check}: ${c.detail}`).slice(0, 5),
      });
    }
  }
  return bundle;
}
