import type { SignedCheckpointRecord, CheckpointStateStore } from './checkpoint.ts';
import type { Hash, NodeId } from './merkle.ts';

/**
 * Where the Merkle log keeps its tree: every complete subtree hash by (level, index) — 2n−1 hashes for
 * n leaves — so the root of any historical size and any proof are O(log n) point reads, never a rebuild.
 * Plus the store position of each leaf (dense stores: equal to the index; EventStoreDB: its commit
 * position), the follower's cursor, and the signed checkpoints. Reads are synchronous so proofs are a
 * few microseconds on SQLite; a batch append is one transaction.
 */
export interface LogState {
  /** Leaves in the tree. */
  size: number;
  /** Store position to read next (page.nextPosition of the last batch). */
  cursor: number;
}

export interface LeafBatch {
  /** Every complete subtree the batch completed (leaves included), from CompactRange.append. */
  nodes: { level: number; index: number; hash: Hash }[];
  /** Store position of each new leaf, by leaf index. */
  leaves: { index: number; position: number }[];
  state: LogState;
}

export interface TreeStore extends CheckpointStateStore {
  state(): LogState;
  /** Reads what is stored (no cache); throws if the node is not stored (a bug or a truncated tree). */
  readNode(level: number, index: number): Hash;
  /** The proof path: many nodes in one go, upper levels may come from an in-memory cache. */
  readNodes(nodes: readonly NodeId[]): Hash[];
  /** Leaf hashes [start, end). */
  leafHashes(start: number, end: number): Hash[];
  /** Store positions of leaves [start, end). */
  leafPositions(start: number, end: number): number[];
  /** Writes the batch and the new state atomically. */
  appendBatch(batch: LeafBatch): void;
  /** Every checkpoint the log signed, oldest first. */
  checkpoints(): SignedCheckpointRecord[];
}
