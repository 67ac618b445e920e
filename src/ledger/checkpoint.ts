import { LedgerError } from '../errors.ts';
import { LEAF_FORMAT } from './leaf.ts';
import { hashesEqual, verifyConsistency, HASH_SIZE, type Hash } from './merkle.ts';
import {
  addSignature,
  decodeBase64Strict,
  encodeBase64,
  formatNote,
  parseNote,
  parseVerifierKey,
  verifyNote,
  type Note,
  type NoteSigner,
  type NoteVerifier,
} from './signedNote.ts';

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint): the note text is
 *   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines\n]
 * signed as a C2SP signed note by the log's Ed25519 key, optionally cosigned by witnesses.
 */
export interface Checkpoint {
  origin: string;
  size: number;
  root: Hash;
  extensions: string[];
}

/**
 * The origin names the log AND its leaf format: a log whose leaves were hashed differently is a
 * different log, so bumping LEAF_FORMAT yields a new origin (and old checkpoints never verify as new).
 */
export const defaultOrigin = (host = 'loan-ledger.local'): string => `${host}/${LEAF_FORMAT}`;

const invalid = (message: string, details: Record<string, unknown> = {}) =>
  new LedgerError('LL_PROOF_INVALID', message, details);

export function checkpointText(cp: Checkpoint): string {
  if (cp.origin.length === 0 || cp.origin.includes('\n'))
    throw new RangeError('origin must be one non-empty line');
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    throw new RangeError('size must be a non-negative integer');
  if (cp.root.length !== HASH_SIZE) throw new RangeError('root must be 32 bytes');
  for (const e of cp.extensions)
    if (e.length === 0 || e.includes('\n')) throw new RangeError('bad extension line');
  return [cp.origin, String(cp.size), encodeBase64(cp.root), ...cp.extensions].join('\n') + '\n';
}

export function parseCheckpointText(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw invalid('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (!origin || sizeLine === undefined || rootLine === undefined) throw invalid('checkpoint needs 3 lines');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeLine) || !Number.isSafeInteger(Number(sizeLine)))
    throw invalid('checkpoint size must be a decimal without leading zeros');
  const root = decodeBase64Strict(rootLine);
  if (root.length !== HASH_SIZE) throw invalid('checkpoint root must be 32 bytes');
  if (extensions.some((e) => e.length === 0)) throw invalid('empty extension line');
  return { origin, size: Number(sizeLine), root, extensions };
}

export interface OpenedCheckpoint {
  checkpoint: Checkpoint;
  note: Note;
  /** Names of the given witnesses whose (co)signatures verified. */
  cosignedBy: string[];
}

/**
 * Parses a signed checkpoint and checks it: the log's signature must be present and valid, the origin
 * (if given) must match; witness signatures are checked when their keys are given (a present but bad
 * one is an error) and reported in `cosignedBy`. Throws LL_PROOF_INVALID otherwise.
 */
export function openCheckpoint(
  noteText: string,
  logKey: NoteVerifier | string,
  options: { origin?: string; witnesses?: readonly (NoteVerifier | string)[]; minCosignatures?: number } = {},
): OpenedCheckpoint {
  const log = typeof logKey === 'string' ? parseVerifierKey(logKey) : logKey;
  const witnesses = (options.witnesses ?? []).map((w) => (typeof w === 'string' ? parseVerifierKey(w) : w));
  const note = parseNote(noteText);
  const checkpoint = parseCheckpointText(note.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin)
    throw invalid('checkpoint origin is not the expected log', { origin: checkpoint.origin });
  const { verifiedBy } = verifyNote(note, [log, ...witnesses]);
  if (!verifiedBy.includes(log)) throw invalid('checkpoint is not signed by the log key', { key: log.name });
  const cosignedBy = verifiedBy.filter((v) => v !== log).map((v) => v.name);
  if (cosignedBy.length < (options.minCosignatures ?? 0))
    throw invalid('checkpoint lacks the required cosignatures', { cosignedBy });
  return { checkpoint, note, cosignedBy };
}

/** The last checkpoint a signer signed; must be durable before the note is handed out. */
export interface SignedCheckpointRecord {
  size: number;
  root: Hash;
  note: string;
}
export interface CheckpointStateStore {
  latest(): SignedCheckpointRecord | undefined;
  /** Durably records a newly signed checkpoint (it becomes `latest`). */
  record(cp: SignedCheckpointRecord): void;
}

export class MemoryCheckpointState implements CheckpointStateStore {
  private last: SignedCheckpointRecord | undefined;
  latest() {
    return this.last;
  }
  record(cp: SignedCheckpointRecord) {
    this.last = cp;
  }
}

/**
 * Signs checkpoints for one log and never two inconsistent ones: before signing (size, root) it checks a
 * consistency proof from the last signed checkpoint, so a rolled-back or forked tree is refused with
 * LL_CHECKPOINT_INCONSISTENT instead of producing a split view.
 */
export class CheckpointSigner {
  constructor(
    private readonly opts: {
      origin: string;
      signer: NoteSigner;
      state: CheckpointStateStore;
      /** Consistency proof (size1 → size2) from the tree the root came from. */
      consistencyProof: (size1: number, size2: number) => Hash[];
    },
  ) {}

  get origin(): string {
    return this.opts.origin;
  }

  get verifierKey(): string {
    return this.opts.signer.verifierKey;
  }

  latest(): SignedCheckpointRecord | undefined {
    return this.opts.state.latest();
  }

  /** Returns the signed note text; re-signing the latest (size, root) returns the stored note. */
  sign(size: number, root: Hash, extensions: string[] = []): string {
    const last = this.opts.state.latest();
    if (last) {
      if (size < last.size)
        throw new LedgerError('LL_CHECKPOINT_INCONSISTENT', 'tree size would shrink', {
          lastSize: last.size,
          size,
        });
      if (size === last.size) {
        if (!hashesEqual(root, last.root))
          throw new LedgerError('LL_CHECKPOINT_INCONSISTENT', 'same size, different root', { size });
        return last.note;
      }
      const proof = this.opts.consistencyProof(last.size, size);
      if (!verifyConsistency(last.size, size, last.root, root, proof))
        throw new LedgerError(
          'LL_CHECKPOINT_INCONSISTENT',
          'new root is not consistent with the last signed one',
          {
            lastSize: last.size,
            size,
          },
        );
    }
    const text = checkpointText({ origin: this.opts.origin, size, root, extensions });
    const note = formatNote(addSignature({ text, signatures: [] }, this.opts.signer));
    this.opts.state.record({ size, root: Uint8Array.from(root), note });
    return note;
  }
}
