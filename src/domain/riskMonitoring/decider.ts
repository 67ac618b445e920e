import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import type { RiskMonitoringCommand } from './commands.ts';
import type { RiskMonitoringEvent } from './events.ts';
import { ruleFor } from './rules.ts';

/** One stream per borrower (`risk-<USCC>`). */
export interface RiskMonitoringState {
  warnings: { warningId: string; rule: string; sourceRef: string; open: boolean }[];
}

export const riskMonitoringDecider: Decider<RiskMonitoringCommand, RiskMonitoringEvent, RiskMonitoringState> =
  {
    initialState: () => ({ warnings: [] }),

    decide: (command, state) => {
      const { metadata } = command;
      requireActor(metadata, 'risk.actor_not_allowed', ['system', 'operator', 'regulator']);
      switch (command.type) {
        case 'RaiseWarning': {
          const d = command.data;
          ensure(
            !state.warnings.some((w) => w.warningId === d.warningId),
            'risk.warning.duplicate_id',
            'warning id already used',
          );
          const rule = ruleFor(d.signal.kind, d.signal.value);
          ensure(
            rule !== undefined,
            'risk.warning.below_threshold',
            'the signal does not reach any warning rule',
          );
          const r = rule as NonNullable<typeof rule>;
          ensure(
            !state.warnings.some((w) => w.open && w.rule === r.rule && w.sourceRef === d.signal.sourceRef),
            'risk.warning.already_open',
            'the same rule already has an open warning for that source',
          );
          return [
            { type: 'WarningRaised', data: { ...d, rule: r.rule, level: r.level, raisedAt: metadata.now } },
          ];
        }
        case 'ResolveWarning': {
          const w = state.warnings.find((x) => x.warningId === command.data.warningId);
          ensure(w !== undefined && w.open, 'risk.resolve.not_open', 'no open warning with that id');
          return [{ type: 'WarningResolved', data: { ...command.data, resolvedAt: metadata.now } }];
        }
      }
    },

    evolve: (state, event) => {
      switch (event.type) {
        case 'WarningRaised':
          return {
            warnings: [
              ...state.warnings,
              {
                warningId: event.data.warningId,
                rule: event.data.rule,
                sourceRef: event.data.signal.sourceRef,
                open: true,
              },
            ],
          };
        case 'WarningResolved':
          return {
            warnings: state.warnings.map((w) =>
              w.warningId === event.data.warningId ? { ...w, open: false } : w,
            ),
          };
      }
    },
  };
