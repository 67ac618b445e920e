import type { ProductTerms } from '../../domain/product/terms.ts';

/** What one phase of the scenario hands the next (ids, hashes, amounts read back from the ledger). */
export interface DemoState {
  creditProduct?: ProductTerms;
  guaranteedProduct?: ProductTerms;
  creditLoanId?: string;
  guaranteedLoanId?: string;
  guaranteedContractSha256?: string;
  notarizationId?: string;
  notarized?: boolean;
  defaulted?: { lossFen: number; asOf: string; outstandingInterestFen: number; penaltyFen: number };
  compensated?: boolean;
  reimbursed?: boolean;
  disputeId?: string;
  awardedFen?: number;
}
