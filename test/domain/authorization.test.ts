import { describe, it } from 'vitest';
import type { AuthorizationCommand } from '../../src/domain/authorization/commands.ts';
import { authorizationDecider } from '../../src/domain/authorization/decider.ts';
import { authorizationEvents, type AuthorizationEvent } from '../../src/domain/authorization/events.ts';
import { BANK, OTHER_BANK, OTHER_USCC, USCC } from './fixtures.ts';
import { commands, DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(authorizationDecider, authorizationEvents);
const c = commands<AuthorizationCommand>();
const grant = {
  grantId: 'g1',
  enterpriseUscc: USCC,
  grantee: BANK,
  categories: ['tax' as const, 'utilities' as const],
  purpose: 'financing_support' as const,
  expiresAt: '2026-06-01T00:00:00.000Z',
};
const granted: AuthorizationEvent = { type: 'AuthorizationGranted', data: { ...grant, grantedAt: NOW } };
const access = { accessId: 'a1', category: 'tax' as const, purpose: 'financing_support' as const };

describe('authorization decider', () => {
  it('the enterprise grants; another enterprise cannot grant for it', () => {
    spec([])
      .when(c('GrantAuthorization', grant, ['enterprise', USCC]))
      .then([granted]);
    spec([])
      .when(c('GrantAuthorization', grant, ['enterprise', OTHER_USCC]))
      .thenThrows('authorization.grant.not_the_enterprise');
    spec([granted])
      .when(c('GrantAuthorization', grant, ['enterprise', USCC]))
      .thenThrows('authorization.grant.already_granted');
  });

  it('refuses an expiry in the past and duplicate categories', () => {
    spec([])
      .when(
        c('GrantAuthorization', { ...grant, expiresAt: '2026-01-01T00:00:00.000Z' }, ['enterprise', USCC]),
      )
      .thenThrows('authorization.grant.expiry_in_past');
    spec([])
      .when(c('GrantAuthorization', { ...grant, categories: ['tax', 'tax'] }, ['enterprise', USCC]))
      .thenThrows('authorization.grant.duplicate_category');
  });

  it('records an access by the grantee under a live grant, naming who, what and which grant', () => {
    spec([granted])
      .when(c('RecordCreditDataAccess', access, ['bank', BANK]))
      .then([
        {
          type: 'CreditDataAccessed',
          data: { grantId: 'g1', ...access, accessor: BANK, accessedAt: NOW },
        },
      ]);
  });

  it('refuses access by another bank, to a category not granted, after expiry, after revocation', () => {
    spec([granted])
      .when(c('RecordCreditDataAccess', access, ['bank', OTHER_BANK]))
      .thenThrows('authorization.access.not_the_grantee');
    spec([granted])
      .when(c('RecordCreditDataAccess', { ...access, category: 'real_estate' }, ['bank', BANK]))
      .thenThrows('authorization.access.category_not_granted');
    spec([granted])
      .when(c('RecordCreditDataAccess', access, ['bank', BANK], '2026-06-01T00:00:00.000Z'))
      .thenThrows('authorization.access.no_live_grant');
    const revoked: AuthorizationEvent = {
      type: 'AuthorizationRevoked',
      data: { grantId: 'g1', reason: 'loan repaid', revokedAt: NOW },
    };
    spec([granted, revoked])
      .when(c('RecordCreditDataAccess', access, ['bank', BANK]))
      .thenThrows('authorization.access.no_live_grant');
    spec([])
      .when(c('RecordCreditDataAccess', access, ['bank', BANK]))
      .thenThrows('authorization.not_granted');
  });

  it('revocation: only the enterprise, only once', () => {
    spec([granted])
      .when(c('RevokeAuthorization', { reason: 'loan repaid' }, ['enterprise', USCC]))
      .then([
        { type: 'AuthorizationRevoked', data: { grantId: 'g1', reason: 'loan repaid', revokedAt: NOW } },
      ]);
    spec([granted])
      .when(c('RevokeAuthorization', { reason: 'x' }, ['bank', BANK]))
      .thenThrows('authorization.revoke.not_the_enterprise');
    spec([granted, { type: 'AuthorizationRevoked', data: { grantId: 'g1', reason: 'x', revokedAt: NOW } }])
      .when(c('RevokeAuthorization', { reason: 'x' }, ['enterprise', USCC]))
      .thenThrows('authorization.revoke.already_revoked');
  });
});
