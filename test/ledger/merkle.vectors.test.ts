import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  MemoryTree,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type Hash,
} from '../../src/ledger/merkle.ts';

/**
 * Known answers from the Certificate Transparency reference implementation, as carried by
 * transparency-dev/merkle proof/verify_test.go (8 leaves; inclusion vectors there are 1-based leaves).
 */
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const toHex = (h: Uint8Array): string => Buffer.from(h).toString('hex');

const leaves = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const roots = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const inclusionVectors: { index: number; size: number; path: string[] }[] = [
  {
    index: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const consistencyVectors: { size1: number; size2: number; path: string[] }[] = [
  { size1: 1, size2: 1, path: [] },
  {
    size1: 1,
    size2: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    size1: 6,
    size2: 8,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    size1: 2,
    size2: 5,
    path: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    size1: 6,
    size2: 7,
    path: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const tree = new MemoryTree();
for (const l of leaves) tree.appendLeaf(l);
const root = (n: number): Hash => hex(roots[n - 1] as string);

describe('RFC 9162 / CT reference vectors (8 leaves)', () => {
  it('empty tree root is SHA-256("")', () => {
    expect(toHex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(new MemoryTree().root())).toBe(toHex(EMPTY_ROOT));
  });

  it.each(roots.map((r, i) => [i + 1, r] as const))('root of size %i', (size, expected) => {
    expect(toHex(tree.root(size))).toBe(expected);
  });

  it.each(inclusionVectors)('inclusion proof index $index size $size', ({ index, size, path }) => {
    const proof = tree.inclusionProof(index, size);
    expect(proof.map(toHex)).toEqual(path);
    expect(verifyInclusion(index, size, leafHash(leaves[index] as Uint8Array), proof, root(size))).toBe(true);
  });

  it.each(consistencyVectors)('consistency proof $size1 → $size2', ({ size1, size2, path }) => {
    const proof = tree.consistencyProof(size1, size2);
    expect(proof.map(toHex)).toEqual(path);
    expect(verifyConsistency(size1, size2, root(size1), root(size2), proof)).toBe(true);
  });

  it('trivial consistency cases follow transparency-dev semantics', () => {
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, root(5), [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, root(5), [root(1)])).toBe(false);
    expect(verifyConsistency(3, 3, root(3), root(3), [])).toBe(true);
    expect(verifyConsistency(3, 3, root(3), root(4), [])).toBe(false);
    expect(verifyConsistency(3, 3, root(3), root(3), [root(1)])).toBe(false);
    expect(verifyConsistency(2, 1, root(2), root(1), [])).toBe(false);
    expect(verifyConsistency(1, 2, root(1), root(2), [])).toBe(false);
  });

  it('inclusion rejects out-of-range indexes and malformed hashes', () => {
    const proof = tree.inclusionProof(5, 8);
    const lh = leafHash(leaves[5] as Uint8Array);
    expect(verifyInclusion(8, 8, lh, proof, root(8))).toBe(false);
    expect(verifyInclusion(-1, 8, lh, proof, root(8))).toBe(false);
    expect(verifyInclusion(5, 8, lh.subarray(1), proof, root(8))).toBe(false);
    expect(verifyInclusion(5, 8, lh, [...proof, new Uint8Array(0)], root(8))).toBe(false);
    expect(verifyInclusion(5, 8, lh, [...proof, root(8)], root(8))).toBe(false);
    expect(verifyInclusion(5, 8, lh, [root(8), ...proof], root(8))).toBe(false);
    expect(verifyInclusion(5, 8, lh, proof.slice(0, -1), root(8))).toBe(false);
  });
});
