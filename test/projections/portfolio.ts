import { split } from '../../src/domain/money.ts';
import { ev, uscc, type RiskParty, type Staged } from './fixtures.ts';

/**
 * A generated, realistic portfolio for the crash test and the rebuild benchmark: enterprises across
 * Hunan's 市州 and 县区, banks with products of the three kinds, a 4321 programme, and loans that are
 * applied for, matched, approved or rejected, disbursed and repaid monthly; some go overdue and catch up,
 * some default — then compensation, reimbursements, write-off, recovery, a risk warning and sometimes an
 * arbitration. Deterministic for a seed. Loans are generated in groups whose events are interleaved,
 * as concurrent lending would interleave them, and memory stays flat however many events are asked for.
 */
export interface PortfolioOptions {
  enterprises: number;
  loans: number;
  /** Monthly repayments per loan that runs to term (sets the events per loan). */
  instalments?: number;
  seed?: number;
}

const CITIES = [
  '4301',
  '4302',
  '4303',
  '4304',
  '4305',
  '4306',
  '4307',
  '4308',
  '4309',
  '4310',
  '4311',
  '4312',
  '4313',
  '4331',
];
const INDUSTRIES = ['A0111', 'C1310', 'C2614', 'C3911', 'C4090', 'E4700', 'F5123', 'G5411', 'I6510', 'M7320'];
const SIZES = ['micro', 'small', 'small', 'medium'];
export const BANKS = [
  'bank-icbc-hn',
  'bank-ccb-hn',
  'bank-boc-hn',
  'bank-abc-hn',
  'bank-hrcb',
  'bank-cs',
  'bank-hxb',
  'bank-psbc-hn',
];
const GUARANTOR = 'guarantor-hn-1';
const PROGRAMME = 'hn-4321-2025';
/** 4321 with the lending bank as the bank party. */
const partiesFor = (bank: string): RiskParty[] => [
  { org: 'national-fund', kind: 'national_fund', shareBps: 2000 },
  { org: 'hn-finance', kind: 'provincial_finance', shareBps: 1000 },
  { org: 'hn-reguarantee', kind: 'provincial_reguarantee', shareBps: 1000 },
  { org: GUARANTOR, kind: 'guarantor', shareBps: 3000 },
  { org: bank, kind: 'bank', shareBps: 2000 },
  { org: 'city-fund', kind: 'local_government', shareBps: 1000 },
];

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const date = (ms: number) => iso(ms).slice(0, 10);

