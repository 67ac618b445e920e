import { hash as nodeCryptoHash } from 'node:crypto';

/**
 * RFC 9162 §2.1 Merkle tree math, pure (no I/O). Every hash the log publishes comes from here.
 *
 * Storage model shared by the in-memory tree and the persisted one: only hashes of COMPLETE subtrees
 * exist, addressed by (level, index): level 0 index i is leaf i's hash; level l index i covers leaves
 * [i·2^l, (i+1)·2^l). Any tree size's root, and any proof node, is a fold of at most ⌈log2 n⌉ of them, so
 * a proof is planned first (which nodes to read), then read (one batch: memory, SQLite or PostgreSQL),
 * then assembled. Sizes and indexes are JS numbers (exact up to 2^53); no 32-bit bit operations.
 */

export type Hash = Uint8Array;
export const HASH_SIZE = 32;

/**
 * SHA-256. Node's one-shot `crypto.hash` (Node ≥ 20.12) measured ~2-4× faster than @noble/hashes for the
 * 65- and 513-byte inputs a log hashes (bench/merkle.bench.ts); per-call overhead dominates, not bytes.
 */
export const sha256 = (data: Uint8Array): Hash => nodeCryptoHash('sha256', data, 'buffer');

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Scratch buffers: hashing is synchronous, so one is never shared between two calls in flight, and
// reusing them saves an allocation per hash (measurable when building a million-leaf tree).
let leafScratch = new Uint8Array(1024);

/** SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf: Uint8Array): Hash {
  if (leaf.length + 1 > leafScratch.length) leafScratch = new Uint8Array(2 * (leaf.length + 1));
  leafScratch[0] = LEAF_PREFIX;
  leafScratch.set(leaf, 1);
  return sha256(leafScratch.subarray(0, leaf.length + 1));
}

/**
 * SHA-256(0x00 ‖ UTF-8 of `text`): `leafHash` of a leaf given as a well-formed string, hashed without
 * encoding it to bytes first (one copy and ~1 µs less per leaf).
 */
export const leafHashOfText = (text: string): Hash => nodeCryptoHash('sha256', `\u0000${text}`, 'buffer');

const nodeScratch = new Uint8Array(1 + 2 * HASH_SIZE);
nodeScratch[0] = NODE_PREFIX;

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    throw new RangeError('node children must be 32 bytes');
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return sha256(nodeScratch);
}

/** Root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = sha256(new Uint8Array(0));

/** A complete subtree: leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative safe integer`);
}

/** Largest power of two strictly less than n (n ≥ 2): RFC 9162's split point k. */
export function splitPoint(n: number): number {
  if (n <= 2 ** 31) return 2 ** (31 - Math.clz32(n - 1));
  let k = 2 ** 31;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Largest power of two ≤ n (n ≥ 1). */
const floorPow2 = (n: number): number => (n === 1 ? 1 : splitPoint(n + 1));

/** Largest power of two dividing x (x ≥ 1). */
function lowBit(x: number): number {
  if (x < 2 ** 31) return x & -x;
  let b = 1;
  while (x % (b * 2) === 0) b *= 2;
  return b;
}

/**
 * The complete subtrees covering [start, end), left to right (sizes strictly decreasing when start is
 * aligned as in RFC 9162's recursion). Their right fold is MTH(D[start:end]).
 */
export function rangeNodes(start: number, end: number): NodeId[] {
  const nodes: NodeId[] = [];
  while (start < end) {
    const rest = floorPow2(end - start);
    const width = start === 0 ? rest : Math.min(lowBit(start), rest);
    const level = width <= 2 ** 31 ? 31 - Math.clz32(width) : Math.round(Math.log2(width));
    nodes.push({ level, index: start / width });
    start += width;
  }
  return nodes;
}

/** MTH of a range from its complete subtrees (left to right): H(S1, H(S2, … H(Sk-1, Sk))). */
export function foldRange(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return EMPTY_ROOT;
  let acc = hashes[hashes.length - 1] as Hash;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i] as Hash, acc);
  return acc;
}

/** A planned proof: one entry per proof element, each the complete subtrees whose fold is that element. */
export type ProofPlan = NodeId[][];

