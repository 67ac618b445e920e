import { domainError } from '../../domain/decider.ts';
import { registeredRoleOf } from '../auth/admin.ts';
import type { PrepareContext } from './registry.ts';

/**
 * POST /v1/disputes/:disputeId/enforcement names the court the payee applies to, and the party index
 * makes that organization the dispute's assigned body (it may then read the case and its evidence). So
 * the named court must be a registered organization with the court role: a payee cannot hand the case
 * file to any organization it likes (the same rule as the parties a guarantee names, issueGuarantee.ts).
 */
export async function prepareRequestEnforcement(body: unknown, ctx: PrepareContext): Promise<unknown> {
  const { court } = body as { court: string };
  const role = await registeredRoleOf(ctx.store, court);
  if (role !== 'court')
    throw domainError(
      'dispute.enforcement.not_a_court',
      `${court} is not a registered court${role === undefined ? '' : ` (its role is ${role})`}`,
      { court, role: role ?? null },
    );
  return body;
}
