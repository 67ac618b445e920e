import { randomUUID } from 'node:crypto';
import type { AggregateDefinition } from '../../domain/index.ts';
import { vaultLegalRepresentative, type LegalRepresentativeInput, type PiiVault } from '../../domain/pii.ts';
import { LedgerError } from '../../errors.ts';
import type { ContractDrafting } from '../../documents/contractDrafting.ts';
import { DraftContractRequest, prepareDraftContract } from './draftContract.ts';
import { prepareIssueGuarantee } from './issueGuarantee.ts';
import { prepareRequestEnforcement } from './requestEnforcement.ts';
import type { AggregateModule, AggregateRegistry } from './registry.ts';

/**
 * The API's view of the domain registry (src/domain/index.ts): decider, command schemas, HTTP request
 * schemas and event versions, plus the I/O steps a decider cannot do itself (vaulting the legal
 * representative's personal data before RegisterEnterprise / ChangeLegalRepresentative).
 */
export interface DomainServices {
  /** The PII vault; without one, commands carrying personal data are refused with 503. */
  vault?: PiiVault;
  /** Where server-drafted contract PDFs go; without it a draft must carry a client's documentSha256. */
  contracts?: ContractDrafting;
}

const withRepresentative =
  (services: DomainServices) =>
  async (body: unknown): Promise<unknown> => {
    const data = body as { uscc?: string; legalRepresentative: LegalRepresentativeInput };
    if (!services.vault) throw new LedgerError('LL_STORE_UNAVAILABLE', 'the PII vault is not configured');
    const subjectId = `lr-${randomUUID()}`;
    return {
      ...data,
      legalRepresentative: await vaultLegalRepresentative(
        services.vault,
        subjectId,
        data.legalRepresentative,
      ),
    };
  };

export function registryFromDomain(
  aggregates: readonly AggregateDefinition[],
  services: DomainServices = {},
): AggregateRegistry {
  const registry: AggregateRegistry = {};
  for (const a of aggregates) {
    const module: AggregateModule = {
      decider: ignoringUnknownEvents(a.decider, a.eventSchemas),
      commands: a.commandSchemas,
      requests: Object.fromEntries(
        Object.entries(a.requestSchemas).filter(([, s]) => s !== undefined),
      ) as AggregateModule['requests'],
      eventVersions: Object.fromEntries(
        Object.entries(a.eventSchemas).map(([type, e]) => [type, e.schemaVersion]),
      ),
    };
    if (a.name === 'enterprise') {
      module.prepare = {
        RegisterEnterprise: withRepresentative(services),
        ChangeLegalRepresentative: withRepresentative(services),
      };
    }
    if (a.name === 'loan') {
      module.requests = { ...module.requests, DraftContract: DraftContractRequest };
      module.prepare = { DraftContract: prepareDraftContract(services.contracts) };
    }
    if (a.name === 'guarantee') module.prepare = { IssueGuarantee: prepareIssueGuarantee };
    if (a.name === 'dispute') module.prepare = { RequestEnforcement: prepareRequestEnforcement };
    registry[a.name] = module;
  }
  return registry;
}

/**
 * A stream may hold an event type this aggregate's decider does not know (written by a newer version,
 * or a fixture): folding it must leave the state as it was (Emmett's evolve default), not replace it
 * with whatever a non-exhaustive switch returns.
 */
function ignoringUnknownEvents(
  decider: AggregateModule['decider'],
  eventSchemas: Readonly<Record<string, unknown>>,
): AggregateModule['decider'] {
  return {
    ...decider,
    evolve: (state, event) =>
      Object.hasOwn(eventSchemas, event.type) ? decider.evolve(state, event) : state,
  };
}
