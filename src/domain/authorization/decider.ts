import { ensure, requireActor } from '../actor.ts';
import type { CreditCategory } from '../credit/records.ts';
import type { Decider } from '../decider.ts';
import type { AuthorizationCommand } from './commands.ts';
import type { AuthorizationEvent } from './events.ts';
import { SeenIds } from '../seenIds.ts';

export interface AuthorizationState {
  status: 'none' | 'granted' | 'revoked';
  grantId: string | null;
  enterpriseUscc: string | null;
  grantee: string | null;
  categories: CreditCategory[];
  expiresAt: string | null;
  accessIds: SeenIds;
}

/** A grant is live when granted, not revoked, and `now` is before its expiry (ISO instants compare as strings). */
export const isLive = (s: AuthorizationState, now: string): boolean =>
  s.status === 'granted' && s.expiresAt !== null && now < s.expiresAt;

export const authorizationDecider: Decider<AuthorizationCommand, AuthorizationEvent, AuthorizationState> = {
  initialState: () => ({
    status: 'none',
    grantId: null,
    enterpriseUscc: null,
    grantee: null,
    categories: [],
    expiresAt: null,
    accessIds: SeenIds.empty(),
  }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'GrantAuthorization': {
        const d = command.data;
        ensure(
          state.status === 'none',
          'authorization.grant.already_granted',
          'this grant id is already used',
        );
        requireActor(metadata, 'authorization.grant.not_the_enterprise', [
          { role: 'enterprise', org: d.enterpriseUscc },
        ]);
        ensure(
          d.expiresAt > metadata.now,
          'authorization.grant.expiry_in_past',
          'the grant must expire in the future',
        );
        ensure(
          new Set(d.categories).size === d.categories.length,
          'authorization.grant.duplicate_category',
          'a category is listed twice',
        );
        return [{ type: 'AuthorizationGranted', data: { ...d, grantedAt: metadata.now } }];
      }
      case 'RevokeAuthorization': {
        ensure(state.status !== 'none', 'authorization.not_granted', 'no such grant');
        ensure(
          state.status !== 'revoked',
          'authorization.revoke.already_revoked',
          'the grant is already revoked',
        );
        requireActor(metadata, 'authorization.revoke.not_the_enterprise', [
          { role: 'enterprise', org: state.enterpriseUscc as string },
        ]);
        return [
          {
            type: 'AuthorizationRevoked',
            data: { grantId: state.grantId as string, reason: command.data.reason, revokedAt: metadata.now },
          },
        ];
      }
      case 'RecordCreditDataAccess': {
        const d = command.data;
        ensure(state.status !== 'none', 'authorization.not_granted', 'no such grant');
        ensure(
          state.grantee === metadata.actor.org,
          'authorization.access.not_the_grantee',
          'only the institution named in the grant may read under it',
        );
        ensure(
          isLive(state, metadata.now),
          'authorization.access.no_live_grant',
          'the grant is revoked or expired',
          {
            status: state.status,
            expiresAt: state.expiresAt,
          },
        );
        ensure(
          state.categories.includes(d.category),
          'authorization.access.category_not_granted',
          `the grant does not cover ${d.category}`,
        );
        ensure(
          !state.accessIds.has(d.accessId),
          'authorization.access.duplicate',
          'access id already recorded',
        );
        return [
          {
            type: 'CreditDataAccessed',
            data: {
              grantId: state.grantId as string,
              ...d,
              accessor: metadata.actor.org,
              accessedAt: metadata.now,
            },
          },
        ];
      }
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'AuthorizationGranted':
        return {
          ...state,
          status: 'granted',
          grantId: event.data.grantId,
          enterpriseUscc: event.data.enterpriseUscc,
          grantee: event.data.grantee,
          categories: event.data.categories,
          expiresAt: event.data.expiresAt,
        };
      case 'AuthorizationRevoked':
        return { ...state, status: 'revoked' };
      case 'CreditDataAccessed':
        return { ...state, accessIds: state.accessIds.with(event.data.accessId) };
    }
  },
};
