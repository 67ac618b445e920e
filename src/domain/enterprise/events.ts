import { z } from 'zod';
import { LegalRepresentativeRef } from '../pii.ts';
import { Id, Instant, ShortText, type EventOf, type EventSchemas } from '../schema.ts';

/** 国民经济行业分类 (GB/T 4754) code: a section letter and up to four digits, e.g. C3911. */
export const IndustryCode = z
  .string()
  .regex(/^[A-T]\d{0,4}$/, 'must be a GB/T 4754 industry code like C3911');
/** Administrative division code (6 digits): 430100 = 长沙市, 430102 = 芙蓉区. */
export const RegionCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit administrative division code');
export const SizeClass = z.enum(['micro', 'small', 'medium']);
export const Uscc = z.string().length(18);

export const enterpriseEvents = {
  EnterpriseRegistered: {
    schemaVersion: 1,
    description:
      'An enterprise registered under its 统一社会信用代码; the legal representative only as vault references.',
    schema: z.strictObject({
      uscc: Uscc,
      name: ShortText,
      regionCode: RegionCode,
      industry: IndustryCode,
      sizeClass: SizeClass,
      legalRepresentative: LegalRepresentativeRef,
      registeredAt: Instant,
    }),
  },
  PersonalDataErased: {
    schemaVersion: 1,
    description:
      "The legal representative's vaulted values were crypto-shredded; the commitments stay, unopenable.",
    schema: z.strictObject({
      uscc: Uscc,
      subjectId: z.string().min(1).max(100),
      vaultRefs: z.array(z.string().max(100)).max(10),
      reason: ShortText,
      erasedAt: Instant,
    }),
  },
  LegalRepresentativeChanged: {
    schemaVersion: 1,
    description: 'A new legal representative was vaulted and now represents the enterprise.',
    schema: z.strictObject({ uscc: Uscc, legalRepresentative: LegalRepresentativeRef, changeId: Id }),
  },
} satisfies EventSchemas;

export type EnterpriseEvent = EventOf<typeof enterpriseEvents>;
