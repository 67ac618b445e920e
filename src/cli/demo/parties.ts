import { HUNAN_4321_BPS } from '../../domain/guarantee/config.ts';

/** The demo organizations the scenario acts as (src/app/demoOrganizations.ts). */
export const ORG = {
  operator: 'platform-operator',
  bank: 'bank-xiangjiang',
  guarantor: 'guarantor-xiangtan',
  reguarantee: 'reguarantee-hunan',
  nationalFund: 'fund-national',
  provincialFinance: 'finance-hunan',
  cityFund: 'fund-changsha',
  arbitration: 'arbitration-changsha',
  notary: 'notary-changsha',
} as const;

/** Two enterprises; legal representatives with valid GB 11643 ID numbers (fictitious people). */
export const ENTERPRISES = [
  {
    uscc: '91430100MA4L00011K',
    name: '长沙星辰智能装备有限公司',
    regionCode: '430102',
    industry: 'C3491',
    sizeClass: 'small' as const,
    legalRepresentative: { name: '刘星辰', idNumber: '430102198001011233' },
  },
  {
    uscc: '91430200MA4L0002XG',
    name: '株洲湘茶农业科技有限公司',
    regionCode: '430202',
    industry: 'A0164',
    sizeClass: 'micro' as const,
    legalRepresentative: { name: '陈湘茶', idNumber: '430202198505052341' },
  },
] as const;

/** Hunan 4321 over the demo organizations (湘政办发〔2019〕64号 shares). */
export const RISK_PARTIES = [
  { org: ORG.nationalFund, kind: 'national_fund', shareBps: HUNAN_4321_BPS.national_fund },
  { org: ORG.provincialFinance, kind: 'provincial_finance', shareBps: HUNAN_4321_BPS.provincial_finance },
  { org: ORG.reguarantee, kind: 'provincial_reguarantee', shareBps: HUNAN_4321_BPS.provincial_reguarantee },
  { org: ORG.guarantor, kind: 'guarantor', shareBps: HUNAN_4321_BPS.guarantor },
  { org: ORG.bank, kind: 'bank', shareBps: HUNAN_4321_BPS.bank },
  { org: ORG.cityFund, kind: 'local_government', shareBps: HUNAN_4321_BPS.local_government },
] as const;
