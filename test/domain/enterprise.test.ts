import { describe, it } from 'vitest';
import type { EnterpriseCommand } from '../../src/domain/enterprise/commands.ts';
import { enterpriseDecider } from '../../src/domain/enterprise/decider.ts';
import { enterpriseEvents, type EnterpriseEvent } from '../../src/domain/enterprise/events.ts';
import { USCC, OTHER_USCC, legalRep, OPERATOR } from './fixtures.ts';
import { commands, DeciderSpecification, NOW } from './specification.ts';

const spec = DeciderSpecification.for(enterpriseDecider, enterpriseEvents);
const c = commands<EnterpriseCommand>();
const registration = {
  uscc: USCC,
  name: '长沙示例科技有限公司',
  regionCode: '430102',
  industry: 'C3911',
  sizeClass: 'small' as const,
};
const registered: EnterpriseEvent = {
  type: 'EnterpriseRegistered',
  data: { ...registration, legalRepresentative: legalRep, registeredAt: NOW },
};

describe('enterprise decider', () => {
  it('registers an enterprise with only vault references of its legal representative', () => {
    spec([])
      .when(c('RegisterEnterprise', { ...registration, legalRepresentative: legalRep }, ['enterprise', USCC]))
      .then([registered]);
  });

  it('refuses an invalid USCC', () => {
    const bad = USCC.slice(0, 17) + (USCC[17] === '0' ? '1' : '0');
    spec([])
      .when(
        c('RegisterEnterprise', { ...registration, uscc: bad, legalRepresentative: legalRep }, [
          'enterprise',
          bad,
        ]),
      )
      .thenThrows('enterprise.register.invalid_uscc');
  });

  it('refuses a second registration', () => {
    spec([registered])
      .when(
        c('RegisterEnterprise', { ...registration, legalRepresentative: legalRep }, ['operator', OPERATOR]),
      )
      .thenThrows('enterprise.register.already_registered');
  });

  it('refuses registration by another enterprise', () => {
    spec([])
      .when(
        c('RegisterEnterprise', { ...registration, legalRepresentative: legalRep }, [
          'enterprise',
          OTHER_USCC,
        ]),
      )
      .thenThrows('enterprise.register.actor_not_allowed');
  });

  it('erases every live subject once, then refuses', () => {
    const erased = spec([registered])
      .when(c('EraseLegalRepresentative', { reason: 'PIPL deletion request' }, ['operator', OPERATOR]))
      .then([
        {
          type: 'PersonalDataErased',
          data: {
            uscc: USCC,
            subjectId: 'subject-1',
            vaultRefs: ['pii:name-1', 'pii:id-1'],
            reason: 'PIPL deletion request',
            erasedAt: NOW,
          },
        },
      ]);
    spec([registered, ...erased])
      .when(c('EraseLegalRepresentative', { reason: 'again' }, ['operator', OPERATOR]))
      .thenThrows('enterprise.erase.already_erased');
  });

  it('refuses erasure by an unrelated bank and on an unregistered enterprise', () => {
    spec([registered])
      .when(c('EraseLegalRepresentative', { reason: 'x' }, ['bank', 'b']))
      .thenThrows('enterprise.erase.actor_not_allowed');
    spec([])
      .when(c('EraseLegalRepresentative', { reason: 'x' }, ['operator', OPERATOR]))
      .thenThrows('enterprise.not_registered');
  });

  it('changes the legal representative (new subject; both erasable)', () => {
    const rep2 = { ...legalRep, subjectId: 'subject-2' };
    const changed = spec([registered])
      .when(
        c('ChangeLegalRepresentative', { changeId: 'ch1', legalRepresentative: rep2 }, ['enterprise', USCC]),
      )
      .then([
        {
          type: 'LegalRepresentativeChanged',
          data: { uscc: USCC, changeId: 'ch1', legalRepresentative: rep2 },
        },
      ]);
    spec([registered, ...changed])
      .when(c('EraseLegalRepresentative', { reason: 'r' }, ['operator', OPERATOR]))
      .then((events) => {
        if (events.length !== 2) throw new Error(`expected 2 erasures, got ${events.length}`);
      });
  });
});
