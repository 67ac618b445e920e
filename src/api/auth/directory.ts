import type { RecordedEvent } from '../../events/envelope.ts';
import { hashApiKey, isWellFormedKey, sameHash } from './keys.ts';
import type { OrgRole } from './organization.ts';

/**
 * In-memory index of organizations and API keys, rebuilt from the `organization-*` streams on start
 * and kept current by the follower (and synchronously after our own appends). Looking a key up costs one
 * SHA-256 and one Map lookup; the stored hash is then compared in constant time.
 */
export interface Organization {
  orgId: string;
  name: string;
  role: OrgRole;
  /** An enterprise organization acts for the enterprise with this 统一社会信用代码. */
  uscc?: string;
}

export interface Principal {
  orgId: string;
  role: OrgRole;
  keyId: string;
  uscc?: string;
}

interface KeyRecord {
  keyId: string;
  orgId: string;
  role: OrgRole;
  keyHash: string;
  revoked: boolean;
}

export class KeyDirectory {
  private readonly orgs = new Map<string, Organization>();
  private readonly byHash = new Map<string, KeyRecord>();
  private readonly byId = new Map<string, KeyRecord>();

  apply(event: RecordedEvent): void {
    if (!event.stream.startsWith('organization-')) return;
    const d = event.data as Record<string, string>;
    switch (event.type) {
      case 'OrganizationRegistered':
        this.orgs.set(d.orgId!, {
          orgId: d.orgId!,
          name: d.name!,
          role: d.role as OrgRole,
          ...(d.uscc ? { uscc: d.uscc } : {}),
        });
        break;
      case 'ApiKeyIssued': {
        const rec: KeyRecord = {
          keyId: d.keyId!,
          orgId: d.orgId!,
          role: d.role as OrgRole,
          keyHash: d.keyHash!,
          revoked: false,
        };
        this.byHash.set(rec.keyHash, rec);
        this.byId.set(`${rec.orgId}/${rec.keyId}`, rec);
        break;
      }
      case 'ApiKeyRevoked': {
        const rec = this.byId.get(`${d.orgId}/${d.keyId}`);
        if (rec) rec.revoked = true;
        break;
      }
    }
  }

  authenticate(key: string): Principal | undefined {
    if (!isWellFormedKey(key)) return undefined;
    const hash = hashApiKey(key);
    const rec = this.byHash.get(hash);
    if (!rec || rec.revoked || !sameHash(rec.keyHash, hash)) return undefined;
    const org = this.orgs.get(rec.orgId);
    if (!org) return undefined;
    return { orgId: org.orgId, role: rec.role, keyId: rec.keyId, ...(org.uscc ? { uscc: org.uscc } : {}) };
  }

  organization(orgId: string): Organization | undefined {
    return this.orgs.get(orgId);
  }

  organizations(): Organization[] {
    return [...this.orgs.values()];
  }

  /** Org ids of the enterprise organizations acting for a USCC. */
  orgsForUscc(uscc: string): string[] {
    return [...this.orgs.values()].filter((o) => o.uscc === uscc).map((o) => o.orgId);
  }

  liveKeyIds(orgId: string): string[] {
    return [...this.byId.values()].filter((k) => k.orgId === orgId && !k.revoked).map((k) => k.keyId);
  }
}
