import type { ReadModelDb } from './readModelDb.ts';
import { rateBps } from './statistics.ts';

/** Per counterparty: reimbursements this party owes (or is owed) — due, paid, and overdue as of a date. */
export interface CounterpartyReimbursements {
  counterparty: string;
  due: number;
  paid: number;
  outstanding: number;
  overdue: number;
}

export interface PartyLedger {
  party: string;
  levels: string[];
  /** Guaranteed principal still outstanding on live loans of programmes the party shares in. */
  outstandingGuaranteedPrincipal: number;
  /** That principal weighted by the party's share in each programme (floor, per programme). */
  shareWeightedExposure: number;
  /** What the party has paid out for losses: compensation (guarantor) plus reimbursements it paid. */
  compensationPaid: number;
  /** Reimbursements the party must pay, per payee. */
  reimbursementsPayable: CounterpartyReimbursements[];
  /** Reimbursements owed to the party, per payer. */
  reimbursementsReceivable: CounterpartyReimbursements[];
  recoveriesReceived: number;
  /** Recoveries the party received and owes onward to the others, in their shares. */
  recoveriesOwedOnward: number;
  /** Recoveries others received and owe this party. */
  recoveriesOwedToParty: number;
}

export interface ProgrammeStatus {
  programmeId: string;
  guaranteedTotal: number;
  compensationTotal: number;
  lossRateBps: number | null;
  lossRateCapBps: number | null;
  /** At or above 80 % of the cap. */
  warning: boolean;
  /** At or above the cap (熔断: the domain then refuses new guarantees in the programme). */
  breach: boolean;
  parties: { party: string; level: string; shareBps: number }[];
}

/**
 * The programmes an organization takes part in: named as a risk-sharing party, or the guarantor or the
 * bank of a loan guaranteed under it (a programme spans many guarantees; its party list holds the upper
 * levels as last agreed).
 */
export function programmesOf(db: ReadModelDb, org: string): Set<string> {
  return new Set(
    db
      .all<{ programme_id: string }>(
        `SELECT programme_id FROM rm_guarantees_parties WHERE party = ?
         UNION SELECT programme_id FROM rm_guarantees_loans WHERE guarantor = ? OR bank = ?`,
        org,
        org,
        org,
      )
      .map((r) => r.programme_id),
  );
}

export function programmeStatuses(db: ReadModelDb): ProgrammeStatus[] {
  const parties = db.all<{ programme_id: string; party: string; level: string; share_bps: number }>(
    'SELECT programme_id, party, level, share_bps FROM rm_guarantees_parties ORDER BY programme_id, party',
  );
  return db
    .all<{
      programme_id: string;
      loss_rate_cap_bps: number | null;
      guaranteed_total: number;
      compensation_total: number;
    }>('SELECT * FROM rm_guarantees_programmes ORDER BY programme_id')
    .map((p) => {
      const loss = rateBps(p.compensation_total, p.guaranteed_total);
      const cap = p.loss_rate_cap_bps;
      // warning at 80 % of the cap: loss × 10 ≥ cap × 8 keeps it in integers.
      const comp = BigInt(p.compensation_total) * 10_000n;
      const base = BigInt(p.guaranteed_total);
      const warning = cap !== null && loss !== null && comp * 10n >= BigInt(cap) * 8n * base;
      const breach = cap !== null && loss !== null && comp >= BigInt(cap) * base;
      return {
        programmeId: p.programme_id,
        guaranteedTotal: p.guaranteed_total,
        compensationTotal: p.compensation_total,
        lossRateBps: loss,
        lossRateCapBps: cap,
        warning: warning || breach,
        breach,
        parties: parties
          .filter((x) => x.programme_id === p.programme_id)
          .map((x) => ({ party: x.party, level: x.level, shareBps: x.share_bps })),
      };
    });
}

/**
 * Days an upper level has to reimburse the guarantor after 代偿 before the view calls it overdue. The
 * domain's ReimbursementDue carries no due date (FACTS.md gives no term), so this is the read model's
 * assumption, not a rule: callers may pass their own.
 */
export const REIMBURSEMENT_GRACE_DAYS = 30;

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The ledger of every party (or one). A reimbursement is overdue when `asOf` ('YYYY-MM-DD') is past the
 * compensation date plus `graceDays`.
 */
