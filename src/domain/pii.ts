import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { domainError } from './decider.ts';
import { isValidIdNumber } from './identifiers.ts';
import { Sha256Hex } from './schema.ts';

/**
 * Personal data never enters an event (DESIGN.md "Events"). The vault keeps each value encrypted
 * under a key of its data subject; events hold only the vault reference and a salted commitment
 * SHA-256(salt ‖ value), so a party holding the value and salt can prove what was registered, and
 * erasing the subject's key (crypto-shredding) leaves every hash in the Merkle log intact.
 */

export interface VaultPut {
  /** Opaque reference to the stored ciphertext (no personal data in it). */
  vaultRef: string;
  /** Lowercase hex SHA-256(salt ‖ UTF-8 value). */
  commitment: string;
  /** Lowercase hex random salt; kept in the vault, returned so the caller may hand it to the subject. */
  salt: string;
}

/** The PII vault port: the domain defines it, src/vault/ implements it. */
export interface PiiVault {
  put(subjectId: string, value: string): VaultPut | Promise<VaultPut>;
  /** The clear value, or undefined if unknown or erased. */
  get(vaultRef: string): string | undefined | Promise<string | undefined>;
  /** Destroys the subject's key: every value of the subject becomes unreadable. Returns how many values were shredded. */
  erase(subjectId: string): number | Promise<number>;
  /** The salt of a stored value (so a commitment can be re-checked), or undefined once erased. */
  saltOf(vaultRef: string): string | undefined | Promise<string | undefined>;
}

export const VaultRef = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9_.:-]+$/);
/** What a decider sees of a natural person: never the value itself. */
export const VaultedValue = z.strictObject({ vaultRef: VaultRef, commitment: Sha256Hex });
export type VaultedValue = z.infer<typeof VaultedValue>;

export const newSalt = (): string => randomBytes(16).toString('hex');

/** SHA-256(salt ‖ value), salt given as hex and used as its bytes, value as UTF-8. */
export const commitmentOf = (saltHex: string, value: string): string =>
  createHash('sha256').update(Buffer.from(saltHex, 'hex')).update(value, 'utf8').digest('hex');

/** The legal representative as the HTTP body carries it (clear values; they stop at the vault). */
export const LegalRepresentativeInput = z.strictObject({
  name: z.string().min(1).max(50),
  idNumber: z.string().length(18),
});
export type LegalRepresentativeInput = z.infer<typeof LegalRepresentativeInput>;

export const LegalRepresentativeRef = z.strictObject({
  name: VaultedValue,
  idNumber: VaultedValue,
  /** The vault's data-subject id: erasure is per subject. */
  subjectId: z.string().min(1).max(100),
});
export type LegalRepresentativeRef = z.infer<typeof LegalRepresentativeRef>;

/**
 * Validates the ID number (GB 11643 check digit) and vaults name and ID number under one subject.
 * The API calls this before `decide`; the decider only ever sees the returned references.
 */
export const vaultLegalRepresentative = async (
  vault: PiiVault,
  subjectId: string,
  input: LegalRepresentativeInput,
): Promise<LegalRepresentativeRef> => {
  if (!isValidIdNumber(input.idNumber)) {
    throw domainError(
      'enterprise.register.invalid_id_number',
      'the legal representative ID number fails the GB 11643 check',
    );
  }
  const name = await vault.put(subjectId, input.name);
  const idNumber = await vault.put(subjectId, input.idNumber);
  return {
    subjectId,
    name: { vaultRef: name.vaultRef, commitment: name.commitment },
    idNumber: { vaultRef: idNumber.vaultRef, commitment: idNumber.commitment },
  };
};
