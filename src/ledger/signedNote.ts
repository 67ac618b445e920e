import { ed25519 } from '@noble/curves/ed25519.js';
import { LedgerError } from '../errors.ts';
import { sha256 } from './merkle.ts';

/**
 * C2SP signed-note (https://c2sp.org/signed-note): a UTF-8 text ending in a newline, a blank line, then
 * signature lines `— <key name> <base64(4-byte key ID ‖ signature)>`. Key ID = SHA-256(name ‖ 0x0A ‖
 * type ‖ public key)[:4]. Verifier keys (vkeys) are `<name>+<hex key ID>+<base64(type ‖ public key)>`.
 *
 * Two signature types are implemented: 0x01 plain Ed25519 over the note text (the log's own signature)
 * and 0x04 Ed25519 cosignature/v1 (https://c2sp.org/tlog-cosignature: the signature is an 8-byte
 * big-endian POSIX timestamp ‖ Ed25519 over "cosignature/v1\ntime <t>\n" ‖ note text).
 */

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
export type SignatureType = typeof SIG_ED25519 | typeof SIG_COSIGNATURE_V1;

const EM_DASH_PREFIX = '\u2014 ';
const encoder = new TextEncoder();

export interface NoteSignature {
  name: string;
  keyId: Uint8Array; // 4 bytes
  signature: Uint8Array; // without the key ID
}

export interface Note {
  /** The signed text, ending in "\n". */
  text: string;
  signatures: NoteSignature[];
}

/** Malformed notes and bad signatures are both "does not verify" to a caller. */
const noteError = (message: string): LedgerError => new LedgerError('LL_PROOF_INVALID', message);

/** Standard base64 with padding, rejecting anything that does not round-trip. */
export function decodeBase64Strict(s: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw noteError('malformed base64');
  const bytes = Buffer.from(s, 'base64');
  if (bytes.toString('base64') !== s) throw noteError('non-canonical base64');
  return new Uint8Array(bytes);
}
export const encodeBase64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** A key name: non-empty, no whitespace, no '+' (signed-note §"Signatures"). */
export function checkKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) throw noteError(`invalid key name: ${JSON.stringify(name)}`);
}

export function keyId(name: string, type: SignatureType, publicKey: Uint8Array): Uint8Array {
  checkKeyName(name);
  const n = encoder.encode(name);
  const buf = new Uint8Array(n.length + 2 + publicKey.length);
  buf.set(n, 0);
  buf[n.length] = 0x0a;
  buf[n.length + 1] = type;
  buf.set(publicKey, n.length + 2);
  return sha256(buf).subarray(0, 4);
}

export const formatVerifierKey = (name: string, type: SignatureType, publicKey: Uint8Array): string =>
  `${name}+${Buffer.from(keyId(name, type, publicKey)).toString('hex')}+${encodeBase64(Uint8Array.of(type, ...publicKey))}`;

export interface NoteVerifier {
  name: string;
  keyId: Uint8Array;
  type: SignatureType;
  publicKey: Uint8Array;
  /** The verifier key string this was parsed from. */
  vkey: string;
  verify(text: string, signature: Uint8Array): boolean;
}

const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

export const cosignatureMessage = (text: string, timestamp: bigint): Uint8Array =>
  encoder.encode(`cosignature/v1\ntime ${timestamp.toString()}\n${text}`);

/** Parses a vkey string; throws LedgerError LL_PROOF_INVALID when it is malformed or its key ID does not match. */
export function parseVerifierKey(vkey: string): NoteVerifier {
  // The name has no '+'; the base64 key may contain some, so split at the first two only.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/s.exec(vkey);
  if (!m) throw noteError('a verifier key is <name>+<hex key id>+<base64 key>');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  checkKeyName(name);
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw noteError('key id must be 8 lowercase hex digits');
  const material = decodeBase64Strict(keyB64);
  const type = material[0];
  const publicKey = material.subarray(1);
  if ((type !== SIG_ED25519 && type !== SIG_COSIGNATURE_V1) || publicKey.length !== 32)
    throw noteError('only Ed25519 (0x01) and Ed25519 cosignature/v1 (0x04) keys are supported');
  const id = keyId(name, type, publicKey);
  if (Buffer.from(id).toString('hex') !== idHex) throw noteError('key id does not match the key');
  const verify =
    type === SIG_ED25519
      ? (text: string, sig: Uint8Array) =>
          sig.length === 64 && safeVerify(sig, encoder.encode(text), publicKey)
      : (text: string, sig: Uint8Array) => {
          if (sig.length !== 72) return false;
          const ts = Buffer.from(sig.subarray(0, 8)).readBigUInt64BE(0);
          if (ts > 2n ** 63n - 1n) return false;
          return safeVerify(sig.subarray(8), cosignatureMessage(text, ts), publicKey);
        };
  return { name, keyId: id, type, publicKey, vkey, verify };
}

function safeVerify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return ed25519.verify(sig, msg, publicKey);
  } catch {
    return false;
  }
}

export interface NoteSigner {
  name: string;
  keyId: Uint8Array;
  type: SignatureType;
  publicKey: Uint8Array;
  verifierKey: string;
  /** The signature bytes (without the key ID) over a note text. */
  sign(text: string): Uint8Array;
}

