import { z } from 'zod';
import { CreditCategory } from '../credit/records.ts';
import { Uscc } from '../enterprise/events.ts';
import { Id, Instant, OrgId, ShortText, type EventOf, type EventSchemas } from '../schema.ts';

/** Information obtained through the platform may be used only for financing support (615号). */
export const Purpose = z.enum(['financing_support']);

export const authorizationEvents = {
  AuthorizationGranted: {
    schemaVersion: 1,
    description:
      'An enterprise authorized (经企业授权) a financial institution to read named credit-data categories until an expiry.',
    schema: z.strictObject({
      grantId: Id,
      enterpriseUscc: Uscc,
      grantee: OrgId,
      categories: z.array(CreditCategory).min(1).max(8),
      purpose: Purpose,
      grantedAt: Instant,
      expiresAt: Instant,
    }),
  },
  AuthorizationRevoked: {
    schemaVersion: 1,
    description: 'The enterprise revoked the grant; later access is refused.',
    schema: z.strictObject({ grantId: Id, reason: ShortText, revokedAt: Instant }),
  },
  CreditDataAccessed: {
    schemaVersion: 1,
    description:
      'The grantee read one category of credit data under a live grant: who, what, under which grant.',
    schema: z.strictObject({
      grantId: Id,
      accessId: Id,
      accessor: OrgId,
      category: CreditCategory,
      purpose: Purpose,
      accessedAt: Instant,
    }),
  },
} satisfies EventSchemas;

export type AuthorizationEvent = EventOf<typeof authorizationEvents>;