/** Root of a tree of `size` leaves. */
export function rootPlan(size: number): NodeId[] {
  checkSize('size', size);
  return rangeNodes(0, size);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges, leaf side first. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  checkSize('index', index);
  checkSize('size', size);
  if (index >= size) throw new RangeError('index must be less than size');
  const siblings: [number, number][] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      siblings.push([lo + k, hi]);
      hi = lo + k;
    } else {
      siblings.push([lo, lo + k]);
      lo += k;
    }
  }
  return siblings.reverse().map(([a, b]) => rangeNodes(a, b));
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) as ranges, in proof order. */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 > size2) throw new RangeError('size1 must not exceed size2');
  if (size1 === 0 || size1 === size2) return [];
  const parts: [number, number][] = [];
  let lo = 0;
  let hi = size2;
  let m = size1; // relative to lo
  let b = true;
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!b) parts.push([lo, hi]);
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      parts.push([lo + k, hi]);
      hi = lo + k;
    } else {
      parts.push([lo, lo + k]);
      m -= k;
      lo += k;
      b = false;
    }
  }
  return parts.reverse().map(([a, c]) => rangeNodes(a, c));
}

/** Reads the hash of a stored complete subtree; throws if it is not stored. */
export type HashReader = (level: number, index: number) => Hash;
/** Reads many stored subtrees in one go (one SQL statement), in the order given. */
export type BatchHashReader = (nodes: readonly NodeId[]) => Hash[];
/** The same, for stores that answer asynchronously (PostgreSQL). */
export type AsyncHashReader = (nodes: readonly NodeId[]) => Promise<Hash[]>;

export const resolvePlan = (plan: ProofPlan, read: HashReader): Hash[] =>
  plan.map((nodes) => foldRange(nodes.map((n) => read(n.level, n.index))));

export function resolvePlanBatch(plan: ProofPlan, readMany: BatchHashReader): Hash[] {
  const hashes = readMany(plan.flat());
  let at = 0;
  return plan.map((nodes) => {
    const part = hashes.slice(at, at + nodes.length);
    at += nodes.length;
    return foldRange(part);
  });
}

export async function resolvePlanAsync(plan: ProofPlan, readMany: AsyncHashReader): Promise<Hash[]> {
  const flat = plan.flat();
  const hashes = await readMany(flat);
  let at = 0;
  return plan.map((nodes) => {
    const part = hashes.slice(at, at + nodes.length);
    at += nodes.length;
    return foldRange(part);
  });
}

export const rootFrom = (size: number, read: HashReader): Hash =>
  foldRange(rootPlan(size).map((n) => read(n.level, n.index)));
export const inclusionProof = (index: number, size: number, read: HashReader): Hash[] =>
  resolvePlan(inclusionPlan(index, size), read);
export const consistencyProof = (size1: number, size2: number, read: HashReader): Hash[] =>
  resolvePlan(consistencyPlan(size1, size2), read);

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

