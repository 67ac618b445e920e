import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { contractSha256 } from '../../../src/evidence/pdf/contract.ts';
import { signContractHash, verifyContractSignature } from '../../../src/evidence/pdf/contractSignature.ts';

const hash = contractSha256(new TextEncoder().encode('a contract PDF'));

describe('contract signatures (Ed25519 over the 32-byte SHA-256)', () => {
  const { secretKey, publicKey } = ed25519.keygen(new Uint8Array(32).fill(7));

  it('signs and verifies', () => {
    const sig = signContractHash(secretKey, hash);
    expect(Buffer.from(sig, 'base64')).toHaveLength(64);
    expect(verifyContractSignature(publicKey, hash, sig)).toBe(true);
  });

  it('signs the raw digest bytes, so an independent Ed25519 (OpenSSL via node:crypto) accepts it', () => {
    const sig = signContractHash(secretKey, hash);
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
      format: 'jwk',
    });
    expect(nodeVerify(null, Buffer.from(hash, 'hex'), key, Buffer.from(sig, 'base64'))).toBe(true);
    expect(nodeVerify(null, Buffer.from(hash), key, Buffer.from(sig, 'base64'))).toBe(false); // not the hex text
  });

  it('matches the known-answer vector published in docs/certificates.md', () => {
    expect(Buffer.from(secretKey).toString('hex')).toBe('07'.repeat(32));
    expect(Buffer.from(publicKey).toString('base64')).toBe('6kpsY+KcUgq+9VB7Ey7F+ZVHdq6+vnuSQh7qaRRG0iw=');
    expect(hash).toBe('b8dce4996dda7da880e4015bb101313dd709be638c913792b29a2f17c04c994a');
    expect(signContractHash(secretKey, hash)).toBe(
      'EJ0wQtTjzlj4pYw0yAn9lae1nDs22N/zTSVI9WwkMNoGdmQ3ieqjbK9/l6hSLUVqGVSPNOLXoCPb3e3L+0JOBg==',
    );
  });

  it('rejects another hash, another key, a changed signature and malformed input', () => {
    const sig = signContractHash(secretKey, hash);
    const other = ed25519.keygen(new Uint8Array(32).fill(8)).publicKey;
    const flipped = Buffer.from(sig, 'base64');
    flipped[10] = (flipped[10] as number) ^ 1;
    expect(verifyContractSignature(publicKey, contractSha256(new Uint8Array([1])), sig)).toBe(false);
    expect(verifyContractSignature(other, hash, sig)).toBe(false);
    expect(verifyContractSignature(publicKey, hash, flipped.toString('base64'))).toBe(false);
    expect(verifyContractSignature(publicKey, hash, 'not base64')).toBe(false);
    expect(verifyContractSignature(publicKey, hash.toUpperCase(), sig)).toBe(false);
    expect(verifyContractSignature(publicKey.slice(1), hash, sig)).toBe(false);
    expect(() => signContractHash(secretKey, 'abc')).toThrow(/64 lowercase hex/);
  });
});