export function partyLedgers(
  db: ReadModelDb,
  asOf: string,
  onlyParty?: string,
  graceDays: number = REIMBURSEMENT_GRACE_DAYS,
): PartyLedger[] {
  const ledgers = new Map<string, PartyLedger>();
  const get = (party: string): PartyLedger => {
    let l = ledgers.get(party);
    if (!l) {
      l = {
        party,
        levels: [],
        outstandingGuaranteedPrincipal: 0,
        shareWeightedExposure: 0,
        compensationPaid: 0,
        reimbursementsPayable: [],
        reimbursementsReceivable: [],
        recoveriesReceived: 0,
        recoveriesOwedOnward: 0,
        recoveriesOwedToParty: 0,
      };
      ledgers.set(party, l);
    }
    return l;
  };

  const exposure = db.all<{ party: string; level: string; share_bps: number; principal: number }>(
    `SELECT p.party, p.level, p.share_bps,
            coalesce((SELECT sum(l.outstanding * l.guaranteed_share_bps / 10000) FROM rm_guarantees_loans l
                      WHERE l.programme_id = p.programme_id AND l.guarantor <> ''), 0) AS principal
     FROM rm_guarantees_parties p ORDER BY p.programme_id, p.party`,
  );
  for (const x of exposure) {
    const l = get(x.party);
    if (!l.levels.includes(x.level)) l.levels.push(x.level);
    l.outstandingGuaranteedPrincipal += x.principal;
    l.shareWeightedExposure += Number((BigInt(x.principal) * BigInt(x.share_bps)) / 10_000n);
  }

  const pairs = new Map<string, CounterpartyReimbursements>();
  const pair = (payer: string, payee: string) => {
    const k = `${payer}\u0000${payee}`;
    let p = pairs.get(k);
    if (!p) pairs.set(k, (p = { counterparty: '', due: 0, paid: 0, outstanding: 0, overdue: 0 }));
    return p;
  };
  const entries = db.all<{
    entry: string;
    party: string;
    counterparty: string;
    amount: number;
    arose_on: string | null;
  }>('SELECT entry, party, counterparty, amount, arose_on FROM rm_guarantees_entries ORDER BY position, seq');
  const overdueDue = new Map<string, number>();
  for (const e of entries) {
    switch (e.entry) {
      case 'compensation':
        get(e.party).compensationPaid += e.amount;
        break;
      case 'reimbursement_due':
        pair(e.party, e.counterparty).due += e.amount;
        if (e.arose_on !== null && addDays(e.arose_on, graceDays) < asOf) {
          const k = `${e.party}\u0000${e.counterparty}`;
          overdueDue.set(k, (overdueDue.get(k) ?? 0) + e.amount);
        }
        break;
      case 'reimbursement_paid':
        pair(e.party, e.counterparty).paid += e.amount;
        get(e.party).compensationPaid += e.amount;
        break;
      case 'recovery_received':
        get(e.party).recoveriesReceived += e.amount;
        break;
      case 'recovery_owed':
        get(e.party).recoveriesOwedOnward += e.amount;
        get(e.counterparty).recoveriesOwedToParty += e.amount;
        break;
    }
  }
  for (const [k, p] of pairs) {
    const [payer, payee] = k.split('\u0000') as [string, string];
    p.outstanding = Math.max(0, p.due - p.paid);
    // Payments settle the oldest dues first, so what is overdue is what is past due minus what was paid.
    p.overdue = Math.max(0, (overdueDue.get(k) ?? 0) - p.paid);
    get(payer).reimbursementsPayable.push({ ...p, counterparty: payee });
    get(payee).reimbursementsReceivable.push({ ...p, counterparty: payer });
  }
  const out = [...ledgers.values()].filter((l) => onlyParty === undefined || l.party === onlyParty);
  for (const l of out) {
    l.reimbursementsPayable.sort((a, b) => a.counterparty.localeCompare(b.counterparty));
    l.reimbursementsReceivable.sort((a, b) => a.counterparty.localeCompare(b.counterparty));
  }
  return out.sort((a, b) => a.party.localeCompare(b.party));
}
