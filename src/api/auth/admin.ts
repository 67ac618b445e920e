import { randomBytes } from 'node:crypto';
import { LedgerError } from '../../errors.ts';
import type { EventStore } from '../../store/eventStore.ts';
import { handleCommand } from '../commands/handleCommand.ts';
import type { AggregateModule } from '../commands/registry.ts';
import { StateCache } from '../commands/stateCache.ts';
import { IdempotencyIndex, type CommandResponse } from '../idempotency.ts';
import { generateApiKey, hashApiKey } from './keys.ts';
import {
  organizationCommands,
  organizationDecider,
  organizationStream,
  type OrgRole,
} from './organization.ts';

/**
 * Organization and key administration without HTTP (the CLI's `keys create|rotate|revoke`, demo
 * onboarding). The same decider and the same events as the HTTP routes; the actor is the ledger itself.
 */
export const organizationModule: AggregateModule = {
  decider: organizationDecider as unknown as AggregateModule['decider'],
  commands: organizationCommands,
};

export const SYSTEM_ACTOR = { org: 'loan-ledger', role: 'system' as const };

export const newKeyId = (): string => `key_${randomBytes(9).toString('base64url')}`;

export interface IssuedKey {
  orgId: string;
  keyId: string;
  /** The key itself: shown once, never stored. */
  apiKey: string;
  role: OrgRole;
}

async function run(
  store: EventStore,
  orgId: string,
  type: string,
  data: unknown,
  actor: { org: string; role: 'system' | OrgRole } = SYSTEM_ACTOR,
  correlationId = `admin-${Date.now()}`,
): Promise<CommandResponse> {
  const outcome = await handleCommand(
    { store, clock: () => new Date(), idempotency: new IdempotencyIndex(), stateCache: new StateCache() },
    { aggregate: organizationModule, stream: organizationStream(orgId), type, data, actor, correlationId },
  );
  return outcome.response;
}

export async function registerOrganization(
  store: EventStore,
  org: { orgId: string; name: string; role: OrgRole },
): Promise<CommandResponse> {
  return run(store, org.orgId, 'RegisterOrganization', organizationCommands.RegisterOrganization.parse(org));
}

/** The role an organization registered with, or undefined if it is not registered. */
export async function registeredRoleOf(store: EventStore, orgId: string): Promise<OrgRole | undefined> {
  const [first] = await store.readStream(organizationStream(orgId), { max: 1 });
  return first?.type === 'OrganizationRegistered' ? (first.data as { role: OrgRole }).role : undefined;
}

async function roleOf(store: EventStore, orgId: string): Promise<OrgRole> {
  const role = await registeredRoleOf(store, orgId);
  if (role === undefined) throw new LedgerError('LL_NOT_FOUND', `no organization ${orgId}`);
  return role;
}

export async function issueApiKey(store: EventStore, orgId: string): Promise<IssuedKey> {
  const apiKey = generateApiKey();
  const keyId = newKeyId();
  await run(store, orgId, 'IssueApiKey', { keyId, keyHash: hashApiKey(apiKey) });
  return { orgId, keyId, apiKey, role: await roleOf(store, orgId) };
}

export async function rotateApiKey(store: EventStore, orgId: string, replaces: string): Promise<IssuedKey> {
  const apiKey = generateApiKey();
  const keyId = newKeyId();
  await run(store, orgId, 'RotateApiKey', { keyId, keyHash: hashApiKey(apiKey), replaces });
  return { orgId, keyId, apiKey, role: await roleOf(store, orgId) };
}

export async function revokeApiKey(
  store: EventStore,
  orgId: string,
  keyId: string,
  reason: string,
): Promise<void> {
  await run(store, orgId, 'RevokeApiKey', { keyId, reason });
}
