import { z } from 'zod';
import { Role } from '../../events/envelope.ts';
import { domainError, type Command, type Decider } from '../../domain/decider.ts';

/**
 * Organizations and their API keys, as events in `organization-<orgId>` streams: keys live in whichever
 * store is configured, with no extra table, and every issue/revoke is in the Merkle log like any other
 * fact. Only the key's SHA-256 is recorded, never the key.
 */

export const OrgId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'org id: letters, digits, _ . - (an enterprise uses its USCC)');
export const Uscc = z.string().regex(/^[0-9A-HJ-NP-RT-UW-Y]{18}$/, 'a 统一社会信用代码 of 18 characters');
/** The roles an organization can hold over HTTP (`system` is the ledger itself). */
export const OrgRole = Role.exclude(['system']);
export type OrgRole = z.infer<typeof OrgRole>;

export const organizationStream = (orgId: string): string => `organization-${orgId}`;

export const organizationCommands = {
  RegisterOrganization: z.strictObject({
    orgId: OrgId,
    name: z.string().min(1).max(200),
    role: OrgRole,
  }),
  IssueApiKey: z.strictObject({}),
  RotateApiKey: z.strictObject({}),
  RevokeApiKey: z.strictObject({ reason: z.string().min(1).max(200) }),
};

export type OrganizationEvent =
  | {
      type: 'OrganizationRegistered';
      data: { orgId: string; name: string; role: OrgRole; uscc?: string };
    }
  | { type: 'ApiKeyIssued'; data: { orgId: string; keyId: string; keyHash: string; role: OrgRole } }
  | { type: 'ApiKeyRevoked'; data: { orgId: string; keyId: string; reason: string } };

export type OrganizationCommand =
  | Command<'RegisterOrganization', { orgId: string; name: string; role: OrgRole; uscc?: string }>
  | Command<'IssueApiKey', { keyId: string; keyHash: string }>
  | Command<'RevokeApiKey', { keyId: string; reason: string }>
  | Command<'RotateApiKey', { keyId: string; keyHash: string; replaces: string }>;

export interface OrganizationState {
  orgId?: string;
  role?: OrgRole;
  liveKeys: Set<string>;
  knownKeys: Set<string>;
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  initialState: () => ({ liveKeys: new Set(), knownKeys: new Set() }),
  decide(command, state) {
    switch (command.type) {
      case 'RegisterOrganization': {
        if (state.orgId !== undefined)
          throw domainError('organization.register.exists', 'the organization exists');
        // The domain identifies an enterprise actor by its USCC (actor.org = USCC), so its org id is the USCC.
        if (command.data.role === 'enterprise' && !Uscc.safeParse(command.data.orgId).success) {
          throw domainError(
            'organization.register.enterprise_id_is_uscc',
            "an enterprise organization's id must be its 统一社会信用代码",
          );
        }
        const { uscc: _ignored, ...rest } = command.data;
        return [
          {
            type: 'OrganizationRegistered',
            data: { ...rest, ...(rest.role === 'enterprise' ? { uscc: rest.orgId } : {}) },
          },
        ];
      }
      case 'IssueApiKey': {
        if (state.orgId === undefined || state.role === undefined) {
          throw domainError('organization.key.no_such_org', 'no such organization');
        }
        if (state.knownKeys.has(command.data.keyId)) {
          throw domainError('organization.key.id_taken', 'this key id is already used');
        }
        return [{ type: 'ApiKeyIssued', data: { orgId: state.orgId, ...command.data, role: state.role } }];
      }
      case 'RotateApiKey': {
        // Issue and revoke in one append: there is never a moment with both or neither key live.
        const { keyId, keyHash, replaces } = command.data;
        const issued = organizationDecider.decide(
          { ...command, type: 'IssueApiKey', data: { keyId, keyHash } },
          state,
        );
        const revoked = organizationDecider.decide(
          { ...command, type: 'RevokeApiKey', data: { keyId: replaces, reason: 'rotated' } },
          state,
        );
        return [...issued, ...revoked];
      }
      case 'RevokeApiKey': {
        if (state.orgId === undefined)
          throw domainError('organization.key.no_such_org', 'no such organization');
        if (!state.liveKeys.has(command.data.keyId)) {
          throw domainError('organization.key.not_live', 'no live key with this id', {
            keyId: command.data.keyId,
          });
        }
        return [{ type: 'ApiKeyRevoked', data: { orgId: state.orgId, ...command.data } }];
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'OrganizationRegistered':
        return { ...state, orgId: event.data.orgId, role: event.data.role };
      case 'ApiKeyIssued':
        return {
          ...state,
          liveKeys: new Set([...state.liveKeys, event.data.keyId]),
          knownKeys: new Set([...state.knownKeys, event.data.keyId]),
        };
      case 'ApiKeyRevoked': {
        const liveKeys = new Set(state.liveKeys);
        liveKeys.delete(event.data.keyId);
        return { ...state, liveKeys };
      }
    }
  },
};
