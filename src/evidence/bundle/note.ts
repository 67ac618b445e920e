import { parseCheckpointText } from '../../ledger/checkpoint.ts';
import type { Hash } from '../../ledger/merkle.ts';
import {
  SIG_COSIGNATURE_V1,
  decodeBase64Strict,
  parseNote,
  parseVerifierKey as parseLedgerVerifierKey,
  type NoteSignature,
  type NoteVerifier,
} from '../../ledger/signedNote.ts';

/**
 * Total (never-throwing) views of the ledger's C2SP signed-note and checkpoint code
 * (src/ledger/signedNote.ts, checkpoint.ts) for the verifier: a bundle is untrusted input, and every
 * malformed piece must become a named failed check, not an exception.
 */

export interface ParsedCheckpoint {
  /** The signed text (checkpoint body), ending in "\n". */
  body: string;
  origin: string;
  treeSize: number;
  root: Hash;
  extensions: string[];
  signatures: NoteSignature[];
}

export type VerifierKey = NoteVerifier;
export const isWitnessKey = (k: VerifierKey): boolean => k.type === SIG_COSIGNATURE_V1;

export function parseVerifierKey(text: string): VerifierKey | undefined {
  try {
    return parseLedgerVerifierKey(text);
  } catch {
    return undefined;
  }
}

export function parseCheckpointNote(text: string): ParsedCheckpoint | undefined {
  try {
    const note = parseNote(text);
    const cp = parseCheckpointText(note.text);
    return {
      body: note.text,
      origin: cp.origin,
      treeSize: cp.size,
      root: cp.root,
      extensions: cp.extensions,
      signatures: note.signatures,
    };
  } catch {
    return undefined;
  }
}

/** Tree size of a checkpoint note, undefined if it does not parse (the builder's need). */
export const noteTreeSize = (text: string): number | undefined => parseCheckpointNote(text)?.treeSize;

/** Strict base64 (padded, canonical: no stray bits), or undefined. */
export function decodeB64(s: string): Uint8Array | undefined {
  try {
    return decodeBase64Strict(s);
  } catch {
    return undefined;
  }
}

/** Whether signature line `sig` of `note` is valid under `key` (Ed25519 or cosignature/v1). */
export function signatureValid(note: ParsedCheckpoint, sig: NoteSignature, key: VerifierKey): boolean {
  try {
    return key.verify(note.body, sig.signature);
  } catch {
    return false;
  }
}
