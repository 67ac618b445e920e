import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { sha256 } from '../../ledger/merkle.ts';

/**
 * The slice of C2SP signed notes (https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint) the
 * evidence verifier needs: parse a checkpoint note, parse verifier keys, check Ed25519 signatures.
 * Deliberately strict and total: every input, however malformed, yields a value or `undefined`, never a
 * throw, because the verifier runs on bundles from anyone.
 */

export interface ParsedCheckpoint {
  /** The signed text: everything before the blank line, with its final newline. */
  body: string;
  origin: string;
  treeSize: number;
  root: Uint8Array;
  extensions: string[];
  signatures: { name: string; keyId: Uint8Array; signature: Uint8Array }[];
}

export interface VerifierKey {
  name: string;
  keyId: Uint8Array;
  /** 0x01 Ed25519 note signature; 0x04 Ed25519 witness cosignature (tlog-cosignature/v1). */
  type: number;
  publicKey: Uint8Array;
  text: string;
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Strict base64: padded, and the canonical encoding of its bytes (no stray bits in the last character). */
export function decodeB64(s: string): Uint8Array | undefined {
  if (!B64.test(s)) return undefined;
  const bytes = Buffer.from(s, 'base64');
  return bytes.toString('base64') === s ? new Uint8Array(bytes) : undefined;
}
const enc = new TextEncoder();
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
// A key name: non-empty, no whitespace, no '+' (signed-note §"Verifier keys").
const NAME = /^[^\s+]+$/u;

/** C2SP key ID: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ type ‖ public key). */
export const keyIdOf = (name: string, type: number, publicKey: Uint8Array): Uint8Array =>
  sha256(concat(enc.encode(name), Uint8Array.of(0x0a, type), publicKey)).subarray(0, 4);

/** `<name>+<8 hex key id>+<base64(type ‖ public key)>`; the key id must match the key. */
export function parseVerifierKey(text: string): VerifierKey | undefined {
  // The name has no '+', the key id is 8 hex digits; the base64 key after them may contain '+'.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/su.exec(text);
  if (!m) return undefined;
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  if (!NAME.test(name) || !/^[0-9a-f]{8}$/.test(idHex)) return undefined;
  const raw = decodeB64(keyB64);
  if (!raw || raw.length !== 33 || (raw[0] !== 0x01 && raw[0] !== 0x04)) return undefined;
  const keyId = Uint8Array.from(Buffer.from(idHex, 'hex'));
  const publicKey = raw.subarray(1);
  if (!sameBytes(keyId, keyIdOf(name, raw[0], publicKey))) return undefined;
  return { name, keyId, type: raw[0], publicKey, text };
}

/** Parses a checkpoint note; undefined if it is not exactly the C2SP form. */
export function parseCheckpointNote(text: string): ParsedCheckpoint | undefined {
  const split = text.indexOf('\n\n');
  if (split < 0 || !text.endsWith('\n')) return undefined;
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) return undefined;
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0 || !/^(0|[1-9][0-9]{0,15})$/.test(sizeText)) return undefined;
  const treeSize = Number(sizeText);
  if (!Number.isSafeInteger(treeSize)) return undefined;
  const root = decodeB64(rootText);
  if (!root || root.length !== 32 || extensions.some((l) => l.length === 0)) return undefined;
  const signatures: ParsedCheckpoint['signatures'] = [];
  const sigLines = text.slice(split + 2, -1).split('\n');
  for (const line of sigLines) {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    const raw = m ? decodeB64(m[2]!) : undefined;
    if (!m || !raw || raw.length < 5) return undefined;
    signatures.push({ name: m[1]!, keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  if (signatures.length === 0) return undefined;
  return { body, origin, treeSize, root, extensions, signatures };
}

/** Tree size from a note's second line, without checking anything else (the builder's need). */
export function noteTreeSize(text: string): number | undefined {
  return parseCheckpointNote(text)?.treeSize;
}

// SPKI DER header of an Ed25519 public key (RFC 8410): node:crypto verifies ~20x faster than pure JS.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function ed25519Verify(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean {
  try {
    const pub = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, key]),
      format: 'der',
      type: 'spki',
    });
    return cryptoVerify(null, msg, pub, sig);
  } catch {
    return false;
  }
}

/**
 * Whether `note` carries a valid signature by `key`. For a witness key (type 0x04) the signature is a
 * tlog-cosignature/v1: 8-byte big-endian timestamp ‖ Ed25519 over "cosignature/v1\ntime <t>\n" ‖ body.
 */
export function noteSignedBy(note: ParsedCheckpoint, key: VerifierKey): boolean {
  const sig = note.signatures.find((s) => s.name === key.name && sameBytes(s.keyId, key.keyId));
  if (!sig) return false;
  if (key.type === 0x01) {
    return sig.signature.length === 64 && ed25519Verify(sig.signature, enc.encode(note.body), key.publicKey);
  }
  if (sig.signature.length !== 72) return false;
  const time = Buffer.from(sig.signature.subarray(0, 8)).readBigUInt64BE();
  const msg = enc.encode(`cosignature/v1\ntime ${time}\n${note.body}`);
  return ed25519Verify(sig.signature.subarray(8), msg, key.publicKey);
}
