/** Chinese wording shared by the certificate and the contract. */

/** Organization roles (the API's roles) as a Chinese reader knows them. */
export const ROLE_LABELS = {
  enterprise: '借款企业',
  bank: '贷款银行',
  guarantor: '融资担保机构',
  reguarantor: '再担保机构',
  government_fund: '政府风险补偿资金',
  regulator: '监管部门',
  court: '人民法院',
  arbitrator: '仲裁机构',
  notary: '公证机构',
  operator: '平台运营方',
} as const;
export type OrgRole = keyof typeof ROLE_LABELS;
export const ORG_ROLES = Object.keys(ROLE_LABELS) as [OrgRole, ...OrgRole[]];

/** Anchor finality (pending → included → final; a re-org sends an anchor back to pending). */
export const ANCHOR_STATUS_LABELS = {
  pending: '待上链（交易尚未打包或因链重组待重新提交）',
  included: '已上链，尚未达到最终确认',
  final: '已上链并达到最终确认（不可逆）',
} as const;
export type AnchorStatus = keyof typeof ANCHOR_STATUS_LABELS;

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/**
 * Courts read Beijing time (UTC+8, no daylight saving). Ledger times are UTC instants; this is a pure
 * offset, independent of the machine's time zone. '2026-03-01T02:00:00.123Z' → '2026-03-01 10:00:00.123'.
 */
export function formatBeijingTime(isoInstant: string, withMillis = true): string {
  const ms = Date.parse(isoInstant);
  if (Number.isNaN(ms)) throw new RangeError(`not a time: ${isoInstant}`);
  const text = new Date(ms + BEIJING_OFFSET_MS).toISOString().replace('T', ' ');
  return withMillis ? text.slice(0, 23) : text.slice(0, 19);
}

/** '2026-03-01' → '2026年3月1日'. */
export function formatChineseDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!m) throw new RangeError(`not a date: ${isoDate}`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

export const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
