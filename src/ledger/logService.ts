import { z } from 'zod';
import { LedgerError } from '../errors.ts';
import { describeSqliteFailure, isWriteUnavailable } from '../store/sqlite/failure.ts';
import { CheckpointSigner } from './checkpoint.ts';
import type { MerkleLog } from './merkleLog.ts';
import { encodeBase64, type NoteSigner } from './signedNote.ts';

/**
 * What the public log API serves (GET /v1/log/...): checkpoints, the verifier key, proofs, leaf hashes
 * and entries. Parameters arrive as query strings or numbers; anything that is not a non-negative
 * integer in range is LL_INVALID_QUERY naming the parameter. Role checks (entries: operator and
 * regulator only) belong to the HTTP layer.
 */
export const MAX_LEAVES_PER_CALL = 1000;

const Count = z
  .union([z.number(), z.string().regex(/^\d+$/).transform(Number)])
  .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER));

function param(name: string, value: unknown): number {
  const r = Count.safeParse(value);
  if (!r.success) throw badParam(name, 'must be a non-negative integer', value);
  return r.data;
}

const badParam = (parameter: string, message: string, value: unknown): LedgerError =>
  new LedgerError('LL_INVALID_QUERY', `${parameter} ${message}`, { parameter, value });

export interface InclusionProofResponse {
  index: number;
  treeSize: number;
  path: string[];
}
export interface ConsistencyProofResponse {
  first: number;
  second: number;
  path: string[];
}

export interface LogService {
  /** The latest signed checkpoint (C2SP note text); signs a new one first if the log grew. */
  latestCheckpoint(): Promise<string>;
  verifierKey(): string;
  origin(): string;
  inclusionProof(index: unknown, treeSize: unknown): InclusionProofResponse;
  consistencyProof(first: unknown, second: unknown): ConsistencyProofResponse;
  leafHashes(start: unknown, end: unknown): { hashes: string[] };
  entries(start: unknown, end: unknown): Promise<{ entries: { index: number; leaf: string }[] }>;
  readonly log: MerkleLog;
  readonly checkpoints: CheckpointSigner;
}

export function createLogService(opts: { log: MerkleLog; signer: NoteSigner; origin: string }): LogService {
  const { log } = opts;
  const checkpoints = new CheckpointSigner({
    origin: opts.origin,
    signer: opts.signer,
    state: log.tree,
    consistencyProof: (a, b) => log.consistencyProof(a, b),
  });
  const b64 = (hs: Uint8Array[]) => hs.map(encodeBase64);
  const range = (start: unknown, end: unknown) => {
    const s = param('start', start);
    const e = param('end', end);
    if (e > log.size) throw badParam('end', `must not exceed the tree size ${log.size}`, end);
    if (s > e) throw badParam('start', 'must not exceed end', start);
    if (e - s > MAX_LEAVES_PER_CALL)
      throw badParam('end', `may be at most start + ${MAX_LEAVES_PER_CALL}`, end);
    return [s, e] as const;
  };

  return {
    log,
    checkpoints,
    async latestCheckpoint() {
      const last = () => checkpoints.latest();
      try {
        await log.catchUp();
        const size = log.size;
        const signed = last();
        if (signed && signed.size >= size) return signed.note;
        return checkpoints.sign(size, log.root(size));
      } catch (e) {
        // The disk cannot take the new tree nodes or checkpoint (full, read-only): the last signed
        // checkpoint is still true, only behind; serve it (reads go on during a write outage).
        // Integrity failures are never masked.
        const signed = last();
        if (!isWriteUnavailable(e)) throw e;
        if (signed) return signed.note;
        throw new LedgerError(
          'LL_STORE_UNAVAILABLE',
          `no checkpoint can be signed now: ${describeSqliteFailure(e)}`,
        );
      }
    },
    verifierKey: () => opts.signer.verifierKey,
    origin: () => opts.origin,
    inclusionProof(index, treeSize) {
      const n = param('treeSize', treeSize);
      const i = param('index', index);
      if (n > log.size) throw badParam('treeSize', `must not exceed the tree size ${log.size}`, treeSize);
      if (i >= n) throw badParam('index', 'must be less than treeSize', index);
      return { index: i, treeSize: n, path: b64(log.inclusionProof(i, n)) };
    },
    consistencyProof(first, second) {
      const a = param('first', first);
      const b = param('second', second);
      if (b > log.size) throw badParam('second', `must not exceed the tree size ${log.size}`, second);
      if (a > b) throw badParam('first', 'must not exceed second', first);
      return { first: a, second: b, path: b64(log.consistencyProof(a, b)) };
    },
    leafHashes(start, end) {
      const [s, e] = range(start, end);
      return { hashes: b64(log.leafHashes(s, e)) };
    },
    async entries(start, end) {
      const [s, e] = range(start, end);
      const leaves = await log.entries(s, e);
      return { entries: leaves.map((leaf, k) => ({ index: s + k, leaf: encodeBase64(leaf) })) };
    },
  };
}
