import { requireActor, ensure } from '../actor.ts';
import type { Decider } from '../decider.ts';
import { usccProblem } from '../identifiers.ts';
import type { LegalRepresentativeRef } from '../pii.ts';
import type { EnterpriseCommand } from './commands.ts';
import type { EnterpriseEvent } from './events.ts';

export interface EnterpriseState {
  status: 'none' | 'registered';
  uscc: string | null;
  legalRepresentative: LegalRepresentativeRef | null;
  /** Subjects whose data was erased (a changed representative leaves the old subject erasable). */
  subjects: { subjectId: string; vaultRefs: string[]; erased: boolean }[];
}

export const enterpriseDecider: Decider<EnterpriseCommand, EnterpriseEvent, EnterpriseState> = {
  initialState: () => ({ status: 'none', uscc: null, legalRepresentative: null, subjects: [] }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'RegisterEnterprise': {
        const d = command.data;
        ensure(
          state.status === 'none',
          'enterprise.register.already_registered',
          'the enterprise is already registered',
        );
        const problem = usccProblem(d.uscc);
        ensure(
          problem === undefined,
          'enterprise.register.invalid_uscc',
          `the USCC is not valid (${problem})`,
          {
            problem,
          },
        );
        // The enterprise registers itself (实名注册) or the platform operator does it for it.
        requireActor(metadata, 'enterprise.register.actor_not_allowed', [
          'operator',
          { role: 'enterprise', org: d.uscc },
        ]);
        return [{ type: 'EnterpriseRegistered', data: { ...d, registeredAt: metadata.now } }];
      }
      case 'ChangeLegalRepresentative': {
        ensure(
          state.status === 'registered',
          'enterprise.not_registered',
          'the enterprise is not registered',
        );
        requireActor(metadata, 'enterprise.change.actor_not_allowed', [
          'operator',
          { role: 'enterprise', org: state.uscc as string },
        ]);
        return [
          { type: 'LegalRepresentativeChanged', data: { uscc: state.uscc as string, ...command.data } },
        ];
      }
      case 'EraseLegalRepresentative': {
        ensure(
          state.status === 'registered',
          'enterprise.not_registered',
          'the enterprise is not registered',
        );
        requireActor(metadata, 'enterprise.erase.actor_not_allowed', [
          'operator',
          { role: 'enterprise', org: state.uscc as string },
        ]);
        const live = state.subjects.filter((s) => !s.erased);
        ensure(
          live.length > 0,
          'enterprise.erase.already_erased',
          'no personal data of this enterprise is left to erase',
        );
        return live.map((s) => ({
          type: 'PersonalDataErased' as const,
          data: {
            uscc: state.uscc as string,
            subjectId: s.subjectId,
            vaultRefs: s.vaultRefs,
            reason: command.data.reason,
            erasedAt: metadata.now,
          },
        }));
      }
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'EnterpriseRegistered':
      case 'LegalRepresentativeChanged': {
        const rep = event.data.legalRepresentative;
        return {
          ...state,
          status: 'registered',
          uscc: event.data.uscc,
          legalRepresentative: rep,
          subjects: [
            ...state.subjects,
            {
              subjectId: rep.subjectId,
              vaultRefs: [rep.name.vaultRef, rep.idNumber.vaultRef],
              erased: false,
            },
          ],
        };
      }
      case 'PersonalDataErased':
        return {
          ...state,
          subjects: state.subjects.map((s) =>
            s.subjectId === event.data.subjectId ? { ...s, erased: true } : s,
          ),
        };
    }
  },
};
