import {
  contractTermsFromLedger,
  DEFAULT_CONTRACT_DEFAULTS,
  type ContractDefaults,
  type ContractDraftingOptions,
  type Registration,
} from '../evidence/pdf/contractFromLedger.ts';
import { pdfRenderers } from '../evidence/pdf/load.ts';
import type { OrgRole } from '../evidence/pdf/labels.ts';
import type { EventStore } from '../store/eventStore.ts';
import type { DocumentStore } from './documentStore.ts';

/** What the server needs to draft contracts itself: where the PDFs go, and its default institutions. */
export interface ContractDrafting {
  documents: DocumentStore;
  defaults?: ContractDefaults;
}

export interface DraftedContract {
  documentSha256: string;
  bytes: Uint8Array;
  /** The guarantor's org id when the loan is guaranteed (it must sign as 丙方). */
  guarantor: string | undefined;
}

type Reader = Pick<EventStore, 'readStream'>;

/** The registration of an organization (`organization-<id>`) or, for a USCC, of an enterprise. */
async function registration(store: Reader, org: string): Promise<Registration | undefined> {
  const [organization, enterprise] = await Promise.all([
    store.readStream(`organization-${org}`, { max: 1 }),
    store.readStream(`enterprise-${org}`, { max: 1 }),
  ]);
  const o = organization.find((e) => e.type === 'OrganizationRegistered')?.data;
  if (o && typeof o.name === 'string') {
    return {
      name: o.name,
      ...(typeof o.uscc === 'string' ? { uscc: o.uscc } : {}),
      ...(typeof o.role === 'string' ? { role: o.role as OrgRole } : {}),
    };
  }
  const e = enterprise.find((x) => x.type === 'EnterpriseRegistered')?.data;
  if (e && typeof e.name === 'string') return { name: e.name, uscc: org, role: 'enterprise' };
  return undefined;
}

/**
 * Drafts the loan contract from the ledger's approved terms, renders the PDF and stores its exact
 * bytes durably in the document store. Returns only after the file is on disk, so the caller may then
 * append ContractDrafted with the hash. Throws MissingContractFact when the loan has no approved terms.
 */
export async function draftContract(
  store: Reader,
  drafting: ContractDrafting,
  loanId: string,
  options: ContractDraftingOptions,
): Promise<DraftedContract> {
  const [loanEvents, guaranteeEvents] = await Promise.all([
    store.readStream(`loan-${loanId}`),
    store.readStream(`guarantee-${loanId}`),
  ]);
  const orgs = new Set<string>();
  for (const e of [...loanEvents, ...guaranteeEvents]) {
    const d = e.data;
    for (const field of ['bank', 'borrowerUscc', 'guarantor'])
      if (typeof d[field] === 'string') orgs.add(d[field]);
    if (Array.isArray(d.parties))
      for (const p of d.parties as { org?: unknown }[]) if (typeof p.org === 'string') orgs.add(p.org);
  }
  const found = new Map<string, Registration>();
  await Promise.all(
    [...orgs].map(async (org) => {
      const r = await registration(store, org);
      if (r) found.set(org, r);
    }),
  );
  const terms = contractTermsFromLedger(
    { loanId, loanEvents, guaranteeEvents, registrationOf: (org) => found.get(org) },
    options,
    drafting.defaults ?? DEFAULT_CONTRACT_DEFAULTS,
  );
  const { renderLoanContract } = await pdfRenderers();
  const bytes = await renderLoanContract(terms);
  const documentSha256 = await drafting.documents.put(bytes);
  const issued = guaranteeEvents.find((e) => e.type === 'GuaranteeIssued')?.data.guarantor;
  return { documentSha256, bytes, guarantor: typeof issued === 'string' ? issued : undefined };
}
