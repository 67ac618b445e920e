import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { issueApiKey, registerOrganization } from '../api/auth/admin.ts';
import type { OrgRole } from '../api/auth/organization.ts';
import type { EventStore } from '../store/eventStore.ts';

/**
 * The demo organizations `npm start` creates on first start: one of each party of a Hunan "4321" loan
 * and of its disputes. Their keys are shown once and written to <data dir>/demo-keys.json (0600).
 */
export const demoOrganizations: { orgId: string; name: string; role: OrgRole }[] = [
  { orgId: 'platform-operator', name: '湖南省融资信用服务平台运营中心', role: 'operator' },
  { orgId: 'bank-xiangjiang', name: '湘江示范银行长沙分行', role: 'bank' },
  { orgId: 'guarantor-xiangtan', name: '湘潭市融资担保有限公司', role: 'guarantor' },
  { orgId: 'reguarantee-hunan', name: '湖南省融资再担保有限公司', role: 'reguarantor' },
  { orgId: 'fund-national', name: '国家融资担保基金', role: 'government_fund' },
  { orgId: 'finance-hunan', name: '湖南省财政厅', role: 'government_fund' },
  { orgId: 'fund-changsha', name: '长沙市融资担保风险补偿资金', role: 'government_fund' },
  { orgId: 'regulator-hunan', name: '湖南省发展和改革委员会', role: 'regulator' },
  { orgId: 'arbitration-changsha', name: '长沙仲裁委员会', role: 'arbitrator' },
  { orgId: 'notary-changsha', name: '湖南省长沙市长沙公证处', role: 'notary' },
  { orgId: 'court-changsha', name: '长沙市中级人民法院', role: 'court' },
  // Enterprises sign in under their 统一社会信用代码 (valid check digits, made with completeUscc).
  { orgId: '91430100MA4L00011K', name: '长沙星辰智能装备有限公司', role: 'enterprise' },
  { orgId: '91430200MA4L0002XG', name: '株洲湘茶农业科技有限公司', role: 'enterprise' },
];

export const DemoKeys = z.record(
  z.string(),
  z.strictObject({ orgId: z.string(), role: z.string(), apiKey: z.string() }),
);
export type DemoKeys = z.infer<typeof DemoKeys>;

export const demoKeysFile = (dataDir: string): string => join(dataDir, 'demo-keys.json');

export function readDemoKeys(dataDir: string): DemoKeys | undefined {
  const file = demoKeysFile(dataDir);
  return existsSync(file) ? DemoKeys.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
}

/** Registers the demo organizations unless they exist; returns their new keys (undefined when they existed). */
export async function ensureDemoOrganizations(
  store: EventStore,
  dataDir: string,
): Promise<DemoKeys | undefined> {
  const first = demoOrganizations[0]!;
  if ((await store.streamRevision(`organization-${first.orgId}`)) !== undefined) return undefined;
  const keys: DemoKeys = {};
  for (const org of demoOrganizations) {
    await registerOrganization(store, org);
    const issued = await issueApiKey(store, org.orgId);
    keys[org.name] = { orgId: org.orgId, role: org.role, apiKey: issued.apiKey };
  }
  const file = demoKeysFile(dataDir);
  writeFileSync(file, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return keys;
}