const isHash = (h: unknown): h is Hash => h instanceof Uint8Array && h.length === HASH_SIZE;
const half = (x: number): number => Math.floor(x / 2);
const odd = (x: number): boolean => x % 2 === 1;
function isPowerOfTwo(n: number): boolean {
  while (n > 1 && n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or undefined if the proof cannot be valid for
 * (index, size) (wrong length, bad element size).
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Hash,
  path: readonly Hash[],
): Hash | undefined {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size)
    return undefined;
  if (!isHash(leaf)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (!isHash(p)) return undefined;
    if (sn === 0) return undefined;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** RFC 9162 §2.1.3.2: true iff `path` proves leaf hash `leaf` is at `index` in the tree of `size` with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  path: readonly Hash[],
  root: Hash,
): boolean {
  const r = rootFromInclusionProof(index, size, leaf, path);
  return r !== undefined && isHash(root) && hashesEqual(r, root);
}

/**
 * RFC 9162 §2.1.4.2, plus the trivial cases the RFC leaves to the caller (as transparency-dev/merkle does):
 * size1 = 0 is consistent with anything given an empty proof; size1 = size2 needs an empty proof and equal roots.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Hash,
  root2: Hash,
  path: readonly Hash[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size2 < size1)
    return false;
  if (!isHash(root1) || !isHash(root2) || !path.every(isHash)) return false;
  if (size1 === 0) return path.length === 0;
  if (size1 === size2) return path.length === 0 && hashesEqual(root1, root2);
  if (path.length === 0) return false;
  // Step 2: if size1 is a power of two, the old root itself starts the path.
  const p = isPowerOfTwo(size1) ? [root1, ...path] : [...path];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = p[0] as Hash;
  let sr = p[0] as Hash;
  for (let i = 1; i < p.length; i++) {
    const c = p[i] as Hash;
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashesEqual(fr, root1) && hashesEqual(sr, root2);
}

/**
 * The right border of a growing tree (a "compact range" over [0, size)): the complete subtrees whose fold
 * is the root. Appending a leaf hash returns every complete subtree that the append completed: exactly
 * the nodes a persisted tree has to store, so n appends store 2n−1 nodes and hash 2n−1 times in total.
 */
export class CompactRange {
  private readonly stack: { level: number; index: number; hash: Hash }[] = [];
  private count = 0;

  /** Rebuilds the border of a tree of `size` leaves from its stored nodes (O(log n) reads). */
  static load(size: number, read: HashReader): CompactRange {
    const range = new CompactRange();
    for (const n of rangeNodes(0, size)) range.stack.push({ ...n, hash: read(n.level, n.index) });
    range.count = size;
    return range;
  }

  get size(): number {
    return this.count;
  }

  clone(): CompactRange {
    const c = new CompactRange();
    c.stack.push(...this.stack);
    c.count = this.count;
    return c;
  }

  /** Appends one leaf hash; calls `emit` for each newly completed subtree (the leaf first, then parents). */
  append(leaf: Hash, emit: (level: number, index: number, hash: Hash) => void): void {
    let node = { level: 0, index: this.count, hash: leaf };
    emit(0, this.count, leaf);
    this.count++;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined || top.level !== node.level) break;
      this.stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      emit(node.level, node.index, node.hash);
    }
    this.stack.push(node);
  }

  root(): Hash {
    return foldRange(this.stack.map((n) => n.hash));
  }
}

/**
 * All complete subtrees of a tree, in memory: the reference the persisted store is tested against.
 * Hashes are packed into one growable byte array per level (not one object per node), which keeps a
 * million-leaf tree off the garbage collector's back.
 */
export class MemoryTree {
  private readonly levels: { bytes: Uint8Array; count: number }[] = [];
  private readonly border = new CompactRange();

  get size(): number {
    return this.border.size;
  }

  private store(level: number, index: number, hash: Hash): void {
    let l = this.levels[level];
    if (!l) this.levels[level] = l = { bytes: new Uint8Array(HASH_SIZE * 1024), count: 0 };
    if ((index + 1) * HASH_SIZE > l.bytes.length) {
      const grown = new Uint8Array(l.bytes.length * 2);
      grown.set(l.bytes);
      l.bytes = grown;
    }
    l.bytes.set(hash, index * HASH_SIZE);
    l.count = Math.max(l.count, index + 1);
  }

  appendLeafHash(h: Hash): void {
    this.border.append(h, (level, index, hash) => this.store(level, index, hash));
  }

  appendLeaf(leaf: Uint8Array): void {
    this.appendLeafHash(leafHash(leaf));
  }

  readonly read: HashReader = (level, index) => {
    const l = this.levels[level];
    if (!l || !Number.isInteger(index) || index < 0 || index >= l.count)
      throw new RangeError(`no complete subtree at level ${level} index ${index}`);
    return l.bytes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  };

  root(size = this.size): Hash {
    if (size > this.size) throw new RangeError('size exceeds the tree');
    return rootFrom(size, this.read);
  }

  inclusionProof(index: number, size = this.size): Hash[] {
    if (size > this.size) throw new RangeError('size exceeds the tree');
    return inclusionProof(index, size, this.read);
  }

  consistencyProof(size1: number, size2 = this.size): Hash[] {
    if (size2 > this.size) throw new RangeError('size exceeds the tree');
    return consistencyProof(size1, size2, this.read);
  }
}
