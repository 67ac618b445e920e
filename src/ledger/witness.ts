import { LedgerError } from '../errors.ts';
import { openCheckpoint } from './checkpoint.ts';
import { hashesEqual, verifyConsistency, type Hash } from './merkle.ts';
import {
  addSignature,
  cosignatureV1Signer,
  formatNote,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './signedNote.ts';

/**
 * An in-process witness with C2SP tlog-witness semantics: it cosigns a log's checkpoint only after
 * checking the log's signature and a consistency proof from the largest checkpoint it has cosigned
 * before, then remembers the new one. The cosignature is a C2SP cosignature/v1 (Ed25519, type 0x04).
 * A court or a guarantor runs one to be sure the log shows everyone the same history.
 */
export interface WitnessStateStore {
  get(origin: string): { size: number; root: Hash } | undefined;
  set(origin: string, size: number, root: Hash): void;
}

export class MemoryWitnessState implements WitnessStateStore {
  private readonly map = new Map<string, { size: number; root: Hash }>();
  get(origin: string) {
    return this.map.get(origin);
  }
  set(origin: string, size: number, root: Hash) {
    this.map.set(origin, { size, root });
  }
}

export class Witness {
  private readonly signer: NoteSigner;
  private readonly logs = new Map<string, NoteVerifier>();
  private readonly state: WitnessStateStore;

  constructor(opts: {
    name: string;
    secretKey: Uint8Array;
    /** The logs this witness follows: origin → the log's verifier key. */
    logs: { origin: string; verifierKey: string }[];
    state?: WitnessStateStore;
    now?: () => number;
  }) {
    this.signer = cosignatureV1Signer(opts.name, opts.secretKey, opts.now);
    for (const l of opts.logs) this.logs.set(l.origin, parseVerifierKey(l.verifierKey));
    this.state = opts.state ?? new MemoryWitnessState();
  }

  get name(): string {
    return this.signer.name;
  }

  /** The vkey (type 0x04) a relying party configures to check this witness's cosignatures. */
  get verifierKey(): string {
    return this.signer.verifierKey;
  }

  /** Size the next consistency proof must start from (0 before the first cosignature). */
  lastSeenSize(origin: string): number {
    return this.state.get(origin)?.size ?? 0;
  }

  /**
   * Verifies `noteText` (signed by a known log) is consistent with what this witness saw last, using
   * `proof` from lastSeenSize(origin) to the checkpoint's size, and returns the note with a cosignature
   * added. Throws LL_PROOF_INVALID (unknown log, bad signature) or LL_CHECKPOINT_INCONSISTENT.
   */
  cosign(noteText: string, proof: readonly Hash[]): string {
    const origin = noteText.slice(0, noteText.indexOf('\n'));
    const logKey = this.logs.get(origin);
    if (!logKey) throw new LedgerError('LL_PROOF_INVALID', 'unknown log origin', { origin });
    const { checkpoint, note } = openCheckpoint(noteText, logKey, { origin });
    const last = this.state.get(origin);
    if (last) {
      const inconsistent = (message: string) =>
        new LedgerError('LL_CHECKPOINT_INCONSISTENT', message, {
          lastSize: last.size,
          size: checkpoint.size,
        });
      if (checkpoint.size < last.size) throw inconsistent('checkpoint is older than the one last cosigned');
      if (checkpoint.size === last.size && !hashesEqual(checkpoint.root, last.root))
        throw inconsistent('same size, different root: the log forked');
      if (!verifyConsistency(last.size, checkpoint.size, last.root, checkpoint.root, proof))
        throw inconsistent('consistency proof from the last cosigned checkpoint does not verify');
    } else if (proof.length !== 0) {
      throw new LedgerError(
        'LL_CHECKPOINT_INCONSISTENT',
        'first checkpoint seen: the proof from size 0 is empty',
      );
    }
    this.state.set(origin, checkpoint.size, checkpoint.root);
    return formatNote(addSignature(note, this.signer));
  }
}
