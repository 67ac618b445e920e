import { ensure, requireActor } from '../actor.ts';
import type { Decider } from '../decider.ts';
import { applyBps, BPS_WHOLE, split } from '../money.ts';
import type { GuaranteeCommand } from './commands.ts';
import { feeCeilingBps, type PartyKind } from './config.ts';
import type { GuaranteeEvent } from './events.ts';
import { allocateRecovery } from './riskSharing.ts';
import { SeenIds } from '../seenIds.ts';

interface Party {
  org: string;
  kind: PartyKind;
  shareBps: number;
  /** The party's share of the loss (what it bears once everyone has paid). */
  lossShareFen: number;
  reimbursementDueFen: number;
  reimbursedFen: number;
  recoveredFen: number;
}

export interface GuaranteeState {
  status: 'none' | 'issued' | 'compensated' | 'released';
  guarantor: string | null;
  lender: string | null;
  lossFen: number;
  recoveredFen: number;
  recoveryIds: SeenIds;
  parties: Party[];
}

const reimbursing = (kind: PartyKind): boolean => kind !== 'guarantor' && kind !== 'bank';

export const guaranteeDecider: Decider<GuaranteeCommand, GuaranteeEvent, GuaranteeState> = {
  initialState: () => ({
    status: 'none',
    guarantor: null,
    lender: null,
    lossFen: 0,
    recoveredFen: 0,
    recoveryIds: SeenIds.empty(),
    parties: [],
  }),

  decide: (command, state) => {
    const { metadata } = command;
    switch (command.type) {
      case 'IssueGuarantee': {
        const d = command.data;
        const p = d.programme;
        ensure(state.status === 'none', 'guarantee.issue.already_issued', 'guarantee id already used');
        requireActor(metadata, 'guarantee.issue.not_a_guarantor', ['guarantor']);
        const total = p.parties.reduce((s, x) => s + x.shareBps, 0);
        ensure(
          total === BPS_WHOLE,
          'guarantee.risk_sharing.shares_not_10000',
          `shares sum to ${total} bps, not 10,000`,
          {
            totalBps: total,
          },
        );
        const guarantors = p.parties.filter((x) => x.kind === 'guarantor');
        const banks = p.parties.filter((x) => x.kind === 'bank');
        ensure(
          guarantors.length === 1 &&
            guarantors[0]?.org === metadata.actor.org &&
            banks.length <= 1 &&
            (banks.length === 0 || banks[0]?.org === d.lender) &&
            new Set(p.parties.map((x) => x.org)).size === p.parties.length,
          'guarantee.risk_sharing.parties_mismatch',
          'the agreement must name this guarantor once, the lender at most once, and each party once',
        );
        const bankShare = banks[0]?.shareBps ?? 0;
        ensure(
          d.guaranteedShareBps === BPS_WHOLE - bankShare,
          'guarantee.issue.guaranteed_share_mismatch',
          'the guaranteed share must be the part of the loss the bank does not bear itself',
          { expectedBps: BPS_WHOLE - bankShare },
        );
        const guaranteedAmountFen = applyBps(d.principalFen, d.guaranteedShareBps);
        const ceiling = feeCeilingBps(guaranteedAmountFen);
        ensure(
          d.feeBps <= ceiling,
          'guarantee.issue.fee_above_ceiling',
          `the fee may not exceed ${ceiling} bps`,
          {
            feeCeilingBps: ceiling,
          },
        );
        ensure(
          d.borrowerExistingGuaranteedFen + guaranteedAmountFen <= p.singleCustomerCeilingFen,
          'guarantee.issue.single_customer_ceiling',
          'the borrower would exceed the programme’s single-customer ceiling',
        );
        ensure(
          p.currentLossRateBps < p.lossRateCeilingBps,
          'guarantee.issue.loss_rate_ceiling_reached',
          'the programme’s compensation rate reached its ceiling: new business is suspended (熔断)',
        );
        return [
          {
            type: 'GuaranteeIssued',
            data: {
              guaranteeId: d.guaranteeId,
              loanId: d.loanId,
              guarantor: metadata.actor.org,
              lender: d.lender,
              borrowerUscc: d.borrowerUscc,
              principalFen: d.principalFen,
              guaranteedShareBps: d.guaranteedShareBps,
              guaranteedAmountFen,
              feeBps: d.feeBps,
              feeFen: applyBps(guaranteedAmountFen, d.feeBps),
              feeCeilingBps: ceiling,
              issuedAt: metadata.now,
            },
          },
          {
            type: 'RiskSharingAgreed',
            data: {
              programmeId: p.programmeId,
              parties: p.parties,
              lossRateCeilingBps: p.lossRateCeilingBps,
              singleCustomerCeilingFen: p.singleCustomerCeilingFen,
            },
          },
        ];
      }
      case 'CompensateBank': {
        const d = command.data;
        ensure(
          state.status !== 'compensated',
          'guarantee.compensate.already_compensated',
          'this default was already compensated',
        );
        ensure(state.status === 'issued', 'guarantee.compensate.not_issued', 'no live guarantee');
        requireActor(metadata, 'guarantee.compensate.not_the_guarantor', [
          { role: 'guarantor', org: state.guarantor as string },
        ]);
        const amounts = split(
          d.lossFen,
          state.parties.map((x) => x.shareBps),
        );
        const shares = state.parties.map((x, i) => ({
          org: x.org,
          kind: x.kind,
          shareBps: x.shareBps,
          amountFen: amounts[i] as number,
        }));
        const bankFen = shares.filter((s) => s.kind === 'bank').reduce((s, x) => s + x.amountFen, 0);
        return [
          {
            type: 'GuaranteeCompensated',
            data: { lossFen: d.lossFen, compensatedFen: d.lossFen - bankFen, paidOn: d.paidOn, shares },
          },
          ...shares
            .filter((s) => reimbursing(s.kind) && s.amountFen > 0)
            .map((s) => ({
              type: 'ReimbursementDue' as const,
              data: { org: s.org, kind: s.kind, amountFen: s.amountFen },
            })),
        ];
      }
      case 'RecordReimbursement': {
        const d = command.data;
        ensure(
          state.status === 'compensated',
          'guarantee.reimburse.not_compensated',
          'nothing is due before compensation',
        );
        const party = state.parties.find((x) => x.org === metadata.actor.org && reimbursing(x.kind));
        ensure(
          party !== undefined && party.reimbursementDueFen > 0,
          'guarantee.reimburse.not_due',
          'this organization owes no reimbursement here',
        );
        const left = (party as Party).reimbursementDueFen - (party as Party).reimbursedFen;
        ensure(d.amountFen <= left, 'guarantee.reimburse.exceeds_due', 'more than is due', {
          remainingFen: left,
        });
        return [
          {
            type: 'ReimbursementPaid',
            data: {
              org: metadata.actor.org,
              amountFen: d.amountFen,
              paidOn: d.paidOn,
              remainingFen: left - d.amountFen,
            },
          },
        ];
      }
      case 'ShareRecovery': {
        const d = command.data;
        ensure(
          state.status === 'compensated',
          'guarantee.recovery.not_compensated',
          'recoveries are shared after compensation',
        );
        requireActor(metadata, 'guarantee.recovery.not_the_guarantor', [
          { role: 'guarantor', org: state.guarantor as string },
        ]);
        ensure(
          !state.recoveryIds.has(d.recoveryId),
          'guarantee.recovery.duplicate',
          'recovery id already used',
        );
        ensure(
          state.parties.every((x) => x.reimbursedFen === x.reimbursementDueFen),
          'guarantee.recovery.reimbursements_outstanding',
          'every upper level must have paid its share before recoveries are shared back',
        );
        ensure(
          state.recoveredFen + d.amountFen <= state.lossFen,
          'guarantee.recovery.exceeds_loss',
          'recoveries cannot exceed the loss',
          { remainingFen: state.lossFen - state.recoveredFen },
        );
        const parts = allocateRecovery(
          d.amountFen,
          state.parties.map((x) => x.shareBps),
          state.parties.map((x) => x.lossShareFen - x.recoveredFen),
        );
        return [
          {
            type: 'RecoveryShared',
            data: {
              ...d,
              allocations: state.parties.map((x, i) => ({ org: x.org, amountFen: parts[i] as number })),
            },
          },
        ];
      }
      case 'ReleaseGuarantee':
        ensure(
          state.status === 'issued',
          'guarantee.release.not_issued',
          'only a live, uncompensated guarantee can be released',
        );
        requireActor(metadata, 'guarantee.release.not_allowed', [
          { role: 'guarantor', org: state.guarantor as string },
          { role: 'bank', org: state.lender as string },
        ]);
        return [
          { type: 'GuaranteeReleased', data: { reason: command.data.reason, releasedAt: metadata.now } },
        ];
    }
  },

  evolve: (state, event) => {
    switch (event.type) {
      case 'GuaranteeIssued':
        return { ...state, status: 'issued', guarantor: event.data.guarantor, lender: event.data.lender };
      case 'RiskSharingAgreed':
        return {
          ...state,
          parties: event.data.parties.map((p) => ({
            ...p,
            lossShareFen: 0,
            reimbursementDueFen: 0,
            reimbursedFen: 0,
            recoveredFen: 0,
          })),
        };
      case 'GuaranteeCompensated':
        return {
          ...state,
          status: 'compensated',
          lossFen: event.data.lossFen,
          parties: state.parties.map((p, i) => ({
            ...p,
            lossShareFen: event.data.shares[i]?.amountFen ?? 0,
          })),
        };
      case 'ReimbursementDue':
        return {
          ...state,
          parties: state.parties.map((p) =>
            p.org === event.data.org ? { ...p, reimbursementDueFen: event.data.amountFen } : p,
          ),
        };
      case 'ReimbursementPaid':
        return {
          ...state,
          parties: state.parties.map((p) =>
            p.org === event.data.org ? { ...p, reimbursedFen: p.reimbursedFen + event.data.amountFen } : p,
          ),
        };
      case 'RecoveryShared': {
        const byOrg = new Map(event.data.allocations.map((a) => [a.org, a.amountFen]));
        return {
          ...state,
          recoveredFen: state.recoveredFen + event.data.amountFen,
          recoveryIds: state.recoveryIds.with(event.data.recoveryId),
          parties: state.parties.map((p) => ({
            ...p,
            recoveredFen: p.recoveredFen + (byOrg.get(p.org) ?? 0),
          })),
        };
      }
      case 'GuaranteeReleased':
        return { ...state, status: 'released' };
    }
  },
};
