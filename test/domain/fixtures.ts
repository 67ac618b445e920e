import { ed25519 } from '@noble/curves/ed25519.js';
import { completeUscc } from '../../src/domain/identifiers.ts';
import type { LegalRepresentativeRef } from '../../src/domain/pii.ts';
import type { ProductTerms } from '../../src/domain/product/terms.ts';

/** Fixture enterprises: valid codes computed by the check-digit rules (not real companies). */
export const USCC = completeUscc('91430100MA4L16JQ');
export const OTHER_USCC = completeUscc('91430600MA4P8K2L');
export const BANK = 'bank-hn-001';
export const OTHER_BANK = 'bank-hn-002';
export const GUARANTOR = 'guarantor-hn-01';
export const OPERATOR = 'platform';

export const legalRep: LegalRepresentativeRef = {
  subjectId: 'subject-1',
  name: { vaultRef: 'pii:name-1', commitment: 'a'.repeat(64) },
  idNumber: { vaultRef: 'pii:id-1', commitment: 'b'.repeat(64) },
};

export const product: ProductTerms = {
  productId: 'p-credit',
  bank: BANK,
  name: '潇湘信用贷',
  kind: 'pure_credit',
  pledgeType: null,
  amountMinFen: 10_000_000,
  amountMaxFen: 500_000_000,
  termMinMonths: 6,
  termMaxMonths: 36,
  rateMinBps: 350,
  rateMaxBps: 600,
  targetIndustries: ['C'],
  targetRegions: ['43'],
  eligibility: { whiteListOnly: false, minGrade: 'A' },
};

export const profile = {
  industry: 'C3911',
  regionCode: '430102',
  grade: 'AA',
  whiteListed: true,
  gradeScale: ['AAA', 'AA', 'A', 'B', 'C'],
};

export const CONTRACT_HASH = 'c0'.repeat(32);

export const keypair = () => {
  const { secretKey, publicKey } = ed25519.keygen();
  return {
    publicKey: Buffer.from(publicKey).toString('base64'),
    sign: (hashHex: string) =>
      Buffer.from(ed25519.sign(Buffer.from(hashHex, 'hex'), secretKey)).toString('base64'),
  };
};

/** The six 4321 parties of the fixtures. */
export const ORGS = {
  national_fund: 'ncgf',
  provincial_finance: 'hn-finance',
  provincial_reguarantee: 'hn-reguarantee',
  guarantor: GUARANTOR,
  bank: BANK,
  local_government: 'changsha-gov',
};
