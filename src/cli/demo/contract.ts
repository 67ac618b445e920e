import { createHash } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signContractHash } from '../../evidence/pdf/contractSignature.ts';
import type { DemoContext } from './context.ts';

export const sha256Hex = (bytes: Uint8Array | string): string =>
  createHash('sha256').update(bytes).digest('hex');

/**
 * 线上签约: the bank drafts the contract (its SHA-256), then each required party signs the 32 hash
 * bytes with its own Ed25519 key (made here; a real party would hold it in its signing device).
 */
export async function draftAndSign(
  ctx: DemoContext,
  loanId: string,
  documentSha256: string,
  signers: { org: string; role: string }[],
  lender: string,
): Promise<void> {
  const additional = signers.filter((s) => s.role !== 'enterprise' && s.role !== 'bank');
  await ctx.command(
    `draft contract of ${loanId}`,
    lender,
    'POST /v1/loans/{loanId}/contract',
    `/v1/loans/${loanId}/contract`,
    { documentSha256, additionalSigners: additional },
  );
  for (const s of signers) {
    const secret = ed25519.utils.randomSecretKey();
    await ctx.command(
      `${s.org} signs contract of ${loanId}`,
      s.org,
      'POST /v1/loans/{loanId}/contract/signatures',
      `/v1/loans/${loanId}/contract/signatures`,
      {
        signature: signContractHash(secret, documentSha256),
        publicKey: Buffer.from(ed25519.getPublicKey(secret)).toString('base64'),
      },
    );
  }
}
