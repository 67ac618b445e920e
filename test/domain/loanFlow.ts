import type { LoanCommand } from '../../src/domain/loan/commands.ts';
import { loanDecider } from '../../src/domain/loan/decider.ts';
import type { LoanEvent } from '../../src/domain/loan/events.ts';
import { BANK, CONTRACT_HASH, keypair, product, profile, USCC } from './fixtures.ts';
import { commands } from './specification.ts';

export const c = commands<LoanCommand>();
export const borrowerKey = keypair();
export const bankKey = keypair();

/** Runs commands through the loan decider, returning all events (a test's "given"). */
export const run = (commands: LoanCommand[], start: LoanEvent[] = []): LoanEvent[] => {
  const events = [...start];
  for (const command of commands) {
    const state = events.reduce(loanDecider.evolve, loanDecider.initialState());
    events.push(...loanDecider.decide(command, state));
  }
  return events;
};

export const apply = c(
  'ApplyForLoan',
  { loanId: 'L1', borrowerUscc: USCC, amountFen: 100_000_000, termMonths: 12, purpose: '流动资金' },
  ['enterprise', USCC],
);
export const match = c('MatchProducts', { profile, products: [product] }, ['system', 'platform']);
export const choose = c('ChooseProduct', { productId: 'p-credit' }, ['enterprise', USCC]);
export const approve = c(
  'ApproveLoan',
  { amountFen: 100_000_000, rateBps: 365, termMonths: 12, scheduleType: 'equal_principal' },
  ['bank', BANK],
);
export const draft = c('DraftContract', { documentSha256: CONTRACT_HASH, additionalSigners: [] }, [
  'bank',
  BANK,
]);
export const signBorrower = c(
  'SignContract',
  { signature: borrowerKey.sign(CONTRACT_HASH), publicKey: borrowerKey.publicKey },
  ['enterprise', USCC],
);
export const signBank = c(
  'SignContract',
  { signature: bankKey.sign(CONTRACT_HASH), publicKey: bankKey.publicKey },
  ['bank', BANK],
);
export const disburse = c('DisburseLoan', { disbursedOn: '2026-03-02' }, ['bank', BANK]);

export const stages = {
  applied: () => run([apply]),
  matched: () => run([apply, match]),
  chosen: () => run([apply, match, choose]),
  approved: () => run([apply, match, choose, approve]),
  drafted: () => run([apply, match, choose, approve, draft]),
  executed: () => run([apply, match, choose, approve, draft, signBorrower, signBank]),
  active: () => run([apply, match, choose, approve, draft, signBorrower, signBank, disburse]),
};
