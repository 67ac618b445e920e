import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { ContractDraftingOptions } from '../../evidence/pdf/contractFromLedger.ts';
import { signContractHash } from '../../evidence/pdf/contractSignature.ts';
import { RouteMissing, StepFailed, type DemoContext } from './context.ts';
import { lastOf, readTimeline } from './timeline.ts';

export const sha256Hex = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

export const CONTRACT_PDF = 'GET /v1/loans/{loanId}/contract.pdf';

/**
 * 线上签约: the bank asks the ledger to draft the contract from the approved terms (the ledger renders
 * the PDF, stores it and records its SHA-256 in ContractDrafted); every party downloads the PDF, checks
 * that its SHA-256 is the recorded one, and signs the 32 hash bytes with its own Ed25519 key (made here;
 * a real party would hold it in its signing device). Returns the contract's hash.
 */
export async function draftAndSign(
  ctx: DemoContext,
  loanId: string,
  terms: ContractDraftingOptions,
  signers: { org: string; role: string }[],
  lender: string,
): Promise<string> {
  if (!ctx.has(CONTRACT_PDF)) throw new RouteMissing(`draft the contract of ${loanId}`, CONTRACT_PDF);
  const additional = signers.filter((s) => s.role !== 'enterprise' && s.role !== 'bank');
  await ctx.command(
    `${lender} has the ledger draft the contract of ${loanId}`,
    lender,
    'POST /v1/loans/{loanId}/contract',
    `/v1/loans/${loanId}/contract`,
    { additionalSigners: additional, terms },
  );
  const recorded = lastOf(await readTimeline(ctx, lender, loanId), 'ContractDrafted')?.documentSha256;
  for (const s of signers) {
    const hash = sha256Hex(await downloadContract(ctx, s.org, loanId));
    if (hash !== recorded) {
      throw new StepFailed(
        `${s.org} checks the contract of ${loanId}`,
        new Error(`contract.pdf hashes to ${hash}, the ledger recorded ${String(recorded)}`),
      );
    }
    const secret = ed25519.utils.randomSecretKey();
    await ctx.command(
      `${s.org} signs contract of ${loanId}`,
      s.org,
      'POST /v1/loans/{loanId}/contract/signatures',
      `/v1/loans/${loanId}/contract/signatures`,
      {
        signature: signContractHash(secret, hash),
        publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('base64'),
      },
    );
  }
  return recorded as string;
}

/** The contract PDF the ledger drafted, as `org` (a party) downloads it. */
export async function downloadContract(ctx: DemoContext, org: string, loanId: string): Promise<Uint8Array> {
  try {
    return await ctx.as(org).getBytes(`/v1/loans/${encodeURIComponent(loanId)}/contract.pdf`);
  } catch (e) {
    throw new StepFailed(`${org} downloads the contract of ${loanId}`, e);
  }
}