/** Ed25519 note signer (type 0x01) from a 32-byte secret key. */
export function ed25519NoteSigner(name: string, secretKey: Uint8Array): NoteSigner {
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    name,
    keyId: keyId(name, SIG_ED25519, publicKey),
    type: SIG_ED25519,
    publicKey,
    verifierKey: formatVerifierKey(name, SIG_ED25519, publicKey),
    sign: (text) => ed25519.sign(encoder.encode(text), secretKey),
  };
}

/** Ed25519 cosignature/v1 signer (type 0x04); the clock is injectable for tests. */
export function cosignatureV1Signer(
  name: string,
  secretKey: Uint8Array,
  now: () => number = () => Date.now(),
): NoteSigner {
  const publicKey = ed25519.getPublicKey(secretKey);
  return {
    name,
    keyId: keyId(name, SIG_COSIGNATURE_V1, publicKey),
    type: SIG_COSIGNATURE_V1,
    publicKey,
    verifierKey: formatVerifierKey(name, SIG_COSIGNATURE_V1, publicKey),
    sign: (text) => {
      const ts = BigInt(Math.floor(now() / 1000));
      const out = new Uint8Array(72);
      Buffer.from(out.buffer).writeBigUInt64BE(ts, 0);
      out.set(ed25519.sign(cosignatureMessage(text, ts), secretKey), 8);
      return out;
    },
  };
}

export const randomSecretKey = (): Uint8Array => ed25519.utils.randomSecretKey();

export function formatNote(note: Note): string {
  const lines = note.signatures.map(
    (s) => `${EM_DASH_PREFIX}${s.name} ${encodeBase64(Uint8Array.of(...s.keyId, ...s.signature))}\n`,
  );
  return `${note.text}\n${lines.join('')}`;
}

/** Splits a signed note into its text and signature lines. Throws LedgerError LL_PROOF_INVALID if malformed. */
export function parseNote(noteText: string): Note {
  const split = noteText.lastIndexOf('\n\n');
  if (split < 0 || !noteText.endsWith('\n')) throw noteError('a note is text, a blank line, signatures');
  const text = noteText.slice(0, split + 1);
  const sigLines = noteText.slice(split + 2, -1).split('\n');
  if (sigLines.length === 0 || sigLines[0] === '') throw noteError('a note needs at least one signature');
  const signatures = sigLines.map((line) => {
    if (!line.startsWith(EM_DASH_PREFIX)) throw noteError('signature lines start with "— "');
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.lastIndexOf(' ');
    if (space <= 0) throw noteError('signature line is "— <name> <base64>"');
    const name = rest.slice(0, space);
    checkKeyName(name);
    const raw = decodeBase64Strict(rest.slice(space + 1));
    if (raw.length < 5) throw noteError('signature too short');
    return { name, keyId: raw.slice(0, 4), signature: raw.slice(4) };
  });
  return { text, signatures };
}

export function addSignature(note: Note, signer: NoteSigner): Note {
  const others = note.signatures.filter(
    (s) => !(s.name === signer.name && bytesEqual(s.keyId, signer.keyId)),
  );
  return {
    text: note.text,
    signatures: [...others, { name: signer.name, keyId: signer.keyId, signature: signer.sign(note.text) }],
  };
}

export interface NoteVerification {
  /** Verifiers (by vkey) whose signature is present and valid. */
  verifiedBy: NoteVerifier[];
}

/**
 * Checks the signatures of known keys. A signature line of a known key (same name and key ID) that does
 * not verify is an error (signed-note: it must not be silently skipped); unknown keys are ignored.
 */
export function verifyNote(note: Note, verifiers: readonly NoteVerifier[]): NoteVerification {
  const verifiedBy: NoteVerifier[] = [];
  for (const s of note.signatures) {
    const v = verifiers.find((k) => k.name === s.name && bytesEqual(k.keyId, s.keyId));
    if (!v) continue;
    if (!v.verify(note.text, s.signature)) throw noteError(`signature by ${s.name} does not verify`);
    if (!verifiedBy.includes(v)) verifiedBy.push(v);
  }
  return { verifiedBy };
}

/**
 * Secret keys in the Go sumdb/note form `PRIVATE+KEY+<name>+<hex key ID>+<base64(type ‖ 32-byte seed)>`,
 * so an operator can move a log key between this ledger and Go tooling (and configure it as one string).
 */
export function parseSignerKey(skey: string): NoteSigner {
  const m = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-f]{8})\+(.+)$/.exec(skey);
  if (!m) throw noteError('a signer key is PRIVATE+KEY+<name>+<hex key id>+<base64 key>');
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  const material = decodeBase64Strict(keyB64);
  const type = material[0];
  if (type !== SIG_ED25519 || material.length !== 33)
    throw noteError('only Ed25519 (0x01) signer keys are supported');
  const signer = ed25519NoteSigner(name, material.subarray(1));
  if (Buffer.from(signer.keyId).toString('hex') !== idHex) throw noteError('key id does not match the key');
  return signer;
}

export function formatSignerKey(name: string, secretKey: Uint8Array): string {
  const signer = ed25519NoteSigner(name, secretKey);
  return `PRIVATE+KEY+${name}+${Buffer.from(signer.keyId).toString('hex')}+${encodeBase64(Uint8Array.of(SIG_ED25519, ...secretKey))}`;
}
