import type { FastifyRequest } from 'fastify';
import type { EventStore } from '../store/eventStore.ts';
import type { KeyDirectory, Principal } from './auth/directory.ts';
import type { PartyIndex } from './auth/parties.ts';
import type { AccessId } from './auth/policy.ts';
import type { AggregateRegistry } from './commands/registry.ts';
import type { StateCache } from './commands/stateCache.ts';
import type { Follower } from './follower.ts';
import type { IdempotencyIndex } from './idempotency.ts';
import type { ApiMetrics } from './metrics.ts';

/** Everything a route needs, built once by buildApp. */
export interface ApiContext {
  store: EventStore;
  registry: AggregateRegistry;
  directory: KeyDirectory;
  parties: PartyIndex;
  idempotency: IdempotencyIndex;
  stateCache: StateCache;
  follower: Follower;
  metrics: ApiMetrics;
  secret: Uint8Array | string;
  clock: () => Date;
  /** Every route mounted, with its access id (the auth matrix test iterates these). */
  routes: MountedRoute[];
}

export interface MountedRoute {
  method: string;
  url: string;
  access?: AccessId;
  public?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Routes without `access` and with `public: true` need no key. */
    public?: boolean;
    access?: AccessId;
    /** The resource the access rule is about, from params and the raw (not yet validated) body. */
    resource?: (request: FastifyRequest) => string | undefined;
    /** For credit reads: the category, from the query. */
    category?: (request: FastifyRequest) => string | undefined;
  }
}

export const principalOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw new Error('route without authentication');
  return request.principal;
};
