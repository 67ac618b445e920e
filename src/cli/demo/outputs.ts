import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isApiProblem, StepFailed, type DemoContext } from './context.ts';
import { CONTRACT_PDF, downloadContract } from './contract.ts';
import { ORG } from './parties.ts';

const EVIDENCE = 'GET /v1/loans/{loanId}/evidence';
/** The evidence issue's PDF route; whichever of these the server mounts. */
const CERTIFICATES = [
  'GET /v1/loans/{loanId}/evidence/certificate.pdf',
  'GET /v1/loans/{loanId}/evidence/certificate',
  'GET /v1/loans/{loanId}/certificate.pdf',
  'GET /v1/loans/{loanId}/certificate',
];

const pathFor = (route: string, loanId: string): string =>
  route.slice(4).replace('{loanId}', encodeURIComponent(loanId));

/**
 * Each loan's evidence bundle and PDF certificate when the server has the evidence routes, else its
 * timeline; and the contract PDF the ledger drafted (contract-<loanId>.pdf, the file
 * `loan-ledger verify-contract` checks). Returns the files written.
 */
export async function writeLoanFiles(ctx: DemoContext, dir: string, loanIds: string[]): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const bank = ctx.as(ORG.bank);
  const files: string[] = [];
  const certificate = CERTIFICATES.find((r) => ctx.has(r));
  if (!ctx.has(EVIDENCE)) ctx.log(`  · ${EVIDENCE} is not mounted: writing each loan's timeline instead`);
  // A missing certificate is a skipped step, like any other route the server lacks (exit 3, not 0).
  if (ctx.has(EVIDENCE) && !certificate) {
    const reason = 'no PDF certificate route is mounted by the server (certificate-<loanId>.pdf not written)';
    ctx.skipped.push({ phase: 'evidence files', reason });
    ctx.log(`  ! SKIPPED: ${reason}`);
  }
  for (const loanId of loanIds) {
    const write = (name: string, bytes: string | Uint8Array) => {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      files.push(file);
      ctx.log(`  ✓ wrote ${file}`);
    };
    try {
      if (ctx.has(EVIDENCE)) {
        const bundle = await bank.get(pathFor(EVIDENCE, loanId), z.unknown());
        write(`evidence-${loanId}.json`, `${JSON.stringify(bundle, null, 2)}\n`);
        if (certificate)
          write(`certificate-${loanId}.pdf`, await bank.getBytes(pathFor(certificate, loanId)));
      } else {
        const timeline = await bank.get(`/v1/loans/${encodeURIComponent(loanId)}/timeline`, z.unknown());
        write(`timeline-${loanId}.json`, `${JSON.stringify(timeline, null, 2)}\n`);
      }
      if (ctx.has(CONTRACT_PDF)) {
        try {
          write(`contract-${loanId}.pdf`, await downloadContract(ctx, ORG.bank, loanId));
        } catch (e) {
          // A contract drafted outside the ledger has no file here (404 LL_CONTRACT_NOT_HELD).
          const cause = e instanceof StepFailed ? e.cause : e;
          if (!isApiProblem(cause) || cause.problem.code !== 'LL_CONTRACT_NOT_HELD') throw e;
          ctx.log(`  · the contract of ${loanId} was drafted outside the ledger: no PDF to write`);
        }
      }
    } catch (e) {
      throw new StepFailed(`write the files of ${loanId}`, e);
    }
  }
  return files;
}
