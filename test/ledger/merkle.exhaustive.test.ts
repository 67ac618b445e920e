import { describe, expect, it } from 'vitest';
import {
  MemoryTree,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/ledger/merkle.ts';

/**
 * Every (index, size) and every (size1, size2) up to 64 leaves verifies, and single-bit changes fail:
 * - every one of the 256 bits of the leaf hash, of each path element and of the root(s), for every pair
 *   up to 16 leaves; above that one bit per byte (a different bit in each byte), so every byte of every
 *   element is still hit while the run stays short;
 * - every bit of the index below 2^12; every bit of a size below 2^12, checked against the real root of
 *   the changed size (the root a checkpoint for that size would carry: an inclusion proof alone does not
 *   bind the tree size, the signed checkpoint binds size and root together, see docs/hashing.md).
 * Failures are collected and compared once: one `expect` per probe would dominate the run time.
 */
const MAX = 64;
const REF = 4200; // sizes with a flipped bit below 2^12 read their root from this tree
const tree = new MemoryTree();
const leaf = (i: number): Uint8Array => new TextEncoder().encode(`leaf ${i}`);
for (let i = 0; i < REF; i++) tree.appendLeaf(leaf(i));
const rootCache = new Map<number, Hash>();
const root = (n: number): Hash => {
  let r = rootCache.get(n);
  if (!r) rootCache.set(n, (r = tree.root(n)));
  return r;
};

const flip = (h: Hash, bit: number): Hash => {
  const c = Uint8Array.from(h);
  c[bit >> 3] = (c[bit >> 3] as number) ^ (1 << (bit & 7));
  return c;
};
const bitsFor = (size: number): number[] =>
  size <= 16
    ? Array.from({ length: 256 }, (_, b) => b)
    : Array.from({ length: 32 }, (_, byte) => byte * 8 + (byte % 8));

describe('exhaustive inclusion up to 64 leaves', () => {
  it('every (index, size) verifies and every single-bit change fails', () => {
    const notVerified: string[] = [];
    const wronglyVerified: string[] = [];
    let probes = 0;
    const mustFail = (ok: boolean, what: () => string) => {
      probes++;
      if (ok) wronglyVerified.push(what());
    };
    for (let size = 1; size <= MAX; size++) {
      for (let index = 0; index < size; index++) {
        const lh = leafHash(leaf(index));
        const path = tree.inclusionProof(index, size);
        if (!verifyInclusion(index, size, lh, path, root(size))) notVerified.push(`${index}/${size}`);
        for (const b of bitsFor(size)) {
          mustFail(
            verifyInclusion(index, size, flip(lh, b), path, root(size)),
            () => `${index}/${size} leaf bit ${b}`,
          );
          mustFail(
            verifyInclusion(index, size, lh, path, flip(root(size), b)),
            () => `${index}/${size} root bit ${b}`,
          );
          for (let e = 0; e < path.length; e++) {
            const bad = path.slice();
            bad[e] = flip(path[e] as Hash, b);
            mustFail(
              verifyInclusion(index, size, lh, bad, root(size)),
              () => `${index}/${size} path[${e}] bit ${b}`,
            );
          }
        }
        for (let b = 0; b < 12; b++) {
          const i2 = index ^ (1 << b);
          mustFail(verifyInclusion(i2, size, lh, path, root(size)), () => `${index}/${size} index bit ${b}`);
          const s2 = size ^ (1 << b);
          if (s2 > 0 && s2 <= REF)
            mustFail(verifyInclusion(index, s2, lh, path, root(s2)), () => `${index}/${size} size bit ${b}`);
        }
      }
    }
    expect(notVerified).toEqual([]);
    expect(wronglyVerified).toEqual([]);
    expect(probes).toBeGreaterThan(100_000);
  });
});

describe('exhaustive consistency up to 64 leaves', () => {
  it('every (size1, size2) verifies and every single-bit change fails', () => {
    const notVerified: string[] = [];
    const wronglyVerified: string[] = [];
    let probes = 0;
    const mustFail = (ok: boolean, what: () => string) => {
      probes++;
      if (ok) wronglyVerified.push(what());
    };
    for (let size2 = 1; size2 <= MAX; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const path = tree.consistencyProof(size1, size2);
        const r1 = root(size1);
        const r2 = root(size2);
        const at = `${size1}→${size2}`;
        if (!verifyConsistency(size1, size2, r1, r2, path)) notVerified.push(at);
        if (size1 === size2) continue; // empty proof: only the roots can change, covered by the vectors
        for (const b of bitsFor(size2)) {
          mustFail(verifyConsistency(size1, size2, flip(r1, b), r2, path), () => `${at} root1 bit ${b}`);
          mustFail(verifyConsistency(size1, size2, r1, flip(r2, b), path), () => `${at} root2 bit ${b}`);
          for (let e = 0; e < path.length; e++) {
            const bad = path.slice();
            bad[e] = flip(path[e] as Hash, b);
            mustFail(verifyConsistency(size1, size2, r1, r2, bad), () => `${at} path[${e}] bit ${b}`);
          }
        }
        for (let b = 0; b < 12; b++) {
          const s1 = size1 ^ (1 << b);
          const s2 = size2 ^ (1 << b);
          if (s1 > 0 && s1 <= size2)
            mustFail(verifyConsistency(s1, size2, root(s1), r2, path), () => `${at} size1 bit ${b}`);
          if (s2 >= size1 && s2 <= REF)
            mustFail(verifyConsistency(size1, s2, r1, root(s2), path), () => `${at} size2 bit ${b}`);
        }
      }
    }
    expect(notVerified).toEqual([]);
    expect(wronglyVerified).toEqual([]);
    expect(probes).toBeGreaterThan(100_000);
  });
});
