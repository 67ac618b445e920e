import type { Role } from '../events/envelope.ts';
import type { CommandMetadata } from './decider.ts';
import { domainError } from './decider.ts';

/** A role, or a role that must also be one particular organization (the lender, the guarantor). */
export type ActorRule = Role | { role: Role; org: string };

/** Refuses with `rule` unless the command's actor matches one of `allowed`. */
export const requireActor = (
  metadata: CommandMetadata,
  rule: string,
  allowed: readonly ActorRule[],
): void => {
  const { actor } = metadata;
  const ok = allowed.some((a) =>
    typeof a === 'string' ? actor.role === a : actor.role === a.role && actor.org === a.org,
  );
  if (!ok) {
    throw domainError(rule, `${actor.role} ${actor.org} may not do this`, {
      actor: { org: actor.org, role: actor.role },
      allowed: allowed.map((a) => (typeof a === 'string' ? { role: a } : a)),
    });
  }
};

/** Refuses with `rule` unless `ok`. */
export const ensure = (
  ok: boolean,
  rule: string,
  message: string,
  details: Record<string, unknown> = {},
): void => {
  if (!ok) throw domainError(rule, message, details);
};
