import type { RecordedEvent } from '../../events/envelope.ts';

/**
 * Who is a party to what, learned from the events themselves (a projection kept in memory by the
 * follower). A resource is a stream name (`loan-L1`, `dispute-D1`, `enterprise-<USCC>`); an event makes
 * organizations parties to its own stream and to the resources it names (`loanId`, `disputeId`, `uscc`).
 *
 * The kinds of party come from data fields by naming convention (documented in docs/api.md), so the
 * index does not depend on any one aggregate's state shape:
 *   lender      ← bank, lender
 *   guarantor   ← guarantor
 *   sharer      ← reguarantor, fund, government, and `org` of each entry of `parties`/`shares`
 *   assigned    ← arbitrator, court, assigned, tribunal, notary, body
 *   grantee     ← grantee
 * (each also with an `Org` suffix: `bankOrg` = `bank`), string values only.
 *   borrower    ← the enterprise organizations whose USCC is the resource's `uscc`
 *   creator     ← the actor of the stream's first event
 */
export type PartyKind = 'lender' | 'guarantor' | 'sharer' | 'assigned' | 'grantee' | 'borrower' | 'creator';

const KIND_BY_NAME: Record<string, PartyKind> = {
  bank: 'lender',
  lender: 'lender',
  guarantor: 'guarantor',
  reguarantor: 'sharer',
  fund: 'sharer',
  government: 'sharer',
  arbitrator: 'assigned',
  court: 'assigned',
  assigned: 'assigned',
  tribunal: 'assigned',
  notary: 'assigned',
  body: 'assigned',
  grantee: 'grantee',
};
/** `bankOrg` and `bank` name the same kind of party. */
const kindOfField = (field: string): PartyKind | undefined =>
  KIND_BY_NAME[field.endsWith('Org') ? field.slice(0, -3) : field];
const LIST_FIELDS = ['parties', 'shares'];
/** data fields naming another resource the event is about: field → stream category. */
const REFERENCE_FIELDS: Record<string, string> = {
  loanId: 'loan',
  disputeId: 'dispute',
  notarizationId: 'notarization',
  uscc: 'enterprise',
};
/** `uscc`, `borrowerUscc`, `enterpriseUscc`… all name an enterprise. */
const referenceCategory = (field: string): string | undefined =>
  REFERENCE_FIELDS[field] ?? (field.endsWith('Uscc') ? 'enterprise' : undefined);
const usccIn = (data: Record<string, unknown>): unknown =>
  data.uscc ?? Object.entries(data).find(([k, v]) => k.endsWith('Uscc') && typeof v === 'string')?.[1];

/** A live authorization (经企业授权) for a grantee to read an enterprise's credit data. */
export interface Grant {
  authorizationId: string;
  uscc: string;
  grantee: string;
  categories: string[];
  expiresAt?: string;
  revoked: boolean;
}

export class PartyIndex {
  private readonly parties = new Map<string, Map<string, Set<PartyKind>>>();
  private readonly usccOf = new Map<string, string>();
  private readonly grants = new Map<string, Grant>();
  private readonly links = new Map<string, Set<string>>();

  /**
   * One pass over the event's data fields (the follower calls this for every event the ledger commits,
   * so it avoids the intermediate arrays it would otherwise build per event).
   */
  apply(event: RecordedEvent): void {
    const data = event.data as Record<string, unknown>;
    // A stream stays linked to every resource any of its events named: RiskSharingAgreed on
    // `guarantee-<id>` names no loanId, but its sharers are parties of the loan GuaranteeIssued named.
    let linked = this.links.get(event.stream);
    if (!linked) this.links.set(event.stream, (linked = new Set()));
    let named: [string, PartyKind][] | undefined;
    let uscc: unknown = data.uscc ?? undefined; // as usccIn: a null `uscc` looks further
    for (const field in data) {
      if (!Object.hasOwn(data, field)) continue;
      const v = data[field];
      if (typeof v === 'string') {
        if (uscc === undefined && field.endsWith('Uscc')) uscc = v;
        if (v.length === 0) continue;
        const category = referenceCategory(field);
        if (category !== undefined) linked.add(`${category}-${v}`);
        const kind = kindOfField(field);
        if (kind !== undefined) (named ??= []).push([v, kind]);
      } else if (Array.isArray(v) && LIST_FIELDS.includes(field)) {
        for (const entry of v) {
          const org = (entry as Record<string, unknown> | null)?.org;
          if (typeof org === 'string') (named ??= []).push([org, 'sharer']);
        }
      }
    }
    if (event.revision === 0) (named ??= []).push([event.meta.actor.org, 'creator']);
    if (named) {
      for (const [org, kind] of named) {
        this.add(event.stream, org, kind);
        for (const resource of linked) this.add(resource, org, kind);
      }
    }
    if (typeof uscc === 'string') {
      if (!this.usccOf.has(event.stream)) this.usccOf.set(event.stream, uscc);
      for (const r of linked) if (!this.usccOf.has(r)) this.usccOf.set(r, uscc);
    }
    if (event.stream.startsWith('authorization-')) this.applyGrant(event, data);
  }

  private add(resource: string, org: string, kind: PartyKind): void {
    let orgs = this.parties.get(resource);
    if (!orgs) this.parties.set(resource, (orgs = new Map()));
    let kinds = orgs.get(org);
    if (!kinds) orgs.set(org, (kinds = new Set()));
    kinds.add(kind);
  }

  private applyGrant(event: RecordedEvent, data: Record<string, unknown>): void {
    const authorizationId = event.stream.slice('authorization-'.length);
    if (/Granted$/.test(event.type)) {
      const grantee = (data.granteeOrg ?? data.grantee) as string | undefined;
      const uscc = usccIn(data);
      if (typeof uscc !== 'string' || typeof grantee !== 'string') return;
      this.grants.set(authorizationId, {
        authorizationId,
        uscc,
        grantee,
        categories: Array.isArray(data.categories) ? data.categories.map(String) : [],
        ...(typeof data.expiresAt === 'string' ? { expiresAt: data.expiresAt } : {}),
        revoked: false,
      });
    } else if (/Revoked$/.test(event.type)) {
      const g = this.grants.get(authorizationId);
      if (g) g.revoked = true;
    }
  }

  kindsOf(resource: string, orgId: string): ReadonlySet<PartyKind> {
    return this.parties.get(resource)?.get(orgId) ?? new Set();
  }

  exists(resource: string): boolean {
    return this.parties.has(resource);
  }

  usccOfResource(resource: string): string | undefined {
    if (resource.startsWith('enterprise-')) return resource.slice('enterprise-'.length);
    const own = this.usccOf.get(resource);
    if (own !== undefined) return own;
    // A dispute or a notarization names its loan, not the enterprise: it belongs to the loan's borrower.
    // (Without this an enterprise could not act in a dispute over its own loan: session-5 finding.)
    for (const linked of this.links.get(resource) ?? []) {
      const uscc = linked.startsWith('enterprise-')
        ? linked.slice('enterprise-'.length)
        : this.usccOf.get(linked);
      if (uscc !== undefined) return uscc;
    }
    return undefined;
  }

  /** A live grant for `grantee` on the enterprise's `category` at instant `now`, if any. */
  liveGrant(uscc: string, grantee: string, category: string, now: string): Grant | undefined {
    for (const g of this.grants.values()) {
      if (g.uscc !== uscc || g.grantee !== grantee || g.revoked) continue;
      if (g.expiresAt !== undefined && g.expiresAt <= now) continue;
      if (g.categories.length > 0 && !g.categories.includes(category)) continue;
      return g;
    }
    return undefined;
  }
}
