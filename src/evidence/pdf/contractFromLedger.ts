import { createHash } from 'node:crypto';
import { z } from 'zod';
import { buildSchedule } from '../../domain/money.ts';
import type { LoanContractTerms } from './contractTerms.ts';
import type { OrgRole } from './labels.ts';

/**
 * The 借款合同's terms read from the ledger (pure: the caller gathers the events, see
 * src/documents/contractDrafting.ts). Everything that binds the parties comes from recorded events —
 * amount, rate, term and schedule type from LoanApproved, purpose from LoanApplied, the lender from
 * ProductChosen, the guarantee and 4321 shares from GuaranteeIssued / RiskSharingAgreed, names from the
 * organizations' and enterprise's registrations. The drafting options only fill what the ledger does
 * not know yet (the planned disbursement date, the arbitration commission and notary office chosen).
 */

const text = (max: number) => z.string().trim().min(1).max(max);

/** Optional `terms` of a server-drafted POST /v1/loans/:loanId/contract. */
export const ContractDraftingOptions = z.strictObject({
  /** 合同编号; default `JK-<loanId>` (or a hash of a long loan id). */
  contractNo: text(64).optional(),
  /** Planned disbursement date (计划放款日): the schedule's start; default the Beijing date of drafting. */
  startDate: z.iso.date().optional(),
  signingPlace: text(60).optional(),
  /** The arbitration commission of the dispute clause; default the server's. */
  arbitrationInstitution: text(120).optional(),
  /** The notary office of the 赋强公证 consent; default the server's. */
  notaryOffice: text(120).optional(),
  /** The risk-sharing programme's name as printed; default from its programme id. */
  riskProgramme: text(120).optional(),
});
export type ContractDraftingOptions = z.infer<typeof ContractDraftingOptions>;

/** What the platform puts in every contract it drafts unless the bank names other institutions. */
export interface ContractDefaults {
  platform: string;
  arbitrationInstitution: string;
  notaryOffice: string;
}

export const DEFAULT_CONTRACT_DEFAULTS: ContractDefaults = {
  platform: '湖南省融资信用服务平台',
  arbitrationInstitution: '长沙仲裁委员会',
  notaryOffice: '湖南省长沙市长沙公证处',
};

export interface Registration {
  name: string;
  uscc?: string;
  role?: OrgRole;
}

interface FactEvent {
  type: string;
  data: Record<string, unknown>;
  meta: { recordedAt: string };
}

export interface ContractFacts {
  loanId: string;
  /** The loan stream's events, in order. */
  loanEvents: FactEvent[];
  /** The loan's guarantee stream (`guarantee-<loanId>`), empty for a credit loan. */
  guaranteeEvents: FactEvent[];
  /** An organization's registration by org id, or an enterprise's by USCC. */
  registrationOf(org: string): Registration | undefined;
}

/** A risk-sharing party's kind (guarantee/config.ts) as the role the contract prints, if unregistered. */
const ROLE_OF_KIND: Record<string, OrgRole> = {
  national_fund: 'government_fund',
  provincial_finance: 'government_fund',
  provincial_reguarantee: 'reguarantor',
  guarantor: 'guarantor',
  bank: 'bank',
  local_government: 'government_fund',
};

const USCC = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const BEIJING_OFFSET_MS = 8 * 3_600_000;
const beijingDate = (instant: string): string =>
  new Date(Date.parse(instant) + BEIJING_OFFSET_MS).toISOString().slice(0, 10);

const last = (events: FactEvent[], type: string) => events.filter((e) => e.type === type).at(-1);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

const contractNoFor = (loanId: string): string =>
  loanId.length <= 61
    ? `JK-${loanId}`
    : `JK-${createHash('sha256').update(loanId).digest('hex').slice(0, 32)}`;

/** Thrown when the ledger lacks an input the contract needs; the caller turns it into a domain error. */
export class MissingContractFact extends Error {}

export function contractTermsFromLedger(
  facts: ContractFacts,
  options: ContractDraftingOptions,
  defaults: ContractDefaults,
): LoanContractTerms {
  const applied = last(facts.loanEvents, 'LoanApplied');
  const chosen = last(facts.loanEvents, 'ProductChosen');
  const approved = last(facts.loanEvents, 'LoanApproved');
  if (!applied || !chosen || !approved) throw new MissingContractFact('the loan has no approved terms');
  const issued = last(facts.guaranteeEvents, 'GuaranteeIssued');
  const sharing = last(facts.guaranteeEvents, 'RiskSharingAgreed');

  const party = (org: string) => {
    const r = facts.registrationOf(org);
    return { name: r?.name ?? org, ...(r?.uscc && USCC.test(r.uscc) ? { uscc: r.uscc } : {}) };
  };
  const borrowerUscc = str(applied.data.borrowerUscc);
  const t = approved.data;
  // The contract's date is when its last input was recorded, so the same ledger always gives the same
  // bytes: a draft retried after a crash rewrites the identical file and hash.
  const draftedAt = [approved, issued, sharing]
    .filter((e) => e !== undefined)
    .map((e) => e.meta.recordedAt)
    .sort()
    .at(-1)!;
  const startDate = options.startDate ?? beijingDate(draftedAt);
  const scheduleType = t.scheduleType === 'equal_principal' ? 'equal_principal' : 'equal_instalment';
  const schedule = buildSchedule({
    principalFen: num(t.amountFen),
    annualRateBps: num(t.rateBps),
    termMonths: num(t.termMonths),
    type: scheduleType,
    startDate,
  });

  let guaranteed: Pick<LoanContractTerms, 'guarantor' | 'guarantee' | 'riskShares' | 'riskProgramme'> = {};
  if (issued) {
    if (!sharing) throw new MissingContractFact('the guarantee has no risk-sharing agreement');
    const parties = (sharing.data.parties ?? []) as { org: string; kind: string; shareBps: number }[];
    guaranteed = {
      guarantor: party(str(issued.data.guarantor)),
      guarantee: { coverageBps: num(issued.data.guaranteedShareBps), feeRateBps: num(issued.data.feeBps) },
      riskShares: parties.map((p) => ({
        name: party(p.org).name,
        role: facts.registrationOf(p.org)?.role ?? ROLE_OF_KIND[p.kind] ?? 'government_fund',
        bps: p.shareBps,
      })),
      riskProgramme: options.riskProgramme ?? `政银担风险分担（“4321”）方案 ${str(sharing.data.programmeId)}`,
    };
  }

  return {
    contractNo: options.contractNo ?? contractNoFor(facts.loanId),
    loanId: facts.loanId,
    draftedAt,
    platform: defaults.platform,
    ...(options.signingPlace ? { signingPlace: options.signingPlace } : {}),
    lender: party(str(chosen.data.bank)),
    borrower: party(borrowerUscc),
    ...guaranteed,
    principalFen: num(t.amountFen),
    annualRateBps: num(t.rateBps),
    termMonths: num(t.termMonths),
    startDate,
    endDate: schedule.at(-1)!.dueDate,
    purpose: str(applied.data.purpose),
    repaymentMethod: scheduleType,
    schedule: schedule.map((i) => ({
      dueDate: i.dueDate,
      principalFen: i.principalFen,
      interestFen: i.interestFen,
    })),
    arbitration: { institution: options.arbitrationInstitution ?? defaults.arbitrationInstitution },
    notarization: { notaryOffice: options.notaryOffice ?? defaults.notaryOffice },
  };
}
