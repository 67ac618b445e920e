import { ed25519 } from '@noble/curves/ed25519.js';
import { LedgerError } from '../../errors.ts';

/**
 * Online contract signing. Each party signs the 32-byte SHA-256 of the contract PDF (the raw digest
 * bytes, not its hex text) with Ed25519 (RFC 8032, pure, no prehash, no context). Public keys are
 * registered for the party's organization on the platform; the ContractSigned event carries, per
 * party, the organization, the key id and the base64 signature. See docs/certificates.md.
 */
const HASH_HEX = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]{86}==$/; // 64 bytes

function digestBytes(hashHex: string): Uint8Array {
  if (!HASH_HEX.test(hashHex)) {
    throw new LedgerError('LL_VALIDATION_FAILED', 'a contract hash is 64 lowercase hex digits (SHA-256)');
  }
  return Uint8Array.from(Buffer.from(hashHex, 'hex'));
}

/** Signs a contract hash; returns the 64-byte signature in base64. */
export function signContractHash(privateKey: Uint8Array, hashHex: string): string {
  if (privateKey.length !== 32)
    throw new LedgerError('LL_VALIDATION_FAILED', 'an Ed25519 private key is 32 bytes');
  return Buffer.from(ed25519.sign(digestBytes(hashHex), privateKey)).toString('base64');
}

/** True when `signatureBase64` is `publicKey`'s Ed25519 signature over the 32 digest bytes; false otherwise. */
export function verifyContractSignature(
  publicKey: Uint8Array,
  hashHex: string,
  signatureBase64: string,
): boolean {
  if (publicKey.length !== 32 || !HASH_HEX.test(hashHex) || !BASE64.test(signatureBase64)) return false;
  try {
    // zip215: false = RFC 8032 strict encodings, so what we accept OpenSSL/libsodium verifiers accept too.
    return ed25519.verify(
      Uint8Array.from(Buffer.from(signatureBase64, 'base64')),
      digestBytes(hashHex),
      publicKey,
      {
        zip215: false,
      },
    );
  } catch {
    return false; // a malformed point or signature encoding is simply not a valid signature
  }
}
