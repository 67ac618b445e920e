import type { PositionedEvent } from '../../events/envelope.ts';
import { LedgerError } from '../../errors.ts';
import type { LogService } from '../../ledger/logService.ts';
import type { AnchorRecordView, BundleSources } from './build.ts';

type MaybePromise<T> = T | Promise<T>;

/**
 * BundleSources over the running ledger: the Merkle log service (proofs, stored signed checkpoints,
 * the log key) and the anchorer's durable records. The composition root calls this once.
 */
export function ledgerBundleSources(opts: {
  logService: LogService;
  /** The anchorer's records for this log (e.g. `() => anchorRepository.list({ logId })`). */
  anchors: () => MaybePromise<AnchorRecordView[]>;
  /** Witness vkeys, only if the stored checkpoints carry their cosignatures. */
  witnessKeys?: string[];
}): BundleSources {
  const { logService } = opts;
  const log = logService.log;
  return {
    inclusionProof: (index, size) => log.inclusionProof(index, size),
    consistencyProof: (a, b) => log.consistencyProof(a, b),
    checkpointAt: (size) => log.tree.checkpoints().find((c) => c.size === size)?.note,
    latestCheckpoint: () => logService.latestCheckpoint(),
    verifierKeys: () => [logService.verifierKey(), ...(opts.witnessKeys ?? [])],
    anchors: opts.anchors,
    ...(log.store.kind === 'esdb'
      ? { leafIndexOf: (e: PositionedEvent) => leafIndexByPosition(log.tree, log.size, e) }
      : {}),
  };
}

/** On EventStoreDB positions are sparse but increasing with the leaf index: binary search them. */
function leafIndexByPosition(
  tree: { leafPositions(start: number, end: number): number[] },
  size: number,
  e: PositionedEvent,
): number {
  let lo = 0;
  let hi = size - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const p = tree.leafPositions(mid, mid + 1)[0]!;
    if (p === e.position) return mid;
    if (p < e.position) lo = mid + 1;
    else hi = mid - 1;
  }
  throw new LedgerError('LL_EVIDENCE_NOT_ANCHORED', `event ${e.id} is not in the Merkle log yet`);
}
