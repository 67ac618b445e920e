import { createHash } from 'node:crypto';
import type { CertificateInput } from '../../../src/evidence/pdf/certificateInput.ts';
import type { LoanContractTerms } from '../../../src/evidence/pdf/contractTerms.ts';

/** Test data for the PDFs: fictional organizations, with check-digit-valid 统一社会信用代码. */

const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
/** Appends the GB 32100-2015 check character to 17 characters. */
export function uscc(first17: string): string {
  const sum = [...first17].reduce(
    (s, ch, i) => s + USCC_ALPHABET.indexOf(ch) * (USCC_WEIGHTS[i] as number),
    0,
  );
  const check = (31 - (sum % 31)) % 31;
  return first17 + USCC_ALPHABET[check];
}

export const NAMES = {
  enterprise: '湖南湘研精密制造有限公司',
  bank: '湘江商业银行股份有限公司长沙分行',
  guarantor: '湖南潇湘融资担保有限公司',
  reguarantor: '湖南省融资再担保有限公司',
  fund: '长沙市中小企业风险补偿资金',
  arbitration: '长沙仲裁委员会',
  notary: '湖南省长沙市麓山公证处',
} as const;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

const EVENT_TYPES: [type: string, label: string, role: 'enterprise' | 'bank' | 'guarantor' | 'notary'][] = [
  ['LoanApplied', '借款申请', 'enterprise'],
  ['LoanApproved', '审批通过', 'bank'],
  ['GuaranteeIssued', '出具保函', 'guarantor'],
  ['ContractSigned', '合同签署', 'enterprise'],
  ['NotarizationGranted', '赋强公证', 'notary'],
  ['LoanDisbursed', '放款', 'bank'],
  ['RepaymentReceived', '还款', 'bank'],
];

const ORG_NAMES = {
  enterprise: NAMES.enterprise,
  bank: NAMES.bank,
  guarantor: NAMES.guarantor,
  notary: NAMES.notary,
} as const;

export function certificateInput(eventCount = 12): CertificateInput {
  const start = Date.parse('2026-03-02T01:30:00.000Z');
  const events = Array.from({ length: eventCount }, (_, i) => {
    const [type, label, role] = EVENT_TYPES[Math.min(i, EVENT_TYPES.length - 1)]!;
    return {
      recordedAt: new Date(start + i * 86_400_000 + i * 1_234).toISOString(),
      type,
      label,
      actor: { org: `${role}-org`, role, name: ORG_NAMES[role] },
      logIndex: 981_000 + i * 7,
      leafHash: sha(`leaf ${i}`),
    };
  });
  return {
    certificateNo: 'HN-CZ-2026-000123',
    issuedAt: '2026-11-27T08:00:00.000Z',
    issuer: '湖南省融资信用服务平台',
    loan: {
      id: 'loan-0193a5b2-7c41-7d2e-9f00-1a2b3c4d5e6f',
      amountFen: 123_456_789,
      productName: '潇湘科技贷',
      termMonths: 12,
      contractSha256: sha('contract'),
    },
    parties: [
      { role: 'enterprise', name: NAMES.enterprise, uscc: uscc('91430100MA4L00001') },
      { role: 'bank', name: NAMES.bank, uscc: uscc('91430100MA4L00002') },
      { role: 'guarantor', name: NAMES.guarantor, uscc: uscc('91430100MA4L00003') },
      { role: 'reguarantor', name: NAMES.reguarantor },
    ],
    events,
    checkpoint: {
      origin: 'ledger.hunan-credit.example/loan-ledger/v1',
      treeSize: 1_000_000,
      rootHash: sha('root'),
      signers: [
        { name: '湖南省融资信用服务平台（日志）', keyId: '8f3a91c2' },
        { name: '长沙市中级人民法院（见证）', keyId: '12ab34cd' },
      ],
    },
    anchor: {
      chainId: 31337,
      chainName: '本地测试链',
      contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      txHash: `0x${sha('tx')}`,
      blockNumber: 4_211,
      blockHash: `0x${sha('block')}`,
      blockTime: '2026-11-27T07:58:12.000Z',
      status: 'final',
      confirmations: 64,
    },
    bundle: { sha256: sha('bundle'), fileName: 'loan-evidence.json' },
    verification: { rpcUrl: 'http://127.0.0.1:8545' },
  };
}

/** Equal-principal (等额本金) monthly schedule, exact in fen: interest = balance · rate / 12 / 10,000, half up. */
function equalPrincipalSchedule(
  principalFen: number,
  annualRateBps: number,
  months: number,
  firstDue: [number, number],
) {
  const rows = [];
  let balance = BigInt(principalFen);
  const base = BigInt(principalFen) / BigInt(months);
  for (let k = 1; k <= months; k++) {
    const principal = k === months ? balance : base;
    const interest = (2n * balance * BigInt(annualRateBps) + 120_000n) / 240_000n;
    const monthIndex = firstDue[1] - 1 + (k - 1);
    const dueDate = `${firstDue[0] + Math.floor(monthIndex / 12)}-${String((monthIndex % 12) + 1).padStart(2, '0')}-15`;
    rows.push({ dueDate, principalFen: Number(principal), interestFen: Number(interest) });
    balance -= principal;
  }
  return rows;
}

export function contractTerms(): LoanContractTerms {
  return {
    contractNo: 'XJB-JK-2026-0815',
    loanId: 'loan-0193a5b2-7c41-7d2e-9f00-1a2b3c4d5e6f',
    draftedAt: '2026-03-01T02:00:00.000Z',
    platform: '湖南省融资信用服务平台',
    signingPlace: '湖南省长沙市',
    lender: { name: NAMES.bank, uscc: uscc('91430100MA4L00002'), address: '长沙市岳麓区潇湘北路一段 1 号' },
    borrower: {
      name: NAMES.enterprise,
      uscc: uscc('91430100MA4L00001'),
      address: '长沙市雨花区环保中路 88 号',
      legalRepresentative: '张晓明',
    },
    guarantor: { name: NAMES.guarantor, uscc: uscc('91430100MA4L00003') },
    principalFen: 300_000_000,
    annualRateBps: 435,
    termMonths: 12,
    startDate: '2026-03-15',
    endDate: '2027-03-15',
    purpose: '采购数控机床零部件及原材料，补充日常经营流动资金',
    repaymentMethod: 'equal_principal',
    schedule: equalPrincipalSchedule(300_000_000, 435, 12, [2026, 4]),
    guarantee: { coverageBps: 8_000, feeRateBps: 100 },
    riskProgramme: '湖南省“4321”政银担风险分担机制',
    riskShares: [
      { name: '国家融资担保基金', role: 'government_fund', bps: 2_000 },
      { name: '湖南省财政厅', role: 'government_fund', bps: 1_000 },
      { name: NAMES.reguarantor, role: 'reguarantor', bps: 1_000 },
      { name: NAMES.guarantor, role: 'guarantor', bps: 3_000 },
      { name: NAMES.bank, role: 'bank', bps: 2_000 },
      { name: NAMES.fund, role: 'government_fund', bps: 1_000 },
    ],
    arbitration: { institution: NAMES.arbitration },
    notarization: { notaryOffice: NAMES.notary },
  };
}