export function* portfolio(o: PortfolioOptions): Generator<Staged> {
  const rnd = mulberry32(o.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const instalments = o.instalments ?? 12;
  const start = Date.parse('2025-01-01T00:00:00.000Z');

  const products: { id: string; bank: string; kind: 'pure_credit' | 'guaranteed' | 'pledge' }[] = [];
  for (const [b, bank] of BANKS.entries()) {
    for (const [k, kind] of (['pure_credit', 'guaranteed', 'pledge'] as const).entries()) {
      const id = `p-${b}-${k}`;
      products.push({ id, bank, kind });
      yield ev.productPublished(id, bank, kind, iso(start + 60_000 * (b * 3 + k)));
    }
  }

  const ents: string[] = [];
  for (let i = 0; i < o.enterprises; i++) {
    const u = uscc(i + 1);
    ents.push(u);
    const at = start + Math.floor(rnd() * 120) * DAY + i * 1000;
    const city = pick(CITIES);
    yield ev.enterpriseRegistered(
      u,
      `${city}${String(2 + Math.floor(rnd() * 8)).padStart(2, '0')}`,
      pick(INDUSTRIES),
      pick(SIZES),
      iso(at),
    );
    const bank = pick(BANKS);
    yield ev.authorizationGranted(`g-${i}`, u, bank, iso(at + 3600_000), iso(at + 730 * DAY));
    const score = Math.floor(rnd() * 1000);
    yield ev.creditEvaluated(u, score >= 700 ? 'A' : score >= 500 ? 'B' : 'C', score, iso(at + 7200_000));
    yield ev.whiteListDecided(
      u,
      score >= 600,
      score >= 600 ? ['grade≥B', 'no tax arrears'] : ['score below 600'],
      iso(at + 7300_000),
    );
  }

  const GROUP = 200;
  let dispute = 0;
  for (let g = 0; g < o.loans; g += GROUP) {
    const lists: Staged[][] = [];
    for (let i = g; i < Math.min(o.loans, g + GROUP); i++) lists.push(loanEvents(i));
    // Round-robin: the loans of a group progress side by side.
    for (let k = 0; lists.some((l) => k < l.length); k++)
      for (const l of lists) if (k < l.length) yield l[k]!;
  }

  function loanEvents(i: number): Staged[] {
    const out: Staged[] = [];
    const loanId = `L${i}`;
    const u = ents[Math.floor(rnd() * ents.length)]!;
    const p = pick(products);
    const amount = (10 + Math.floor(rnd() * 490)) * 1_000_000; // 10万 … 500万 yuan, in fen (well, 1万 steps)
    let t = start + 130 * DAY + Math.floor(rnd() * 540) * DAY;
    const step = (days: number) => (t += days * DAY + Math.floor(rnd() * 3600_000));
    out.push(ev.loanApplied(loanId, u, amount, iso(t)));
    out.push(
      ev.loanMatched(
        loanId,
        [p, pick(products)].map((x, j) => ({
          productId: x.id,
          bank: x.bank,
          eligible: j === 0 || rnd() < 0.5,
        })),
        iso(step(0)),
      ),
    );
    out.push(ev.productChosen(loanId, u, p.id, p.bank, iso(step(1))));
    if (rnd() < 0.08) {
      out.push(ev.loanRejected(loanId, p.bank, iso(step(3))));
      return out;
    }
    out.push(ev.loanApproved(loanId, p.bank, amount, iso(step(3))));
    const guaranteed = p.kind === 'guaranteed';
    const gid = `g-${loanId}`;
    const parties = partiesFor(p.bank);
    if (guaranteed) {
      const at = iso(step(1));
      out.push(
        ev.guaranteeIssued(
          gid,
          loanId,
          GUARANTOR,
          p.bank,
          u,
          amount,
          8000,
          Math.floor((amount * 8000) / 10_000),
          at,
        ),
      );
      out.push(ev.riskSharingAgreed(gid, GUARANTOR, PROGRAMME, parties, 400, at));
    }
    out.push(ev.contractExecuted(loanId, iso(step(2))));
    step(2);
    out.push(ev.loanDisbursed(loanId, p.bank, amount, date(t)));
    const fate = rnd();
    const per = Math.floor(amount / instalments);
    let outstanding = amount;
    const defaultAt = fate < 0.05 ? 1 + Math.floor(rnd() * (instalments - 2)) : -1;
    const lateAt = fate >= 0.05 && fate < 0.15 ? 1 + Math.floor(rnd() * (instalments - 1)) : -1;
    for (let n = 1; n <= instalments; n++) {
      step(30);
      if (n === defaultAt) {
        out.push(ev.loanOverdue(loanId, p.bank, 15, per, date(t + 15 * DAY)));
        out.push(
          ev.warningRaised(
            `w-${loanId}`,
            u,
            'yellow',
            'risk.overdue.1_day',
            { kind: 'overdue', value: 15, sourceRef: `loan-${loanId}@1` },
            iso(t + 16 * DAY),
          ),
        );
        out.push(ev.loanOverdue(loanId, p.bank, 95, per * 3, date(t + 95 * DAY)));
        out.push(ev.loanDefaulted(loanId, p.bank, outstanding, date(t + 96 * DAY)));
        t += 100 * DAY;
        if (guaranteed) {
          const amounts = split(
            outstanding,
            parties.map((x) => x.shareBps),
          );
          const shares = parties.map((x, k) => ({ ...x, amountFen: amounts[k]! }));
          const comp = outstanding - shares.filter((x) => x.kind === 'bank')[0]!.amountFen;
          const paidOn = date(step(5));
          out.push(ev.guaranteeCompensated(gid, GUARANTOR, outstanding, comp, paidOn, shares));
          for (const party of shares.filter((x) => x.kind !== 'guarantor' && x.kind !== 'bank')) {
            out.push(ev.reimbursementDue(gid, GUARANTOR, party.org, party.kind, party.amountFen, paidOn));
            if (rnd() < 0.7)
              out.push(ev.reimbursementPaid(gid, party.org, party.amountFen, 0, date(step(10))));
          }
        }
        out.push(ev.loanWrittenOff(loanId, p.bank, outstanding, date(step(30))));
        const rec = Math.floor(outstanding * 0.2);
        out.push(ev.loanRecoveryReceived(loanId, p.bank, `r-${loanId}`, rec, rec, date(step(60))));
        if (rnd() < 0.3) {
          const d = `D${dispute++}`;
          out.push(ev.disputeFiled(d, loanId, p.bank, u, outstanding - rec, 'arb-changsha', iso(step(5))));
          out.push(ev.disputeAccepted(d, 'arb-changsha', iso(step(3))));
          out.push(ev.evidenceSubmitted(d, p.bank, `ev-${loanId}`, iso(step(2))));
          out.push(
            ev.awardIssued(
              d,
              'arb-changsha',
              `a-${d}`,
              [{ payer: u, payee: p.bank, amountFen: outstanding - rec, item: '本金及利息' }],
              iso(step(20)),
            ),
          );
        }
        out.push(ev.warningResolved(`w-${loanId}`, u, iso(step(1))));
        return out;
      }
      if (n === lateAt) {
        out.push(ev.loanOverdue(loanId, p.bank, 5 + Math.floor(rnd() * 40), per, date(t + 10 * DAY)));
        t += 12 * DAY;
      }
      const principal = n === instalments ? outstanding : per;
      outstanding -= principal;
      out.push(
        ev.repaymentReceived(
          loanId,
          p.bank,
          `${loanId}-${n}`,
          principal,
          Math.floor(principal / 100),
          date(t),
        ),
      );
    }
    if (rnd() < 0.05) {
      const subsidy = Math.floor(amount / 200);
      out.push(
        ev.policyBenefitClaimed(`pc-${loanId}`, loanId, 'interest_subsidy', subsidy, p.bank, iso(step(4))),
      );
      out.push(ev.policyClaimApproved(loanId, `pc-${loanId}`, subsidy, iso(step(1))));
    }
    out.push(ev.loanClosed(loanId, date(step(1))));
    return out;
  }
}
