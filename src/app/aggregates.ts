import type { AggregateModule, AggregateRegistry } from '../api/commands/registry.ts';
import { aggregates, type AggregateDefinition } from '../domain/index.ts';
import { LegalRepresentativeInput, vaultLegalRepresentative, type PiiVault } from '../domain/pii.ts';
import type { EventSchemas } from '../domain/schema.ts';
import { randomUUID } from 'node:crypto';

/**
 * The domain registry as the API needs it. Where an HTTP body carries personal data (the legal
 * representative), `prepare` sends it to the vault first, so the decider and the event only ever see a
 * vault reference and a salted commitment.
 */
const eventVersions = (schemas: EventSchemas): Record<string, number> =>
  Object.fromEntries(Object.entries(schemas).map(([type, s]) => [type, s.schemaVersion]));

type WithLegalRepresentative = { legalRepresentative: LegalRepresentativeInput } & Record<string, unknown>;

const vaultingPrepare =
  (vault: PiiVault) =>
  async (body: unknown): Promise<unknown> => {
    const b = body as WithLegalRepresentative;
    // One data subject per natural person registered; erasure is per subject.
    const subjectId = `person-${randomUUID()}`;
    const ref = await vaultLegalRepresentative(
      vault,
      subjectId,
      LegalRepresentativeInput.parse(b.legalRepresentative),
    );
    return { ...b, legalRepresentative: ref };
  };

export function apiAggregates(vault: PiiVault): AggregateRegistry {
  const registry: AggregateRegistry = {};
  for (const a of aggregates as readonly AggregateDefinition[]) {
    const requests = Object.fromEntries(
      Object.entries(a.requestSchemas).filter(
        (e): e is [string, NonNullable<(typeof e)[1]>] => e[1] !== undefined,
      ),
    );
    const module: AggregateModule = {
      decider: a.decider,
      commands: a.commandSchemas,
      requests,
      prepare: Object.fromEntries(Object.keys(requests).map((command) => [command, vaultingPrepare(vault)])),
      eventVersions: eventVersions(a.eventSchemas),
    };
    registry[a.name] = module;
  }
  return registry;
}
