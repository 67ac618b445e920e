import { z } from 'zod';
import { CreditCategory } from '../credit/records.ts';
import { Uscc } from '../enterprise/events.ts';
import { Id, Instant, OrgId, ShortText, type CommandOf } from '../schema.ts';
import { Purpose } from './events.ts';

export const authorizationCommands = {
  GrantAuthorization: z.strictObject({
    grantId: Id,
    enterpriseUscc: Uscc,
    grantee: OrgId,
    categories: z.array(CreditCategory).min(1).max(8),
    purpose: Purpose,
    expiresAt: Instant,
  }),
  RevokeAuthorization: z.strictObject({ reason: ShortText }),
  RecordCreditDataAccess: z.strictObject({ accessId: Id, category: CreditCategory, purpose: Purpose }),
};

export type AuthorizationCommand = CommandOf<typeof authorizationCommands>;
