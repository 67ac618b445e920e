import { createHash } from 'node:crypto';
import { RecordedEvent } from '../events/envelope.ts';
import { leafHash } from '../ledger/merkle.ts';
import { EvidenceBundle } from './bundle/format.ts';
import { parseCheckpointNote } from './bundle/note.ts';
import type { CertificateInput } from './pdf/certificateInput.ts';
import { ORG_ROLES, type OrgRole } from './pdf/labels.ts';

/**
 * Maps an evidence bundle (and the registrations of the organizations acting in it) to what the 存证证书
 * states. Pure: the caller reads the registrations and the block time. Names come only from
 * organizations' and enterprises' registrations, never from a natural person (the legal representative
 * is in the vault and never here).
 */

/** The exact bytes the JSON route sends for this bundle: fastify-type-provider-zod encodes, then JSON.stringify. */
export const bundleJsonBytes = (bundle: EvidenceBundle): Buffer =>
  Buffer.from(JSON.stringify(EvidenceBundle.encode(bundle)), 'utf8');

export const bundleSha256 = (bundle: EvidenceBundle): string =>
  createHash('sha256').update(bundleJsonBytes(bundle)).digest('hex');

export interface Registration {
  name: string;
  uscc?: string;
}

export interface CertificateContext {
  /** `organization-<orgId>` → OrganizationRegistered; enterprises (role enterprise) by USCC → EnterpriseRegistered. */
  registrationOf(org: string, role: string): Registration | undefined;
  /** The anchor block's time (UTC instant), from the chain. */
  blockTime: string;
  issuedAt: string;
  issuer: string;
  confirmations?: number;
}

const USCC_RE = /^[0-9A-HJ-NPQRTUWXY]{18}$/;
const isOrgRole = (r: string): r is OrgRole => (ORG_ROLES as readonly string[]).includes(r);

export function decodeBundleEvents(
  bundle: EvidenceBundle,
): { index: number; leafHash: string; event: RecordedEvent }[] {
  return bundle.events.map((e) => {
    const bytes = Buffer.from(e.canonical, 'base64');
    return {
      index: e.index,
      leafHash: Buffer.from(leafHash(bytes)).toString('hex'),
      event: RecordedEvent.parse(JSON.parse(bytes.toString('utf8'))),
    };
  });
}

/** The loan the bundle is about: its own id, or the loan a dispute names. */
function loanIdOf(bundle: EvidenceBundle, events: RecordedEvent[]): string {
  if (bundle.subject.kind === 'loan') return bundle.subject.id;
  const named = events.find((e) => typeof e.data.loanId === 'string')?.data.loanId;
  if (typeof named === 'string') return named;
  return events.find((e) => e.stream.startsWith('loan-'))?.stream.slice('loan-'.length) ?? bundle.subject.id;
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
const hex64 = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[0-9a-f]{64}$/.test(v) ? v : undefined;

export function certificateFromBundle(bundle: EvidenceBundle, ctx: CertificateContext): CertificateInput {
  const sha = bundleSha256(bundle);
  const decoded = decodeBundleEvents(bundle);
  const events = decoded.map((d) => d.event);
  const loanId = loanIdOf(bundle, events);
  const loanStream = events.filter((e) => e.stream === `loan-${loanId}`);
  const last = (type: string) => loanStream.filter((e) => e.type === type).at(-1);
  const approved = last('LoanApproved');
  const applied = last('LoanApplied');
  const contract = last('ContractExecuted') ?? last('ContractDrafted');

  // One row per acting organization; an enterprise is named by its registration, never its representative.
  const display = (org: string, role: string): string => ctx.registrationOf(org, role)?.name ?? org;
  const parties = new Map<string, CertificateInput['parties'][number]>();
  for (const e of events) {
    const { org, role } = e.meta.actor;
    if (!isOrgRole(role) || parties.has(`${role}:${org}`)) continue;
    const reg = ctx.registrationOf(org, role);
    const uscc = reg?.uscc ?? (role === 'enterprise' ? org : undefined);
    parties.set(`${role}:${org}`, {
      role,
      name: reg?.name ?? org,
      ...(uscc && USCC_RE.test(uscc) ? { uscc } : {}),
    });
  }

  const cp = parseCheckpointNote(bundle.checkpoint);
  if (!cp) throw new Error('the bundle carries a checkpoint that does not parse');
  const termMonths = num(approved?.data.termMonths) ?? num(applied?.data.termMonths);
  const contractSha256 = hex64(contract?.data.documentSha256);

  return {
    certificateNo: `LL-${bundle.subject.kind.toUpperCase()}-${sha.slice(0, 16).toUpperCase()}`,
    issuedAt: ctx.issuedAt,
    issuer: ctx.issuer,
    loan: {
      id: loanId,
      amountFen: num(approved?.data.amountFen) ?? num(applied?.data.amountFen) ?? 0,
      ...(termMonths ? { termMonths } : {}),
      ...(contractSha256 ? { contractSha256 } : {}),
    },
    parties: [...parties.values()].slice(0, 30),
    events: decoded.map((d) => {
      const { org, role } = d.event.meta.actor;
      return {
        recordedAt: d.event.meta.recordedAt,
        type: d.event.type,
        actor: { org: display(org, role).slice(0, 120), role: isOrgRole(role) ? role : 'operator' },
        logIndex: d.index,
        leafHash: d.leafHash,
      };
    }),
    checkpoint: {
      origin: cp.origin,
      treeSize: cp.treeSize,
      rootHash: Buffer.from(cp.root).toString('hex'),
      signers: cp.signatures.slice(0, 10).map((s) => ({
        name: s.name,
        keyId: Buffer.from(s.keyId).toString('hex'),
      })),
    },
    anchor: {
      chainId: bundle.anchor.chainId,
      contract: bundle.anchor.contract,
      txHash: bundle.anchor.txHash,
      blockNumber: bundle.anchor.blockNumber,
      blockHash: bundle.anchor.blockHash,
      blockTime: ctx.blockTime,
      status: bundle.anchor.status,
      ...(ctx.confirmations !== undefined ? { confirmations: ctx.confirmations } : {}),
    },
    bundle: { sha256: sha, fileName: `evidence-${bundle.subject.kind}-${bundle.subject.id}.json` },
  };
}
