import { z } from 'zod';
import { Signer } from '../../domain/loan/events.ts';
import { loanDecider } from '../../domain/loan/decider.ts';
import type { LoanState } from '../../domain/loan/state.ts';
import { domainError } from '../../domain/decider.ts';
import { Sha256Hex } from '../../domain/schema.ts';
import { draftContract, type ContractDrafting } from '../../documents/contractDrafting.ts';
import { ContractDraftingOptions, MissingContractFact } from '../../evidence/pdf/contractFromLedger.ts';
import { LedgerError } from '../../errors.ts';
import type { PrepareContext } from './registry.ts';

/**
 * POST /v1/loans/:loanId/contract, two ways (docs/api.md "Contracts"):
 * - no `documentSha256`: the ledger drafts the 借款合同 PDF from the loan's approved terms, stores its
 *   bytes (fsynced) and records ContractDrafted with their SHA-256; GET …/contract.pdf serves the file.
 * - `documentSha256`: a contract drafted elsewhere; the ledger records only its hash.
 * Either way the decider gets the DraftContract command it always had.
 */
export const DraftContractRequest = z.strictObject({
  documentSha256: Sha256Hex.optional().describe(
    'SHA-256 of a contract drafted outside the ledger; omit it to have the ledger draft the PDF',
  ),
  additionalSigners: z
    .array(Signer)
    .max(8)
    .optional()
    .describe('Signers besides borrower and lender; default: the guarantor of a guaranteed loan'),
  terms: ContractDraftingOptions.optional().describe('Only when the ledger drafts: what it cannot know'),
});
type DraftContractRequest = z.infer<typeof DraftContractRequest>;

const PLACEHOLDER_HASH = '0'.repeat(64);

export function prepareDraftContract(drafting: ContractDrafting | undefined) {
  return async (body: unknown, ctx: PrepareContext): Promise<unknown> => {
    const req = body as DraftContractRequest;
    if (req.documentSha256 !== undefined) {
      if (req.terms !== undefined) {
        throw new LedgerError(
          'LL_VALIDATION_FAILED',
          '`terms` are for a contract the ledger drafts; send them or documentSha256, not both',
          { issues: [{ path: 'terms', message: 'not allowed with documentSha256' }] },
        );
      }
      return { documentSha256: req.documentSha256, additionalSigners: req.additionalSigners ?? [] };
    }
    const loanId = ctx.stream.slice('loan-'.length);
    // Decide once with a placeholder hash first: the same rules (approved, the lender, signers) refuse
    // the draft before any PDF is rendered or stored.
    const state = ctx.state as LoanState;
    const probe = (additionalSigners: { org: string; role: string }[]) =>
      loanDecider.decide(
        {
          type: 'DraftContract',
          data: { documentSha256: PLACEHOLDER_HASH, additionalSigners },
          metadata: { actor: ctx.actor, now: new Date(0).toISOString() },
        } as never,
        state,
      );
    probe(req.additionalSigners ?? []);
    // The ledger always has one (src/app/ledger.ts); an app built without it can only record hashes.
    if (!drafting) {
      throw new LedgerError(
        'LL_STORE_UNAVAILABLE',
        'this server has no document store: send the documentSha256 of a contract drafted elsewhere',
      );
    }
    try {
      const drafted = await draftContract(ctx.store, drafting, loanId, req.terms ?? {});
      const additionalSigners =
        req.additionalSigners ?? (drafted.guarantor ? [{ org: drafted.guarantor, role: 'guarantor' }] : []);
      if (req.additionalSigners === undefined) probe(additionalSigners);
      return { documentSha256: drafted.documentSha256, additionalSigners };
    } catch (e) {
      if (e instanceof MissingContractFact)
        throw domainError('loan.contract.terms_incomplete', `cannot draft the contract: ${e.message}`);
      throw e;
    }
  };
}
